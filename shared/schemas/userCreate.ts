import { z } from 'zod';
import { displayName, username } from './common';

/** Admin: create a user. Members can use phone sign-in; guests cannot. */
export const userCreate = z.object({
  username,
  displayName: displayName.optional(),
  kind: z.enum(['member', 'guest']).default('member'),
});
export type UserCreate = z.input<typeof userCreate>;
