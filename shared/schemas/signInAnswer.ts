import { z } from 'zod';
import { decisions } from '../approvalChallenge';
import { base64url } from './common';
import { authenticationResponse } from './webauthnResponses';

/**
 * Phone: answer a request (`POST /api/sign-in-requests/:id/answer`). The assertion's challenge is
 * `approvalChallenge({requestId, nonce, typedNumber, decision})` from shared/approvalChallenge;
 * `deviceSignature` is the device key's signature over the same canonical encoding.
 */
export const signInAnswer = z.object({
  registrationId: z.string().min(1).max(100),
  decision: z.enum(decisions),
  /** The number the user typed; required to approve. */
  typedNumber: z.number().int().min(0).max(999).nullable().default(null),
  /** Required to approve; optional for deny and report. */
  assertion: authenticationResponse.optional(),
  deviceSignature: base64url.min(80).max(100),
});
export type SignInAnswer = z.input<typeof signInAnswer>;

/** The relay's answer to the phone. */
export interface SignInAnswered {
  requestId: string;
  status: 'approved' | 'denied' | 'reported';
}
