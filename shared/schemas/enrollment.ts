import { z } from 'zod';
import { temporaryAccessPassLifetime } from '../constants';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/browser';
import { p256PublicJwk, registrationResponse, tenantName, username } from './common';
import { pushSubscription } from './devices';

/** Admin: issue a Temporary Access Pass. One-time by default; a new pass replaces the user's old one. */
export const temporaryAccessPassIssue = z.object({
  lifetimeMinutes: z
    .number()
    .int()
    .min(temporaryAccessPassLifetime.minMinutes)
    .max(temporaryAccessPassLifetime.maxMinutes)
    .default(temporaryAccessPassLifetime.defaultMinutes),
  oneTime: z.boolean().default(true),
});
export type TemporaryAccessPassIssue = z.input<typeof temporaryAccessPassIssue>;

/** The answer: the pass itself is shown this once and stored only as a hash. */
export interface TemporaryAccessPassIssued {
  temporaryAccessPass: string;
  expiresAt: string;
  oneTime: boolean;
}

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
