import { z } from 'zod';
import { p256PublicJwk } from './common';
import { pushSubscription } from './pushSubscription';
import { registrationResponse } from './webauthnResponses';

/** Phone: finish adding the account with the new platform credential and the device key. */
export const enrollmentFinish = z.object({
  enrollmentId: z.string().min(1).max(100),
  registration: registrationResponse,
  /** The phone's own non-extractable P-256 key for this tenant. */
  devicePublicKey: p256PublicJwk,
  deviceName: z.string().trim().min(1).max(100).default('Phone'),
  pushSubscription: pushSubscription.optional(),
});
export type EnrollmentFinish = z.input<typeof enrollmentFinish>;

/** What the phone keeps after enrollment. The TOTP secret is given this once. */
export interface EnrollmentFinished {
  registrationId: string;
  deviceId: string;
  tenant: string;
  tenantDisplayName: string;
  username: string;
  displayName: string;
  credentialId: string;
  /** Base32 (RFC 4648) TOTP secret for offline verification codes. */
  totpSecret: string;
  phoneSignInEnabled: boolean;
}
