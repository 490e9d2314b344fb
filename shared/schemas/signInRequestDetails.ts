import { z } from 'zod';
import { signInContext } from './signInContext';

/**
 * Phone: one pending request as the device reads it (`GET /api/device/sign-in-requests[/:id]`).
 * Carries the relay nonce for the approval binding and the WebAuthn parameters; never the number.
 */
export const signInRequestDetails = z.object({
  requestId: z.string(),
  registrationId: z.string(),
  tenant: z.string(),
  tenantDisplayName: z.string(),
  username: z.string(),
  kind: z.enum(['passwordless', 'mfa']),
  nonce: z.string(),
  expiresAt: z.string(),
  context: signInContext,
  webauthn: z.object({
    rpId: z.string(),
    allowCredentials: z.array(z.object({ id: z.string(), type: z.literal('public-key') })),
    userVerification: z.enum(['required', 'preferred', 'discouraged']),
    timeout: z.number(),
  }),
});
export type SignInRequestDetails = z.infer<typeof signInRequestDetails>;
