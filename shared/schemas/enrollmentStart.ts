import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/browser';
import { z } from 'zod';
import { tenantName, username } from './common';

/**
 * Phone: start adding a work or school account, either directly (username + Temporary Access
 * Pass) or with the one-time enrollment code from My Sign-ins (the guided path).
 */
export const enrollmentStart = z.union([
  z.object({
    tenant: tenantName,
    username,
    temporaryAccessPass: z.string().min(1).max(100),
  }),
  z.object({
    enrollmentCode: z.string().min(1).max(200),
  }),
]);
export type EnrollmentStart = z.input<typeof enrollmentStart>;

/** The relay's answer: who is being enrolled, and WebAuthn registration options for startRegistration(). */
export interface EnrollmentStarted {
  enrollmentId: string;
  tenant: string;
  tenantDisplayName: string;
  username: string;
  displayName: string;
  /** PublicKeyCredentialCreationOptionsJSON: platform authenticator, user verification required, no attestation. */
  options: PublicKeyCredentialCreationOptionsJSON;
}
