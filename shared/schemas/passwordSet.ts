import { z } from 'zod';

/** Admin: set a user's password (a first factor for push MFA mode). */
export const passwordSet = z.object({
  password: z.string().min(8).max(256),
});
export type PasswordSet = z.infer<typeof passwordSet>;
