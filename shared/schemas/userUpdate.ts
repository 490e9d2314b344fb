import { z } from 'zod';
import { displayName } from './common';

/** Admin: change a user. */
export const userUpdate = z.object({
  displayName: displayName.optional(),
  kind: z.enum(['member', 'guest']).optional(),
});
export type UserUpdate = z.infer<typeof userUpdate>;
