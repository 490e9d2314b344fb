import { z } from 'zod';

/** Phone: enable or disable phone sign-in for one account. */
export const phoneSignInSet = z.object({ enabled: z.boolean() });
export type PhoneSignInSet = z.infer<typeof phoneSignInSet>;
