import { z } from 'zod';
import { signInContext } from './signInContext';

/**
 * What a push carries (encrypted, RFC 8291): an opaque request id and display context only.
 * The phone fetches the details over HTTPS. Never the number.
 */
export const pushPayload = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('sign_in_request'),
    requestId: z.string(),
    registrationId: z.string(),
    tenant: z.string(),
    kind: z.enum(['passwordless', 'mfa']),
    expiresAt: z.string(),
    context: signInContext,
  }),
  z.object({ type: z.literal('sign_in_request_closed'), requestId: z.string() }),
]);
export type PushPayload = z.infer<typeof pushPayload>;
