import { z } from 'zod';
import { username } from './common';

/** Desktop: sign in with a Temporary Access Pass (`POST /api/t/:tenant/temporary-access-pass-sign-in`). */
export const temporaryAccessPassSignIn = z.object({
  username,
  temporaryAccessPass: z.string().min(1).max(100),
});
