import { z } from 'zod';

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
