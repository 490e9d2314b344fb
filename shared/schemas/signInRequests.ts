import { z } from 'zod';
import { authenticationResponse, base64url, origin, username } from './common';
import { decisions } from '../approvalChallenge';

/** The ways a user can sign in, as the hosted page's "Other ways to sign in" lists them. */
export const signInMethods = ['phone_sign_in', 'verification_code', 'password', 'temporary_access_pass'] as const;
export const signInMethod = z.enum(signInMethods);
export type SignInMethod = (typeof signInMethods)[number];

/**
 * What the desktop side says about the application. Never a name: the phone shows the name of the
 * OIDC client registered for the interaction, which the relay looks up itself. (Unknown fields, such
 * as a caller's own `applicationName`, are ignored.)
 */
export const clientDescription = z.object({
  /** The OIDC interaction (its uid) the sign-in belongs to, when it comes from the hosted sign-in page. */
  interaction: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/)
    .optional(),
});
export type ClientDescription = z.infer<typeof clientDescription>;

/**
 * How the relay knows the site a sign-in is for:
 * - `browser`: a browser the user registered (the Nod extension) signed the origin it observed, and the
 *   origin is one of the tenant's registered sign-in origins; it is bound into the approval;
 * - `relay`: the call's `Origin` header (a browser page's own call) is one of the tenant's registered
 *   sign-in origins. A script can send any header, so the phone says no browser of the user checked it;
 * - `unchecked`: neither. The phone shows no site, only that it could not be checked.
 */
export const siteChecks = ['browser', 'relay', 'unchecked'] as const;
export type SiteCheck = (typeof siteChecks)[number];

/**
 * What the phone shows about a sign-in before the user types the number (the wire and storage call the
 * field `context`). Never the number. Every text
 * comes from the relay's own records (registered client, the User-Agent it parsed, a registered
 * browser's name) and is sanitised (shared/displayText): no control or bidirectional characters.
 */
export const signInDescription = z.object({
  /** The registered OIDC client's name for the interaction; absent when policy hides it or none is known. */
  applicationName: z.string().optional(),
  /** "Seattle, Washington, United States", "This network" or "Unknown location" (server/location); absent when policy hides it. */
  location: z.string().max(200).optional(),
  /** "Chrome on Linux" */
  browser: z.string().optional(),
  /** The site the sign-in is for, only when it was checked (`siteCheck` is not `unchecked`). */
  origin: z.string().optional(),
  siteCheck: z.enum(siteChecks),
  /**
   * The Nod browser extension that signed the request, by the name it registered with; `registered`
   * when the user trusts it for future sign-ins (then `siteCheck` is `browser`).
   */
  signedBy: z.object({ id: z.string(), name: z.string(), registered: z.boolean() }).optional(),
});
export type SignInDescription = z.infer<typeof signInDescription>;

export const requestStatuses = [
  'pending',
  'approved',
  'denied',
  'wrong_number',
  'failed',
  'reported',
  'expired',
  'superseded',
  'cancelled',
  'cool_down',
  'redeemed',
  /** The site was not one of the tenant's sign-in origins when the phone approved: nothing was approved. */
  'blocked',
] as const;
export type RequestStatus = (typeof requestStatuses)[number];

/** After these nothing more happens to a request (approved still waits to be redeemed). */
export const finalRequestStatuses: readonly RequestStatus[] = requestStatuses.filter((s) => s !== 'pending' && s !== 'approved');

/**
 * The state of a request as its collector sees it: the body of `GET /api/sign-in-requests/:id`
 * and the data of each `state` server-sent event on `/api/sign-in-requests/:id/events`.
 */
export const signInRequestState = z.object({
  requestId: z.string(),
  status: z.enum(requestStatuses),
  expiresAt: z.string(),
  /** A plain sentence for the person waiting. */
  message: z.string().optional(),
  /**
   * While pending: `sent` until a phone says the request reached it, then `delivered` (the app
   * or its service worker received it). A desktop that sees no `delivered` within a few seconds
   * offers the other ways at once (see `deliveryGraceMs`).
   */
  delivery: z.enum(['sent', 'delivered']).optional(),
});
export type SignInRequestState = z.infer<typeof signInRequestState>;

/** How long a desktop waits for `delivered` before it offers the fallbacks. */
export const deliveryGraceMs = 5_000;

/**
 * Phone: this request reached the device (`POST /api/device/sign-in-requests/:id/received`,
 * device-signed, idempotent): `push` from the service worker, `app` when the open app got it
 * over its live channel or its list. Only `push` receipts say that the device's push works.
 */
export const signInRequestReceipt = z.object({ via: z.enum(['push', 'app']) });
export type SignInRequestReceipt = z.infer<typeof signInRequestReceipt>;

/**
 * Desktop: start a sign-in for a user of the tenant in the path
 * (`POST /api/t/:tenant/sign-in-requests`).
 * - `passwordless`: phone sign-in, number matching, user verification on the phone.
 * - `mfa`: push approval as the second factor; `password` or `temporaryAccessPass` is the first.
 */
export const signInRequestCreate = z.object({
  username,
  kind: z.enum(['passwordless', 'mfa']).default('passwordless'),
  /** The origin the sign-in is for: where the user will be signed in. */
  origin,
  client: clientDescription.default({}),
  password: z.string().min(1).max(256).optional(),
  temporaryAccessPass: z.string().min(1).max(100).optional(),
});
export type SignInRequestCreate = z.input<typeof signInRequestCreate>;

/**
 * The answer — the same shape, status and timing for unknown users and users who cannot use
 * the phone (no enumeration): such a request simply never gets approved.
 */
export const signInRequestCreated = z.object({
  requestId: z.string(),
  /** The two-digit number to show on the desktop only. */
  number: z.number().int(),
  expiresAt: z.string(),
  /** Only its holder can watch the request and redeem the result. Never show or log it. */
  collectorSecret: z.string(),
  status: z.enum(['pending', 'cool_down']),
  /** With `cool_down`: when a new push may be sent. */
  retryAt: z.string().optional(),
  /** The other ways this user may sign in (for unknown users, a plausible default list). */
  methods: z.array(signInMethod),
});
export type SignInRequestCreated = z.infer<typeof signInRequestCreated>;

/** Server-sent events of one request for its collector (`GET /api/sign-in-requests/:id/events`), by event name. */
export const signInRequestEvents = { state: signInRequestState } as const;

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
  context: signInDescription,
  webauthn: z.object({
    rpId: z.string(),
    allowCredentials: z.array(z.object({ id: z.string(), type: z.literal('public-key') })),
    userVerification: z.enum(['required', 'preferred', 'discouraged']),
    timeout: z.number(),
  }),
});
export type SignInRequestDetails = z.infer<typeof signInRequestDetails>;

/** Phone: `GET /api/device/sign-in-requests`, every pending request for the accounts on the device. */
export const signInRequestList = z.object({ requests: z.array(signInRequestDetails) });

/**
 * Phone: answer a request (`POST /api/sign-in-requests/:id/answer`). The assertion's challenge is
 * `approvalChallenge({requestId, nonce, site, typedNumber, decision})` from shared/approvalChallenge, where
 * `site` is `boundSite(context)`: the checked site the phone showed;
 * `deviceSignature` is the device key's signature over the same canonical encoding.
 */
export const signInAnswer = z.object({
  registrationId: z.string().min(1).max(100),
  decision: z.enum(decisions),
  /** The number the user typed; required to approve. */
  typedNumber: z.number().int().min(0).max(999).nullable().default(null),
  /** Required to approve; optional for deny and report. */
  assertion: authenticationResponse.optional(),
  /** IEEE P1363 r‖s with the low s, canonical base64url: 86 characters (shared/p256Signature). */
  deviceSignature: base64url.length(86),
});
export type SignInAnswer = z.input<typeof signInAnswer>;

/** The relay's answer to the phone. */
export const signInAnswered = z.object({
  requestId: z.string(),
  status: z.enum(['approved', 'denied', 'reported']),
});
export type SignInAnswered = z.infer<typeof signInAnswered>;

/**
 * Phone: after approving a sign-in that a Nod browser extension brokered, trust that browser for future
 * sign-ins (`POST /api/sign-in-requests/:id/trust-browser`). The assertion (user verification required)
 * and the device signature are over `canonicalBrowserTrust({requestId, nonce, browserId})`.
 */
export const browserTrust = z.object({
  registrationId: z.string().min(1).max(100),
  assertion: authenticationResponse,
  deviceSignature: base64url.length(86),
});
export type BrowserTrust = z.input<typeof browserTrust>;

/** The relay's answer: the browser is now registered for the account. */
export const browserTrusted = z.object({ browserId: z.string(), name: z.string(), registered: z.literal(true) });
export type BrowserTrusted = z.infer<typeof browserTrusted>;
