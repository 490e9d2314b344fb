import { z } from 'zod';
import { tenantName } from './common';

/**
 * My Sign-ins (security info) at `/t/:tenant/my-sign-ins`: the signed-in user's methods, adding
 * the Authenticator app through a one-time enrollment code, removing a method, recent sign-ins.
 */

/** What the relay renders into the page. */
export const mySignInsBoot = z.object({
  tenant: tenantName,
  tenantDisplayName: z.string(),
});
export type MySignInsBoot = z.infer<typeof mySignInsBoot>;

export const securityMethod = z.discriminatedUnion('kind', [
  /** The Authenticator app on one device: one registration. */
  z.object({
    kind: z.literal('authenticator'),
    id: z.string(),
    deviceName: z.string(),
    phoneSignInEnabled: z.boolean(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
  }),
  /** Verification codes (TOTP) from the Authenticator app on these devices. */
  z.object({ kind: z.literal('verification_codes'), deviceNames: z.array(z.string()) }),
  z.object({ kind: z.literal('password') }),
]);
export type SecurityMethod = z.infer<typeof securityMethod>;

export const recentSignIn = z.object({
  at: z.string(),
  /** A plain description: "Signed in to Contoso Portal with phone sign-in". */
  description: z.string(),
  outcome: z.enum(['success', 'failure', 'other']),
  browser: z.string().nullable(),
});
export type RecentSignIn = z.infer<typeof recentSignIn>;

/** `GET …/my-sign-ins/api/summary` */
export const mySignInsSummary = z.object({
  username: z.string(),
  displayName: z.string(),
  signedInAt: z.string(),
  /** Adding or removing a method needs a sign-in within this many minutes. */
  recentSignInMinutes: z.number(),
  /** True when the last sign-in is older than that: the page offers to sign in again. */
  recentSignInRequired: z.boolean(),
  methods: z.array(securityMethod),
  /** Whether the guided path (Add method → Authenticator app) is allowed, and if not, why. */
  addAuthenticator: z.object({ allowed: z.boolean(), message: z.string().optional() }),
  recentSignIns: z.array(recentSignIn),
});
export type MySignInsSummary = z.infer<typeof mySignInsSummary>;

/** `POST …/my-sign-ins/api/authenticator`: the one-time enrollment code as a QR code and a link. */
export const authenticatorEnrollment = z.object({
  link: z.string(),
  /** An SVG image of the QR code that holds `link`, as a data: URL. */
  qrCode: z.string(),
  expiresAt: z.string(),
});
export type AuthenticatorEnrollment = z.infer<typeof authenticatorEnrollment>;
