import { z } from 'zod';
import { temporaryAccessPassLifetime } from '../constants';
import { base64url, p256PublicJwk, registrationResponse, tenantName, username } from './common';
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
export const temporaryAccessPassIssued = z.object({
  /** What the pass list shows and revocation names; never the pass. */
  id: z.string(),
  temporaryAccessPass: z.string(),
  expiresAt: z.string(),
  oneTime: z.boolean(),
});
export type TemporaryAccessPassIssued = z.infer<typeof temporaryAccessPassIssued>;

/** Admin: one Temporary Access Pass of a user, never the pass itself. `state` is as of the answer. */
export const temporaryAccessPassView = z.object({
  id: z.string(),
  oneTime: z.boolean(),
  state: z.enum(['usable', 'used', 'expired', 'revoked']),
  createdAt: z.string(),
  expiresAt: z.string(),
  usedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type TemporaryAccessPassView = z.infer<typeof temporaryAccessPassView>;

/** Admin: `GET …/users/:username/temporary-access-passes` (newest first) */
export const temporaryAccessPassList = z.object({ passes: z.array(temporaryAccessPassView) });

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

/**
 * WebAuthn registration options as JSON (PublicKeyCredentialCreationOptionsJSON, WebAuthn L3 §5.4), what
 * @simplewebauthn's generateRegistrationOptions() makes and startRegistration() takes.
 */
export const registrationOptions = z.object({
  rp: z.object({ name: z.string(), id: z.string().optional() }),
  user: z.object({ id: base64url, name: z.string(), displayName: z.string() }),
  challenge: base64url.min(1),
  pubKeyCredParams: z.array(z.object({ alg: z.number().int(), type: z.literal('public-key') })),
  timeout: z.number().optional(),
  excludeCredentials: z.array(z.object({ id: base64url, type: z.string(), transports: z.array(z.string()).optional() })).optional(),
  authenticatorSelection: z
    .object({
      authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
      requireResidentKey: z.boolean().optional(),
      residentKey: z.enum(['discouraged', 'preferred', 'required']).optional(),
      userVerification: z.enum(['discouraged', 'preferred', 'required']).optional(),
    })
    .optional(),
  hints: z.array(z.enum(['hybrid', 'security-key', 'client-device'])).optional(),
  attestation: z.enum(['direct', 'enterprise', 'indirect', 'none']).optional(),
  attestationFormats: z.array(z.enum(['fido-u2f', 'packed', 'android-safetynet', 'android-key', 'tpm', 'apple', 'none'])).optional(),
  /** The relay asks for credProps only (is the credential discoverable). */
  extensions: z.object({ credProps: z.boolean().optional() }).optional(),
});

/** The relay's answer: who is being enrolled, and WebAuthn registration options for startRegistration(). */
export const enrollmentStarted = z.object({
  enrollmentId: z.string(),
  tenant: z.string(),
  tenantDisplayName: z.string(),
  username: z.string(),
  displayName: z.string(),
  /** Platform authenticator, user verification required, no attestation. */
  options: registrationOptions,
});
export type EnrollmentStarted = z.infer<typeof enrollmentStarted>;

/** Phone: finish adding the account with the new platform credential and the device key. */
export const enrollmentFinish = z.object({
  enrollmentId: z.string().min(1).max(100),
  registration: registrationResponse,
  /** The phone's own non-extractable P-256 key for this tenant. */
  devicePublicKey: p256PublicJwk,
  /**
   * Proof that the phone holds that key: its signature over `enrollmentProofInput` (this
   * enrollment's id and WebAuthn challenge, shared/deviceSignature), low-S P1363 in base64url.
   */
  deviceProof: base64url.length(86),
  deviceName: z.string().trim().min(1).max(100).default('Phone'),
  pushSubscription: pushSubscription.optional(),
});
export type EnrollmentFinish = z.input<typeof enrollmentFinish>;

/** What the phone keeps after enrollment. The TOTP secret is given this once. */
export const enrollmentFinished = z.object({
  registrationId: z.string(),
  deviceId: z.string(),
  tenant: z.string(),
  tenantDisplayName: z.string(),
  username: z.string(),
  displayName: z.string(),
  credentialId: z.string(),
  /** Base32 (RFC 4648) TOTP secret for offline verification codes. */
  totpSecret: z.string().regex(/^[A-Z2-7]+$/),
  phoneSignInEnabled: z.boolean(),
});
export type EnrollmentFinished = z.infer<typeof enrollmentFinished>;
