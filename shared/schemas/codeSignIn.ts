import { z } from 'zod';
import { username } from './common';

/**
 * Desktop: sign in with a verification code from the app (offline backup), optionally after a
 * password for users in `push` mode (`POST /api/t/:tenant/code-sign-in`). Answers a SignInGrant.
 */
export const codeSignIn = z.object({
  username,
  code: z.string().regex(/^\d{6}$/, 'six digits'),
  password: z.string().min(1).max(256).optional(),
  temporaryAccessPass: z.string().min(1).max(100).optional(),
});
export type CodeSignIn = z.input<typeof codeSignIn>;
