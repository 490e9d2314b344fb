import { z } from 'zod';
import { tenantName, username } from './common';
import { registeredBrowserView } from './devices';
import { homeRealm } from './discovery';
import { signInMethod } from './signInRequests';

/**
 * The hosted sign-in page (the OIDC interaction at `/t/:tenant/interaction/:uid`) and its relay.
 * The page's own calls go to the interaction's path, where the interaction cookie proves which
 * sign-in they belong to.
 */

/** What the relay renders into the page (a `<script type="application/json" id="nod-boot">`). */
export const hostedSignInBoot = z.object({
  tenant: tenantName,
  tenantDisplayName: z.string(),
  /** The interaction's uid: the page's own paths are `/t/<tenant>/interaction/<uid>/…`. */
  uid: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/),
  /** The site being signed in to (the OIDC client's display name). */
  applicationName: z.string(),
  clientId: z.string(),
  /** The relay's origin: the sign-in request is for it. */
  origin: z.string(),
  /** A username to start with (`login_hint`, or the signed-in user when signing in again). */
  loginHint: z.string().optional(),
  /**
   * The username was given with the sign-in (`login_hint`, e.g. after home realm discovery found
   * the organization from it): the page goes on at once, as if Next was selected.
   */
  continueWithHint: z.boolean().optional(),
});
export type HostedSignInBoot = z.infer<typeof hostedSignInBoot>;

/** Page → relay: the username, after **Next** (`POST …/interaction/:uid/username`). */
export const hostedUsernameStep = z.object({ username });
export type HostedUsernameStep = z.input<typeof hostedUsernameStep>;

/**
 * Relay → page: the ways offered to this username. Unknown users get the same plausible list
 * as a typical member, so the answer never tells whether a user exists.
 */
export const hostedUsernameAnswer = z.object({
  username: z.string(),
  methods: z.array(signInMethod),
  /** The method this user signed in with last (the page offers it first unless this browser remembers another). */
  lastMethod: signInMethod.nullable(),
  /** A verification code alone is not enough (push MFA mode): it goes with a password or Temporary Access Pass. */
  codeNeedsFirstFactor: z.boolean(),
  /**
   * The username's domain is registered by another organization (home realm discovery): the page
   * says so, with a link to sign in there, and a guest of this organization may still continue.
   * Decided by the domain alone, so it is the same for every username of that domain.
   */
  otherOrganization: homeRealm.optional(),
});
export type HostedUsernameAnswer = z.infer<typeof hostedUsernameAnswer>;

/** Page → relay: finish the sign-in with a one-time grant (`POST …/interaction/:uid/finish`). */
export const hostedFinish = z.object({ grant: z.string().min(1).max(2000) });

/** Relay → page: where to go now (back to the site, through the provider). */
export const hostedFinished = z.object({ redirectTo: z.string() });
export type HostedFinished = z.infer<typeof hostedFinished>;

/**
 * My Sign-ins (security info) at `/t/:tenant/my-sign-ins`: the signed-in user's methods, adding
 * the Authenticator app through a one-time enrollment code, removing a method, recent sign-ins.
 */

/**
 * The organization-less entry (`GET /my-sign-ins`): the organization is found from the username's
 * domain (home realm discovery), with **Other organization** as the fallback.
 */
export const findOrganizationBoot = z.object({
  /** Where to go once the organization is known: `{tenant}` and `{username}` are filled in. */
  next: z.literal('my-sign-ins'),
});
export type FindOrganizationBoot = z.infer<typeof findOrganizationBoot>;

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
    /** The relay's daily health check (or a push service's 404/410) found that pushes no longer reach this phone. */
    notificationsFailing: z.boolean().default(false),
  }),
  /** Verification codes (TOTP) from the Authenticator app on these devices. */
  z.object({ kind: z.literal('verification_codes'), deviceNames: z.array(z.string()), lastUsedAt: z.string().nullable().default(null) }),
  z.object({ kind: z.literal('password'), lastUsedAt: z.string().nullable().default(null) }),
]);
export type SecurityMethod = z.infer<typeof securityMethod>;

export const recentSignIn = z.object({
  at: z.string(),
  /** A plain description: "Signed in to Contoso Portal with phone sign-in". */
  description: z.string(),
  outcome: z.enum(['success', 'failure', 'other']),
  browser: z.string().nullable(),
  /** The address the sign-in came from, and where that is in words ("United States", "This network"). */
  ip: z.string().nullable().default(null),
  location: z.string().nullable().default(null),
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
  /** Browsers (the Nod extension) registered for this account: their requests show "checked by your browser". */
  browsers: z.array(registeredBrowserView),
  /** Whether the guided path (Add method → Authenticator app) is allowed, and if not, why. */
  addAuthenticator: z.object({ allowed: z.boolean(), message: z.string().optional() }),
  recentSignIns: z.array(recentSignIn),
  /** The phones and browsers (Nod extension) the account is on: each can be removed as lost. */
  devices: z
    .array(
      z.object({
        id: z.string(),
        kind: z.enum(['phone', 'browser']),
        name: z.string(),
        createdAt: z.string(),
        lastSeenAt: z.string().nullable(),
      }),
    )
    .default([]),
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
