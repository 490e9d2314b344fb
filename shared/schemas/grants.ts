import { z } from 'zod';
import { username } from './common';

/**
 * Desktop: what redeeming an approved request gives (`POST /api/sign-in-requests/:id/redeem`,
 * collector secret as bearer): a one-time grant that finishes the sign-in (the hosted page's
 * OIDC interaction, or the extension handing it to the page).
 */
export const signInGrant = z.object({
  grant: z.string(),
  tenant: z.string(),
  username: z.string(),
  /** How the user signed in, as OIDC `amr` values (RFC 8176): e.g. ["pop","user","mfa"]. */
  amr: z.array(z.string()),
  method: z.string(),
  expiresAt: z.string(),
});
export type SignInGrant = z.infer<typeof signInGrant>;

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

/** Desktop: sign in with a Temporary Access Pass (`POST /api/t/:tenant/temporary-access-pass-sign-in`). */
export const temporaryAccessPassSignIn = z.object({
  username,
  temporaryAccessPass: z.string().min(1).max(100),
});
