import { z } from 'zod';
import { requestStatuses } from './signInRequestState';
import { tenantName, username } from './common';

/**
 * The contract between the relay's hosted sign-in page and the Nod browser extension.
 *
 * 1. The page says what it is with a marker in its `<head>`, kept up to date as the step changes:
 *
 *    `<meta name="nod-sign-in" content='{"v":1,"tenant":"contoso","step":"username"}'>`
 *
 *    The marker is a claim, never proof: the extension trusts a page only when the tab's real origin
 *    (seen by the browser, not by the page) is one of the tenant's registered sign-in origins. The
 *    marker never carries the number or the collector secret.
 *
 * 2. The page and the extension's content script talk with `window.postMessage(message, location.origin)`.
 *    Each side accepts a message only when `event.source === window` and `event.origin === location.origin`,
 *    and validates it against the schemas below. Unknown messages are ignored.
 *
 *    page → extension
 *    - `nod:extension-probe`            asks whether the extension is here (it answers `nod:extension-ready`)
 *    - `nod:phone-sign-in-requested`    the user picked phone sign-in for `username`: the extension creates
 *                                       the request itself, shows the number in its own UI, and the page
 *                                       must NOT create a request of its own
 *    - `nod:phone-sign-in-cancelled`    the user left phone sign-in (picked another method)
 *
 *    extension → page
 *    - `nod:extension-ready`            the extension recognised this page as genuine and can broker
 *    - `nod:status`                     the brokered request's status (never the number)
 *    - `nod:grant`                      the one-time grant: the page finishes the sign-in with it
 *                                       exactly as it would after its own request's redeem
 */
export const signInPageMarkerName = 'nod-sign-in';
export const signInPageMarkerVersion = 1;

/** The hosted page's steps (issue 4), in the order a user meets them. */
export const signInPageSteps = [
  /** Enter the username, select Next. */
  'username',
  /** "Other ways to sign in": the list of methods. */
  'methods',
  /** Phone sign-in: the number, the countdown and the live status. */
  'phone',
  /** Use a verification code (TOTP). */
  'code',
  /** Use your password (push MFA mode: a push follows). */
  'password',
  /** Use a Temporary Access Pass. */
  'temporary_access_pass',
  /** Signed in: returning to the site. */
  'done',
  /** A dead end with a message (unknown interaction, expired session…). */
  'error',
] as const;
export type SignInPageStep = (typeof signInPageSteps)[number];

/** The JSON in the marker's `content`. Unknown fields are ignored. */
export const signInPageMarker = z.object({
  v: z.literal(signInPageMarkerVersion),
  tenant: tenantName,
  step: z.enum(signInPageSteps),
  /** The sign-in request shown on the page, once there is one (the page's own or the extension's). */
  requestId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/)
    .optional(),
  /** The OIDC client being signed in to, so a brokered request names the application on the phone. */
  clientId: z.string().max(200).optional(),
});
export type SignInPageMarker = z.infer<typeof signInPageMarker>;

/** Render the marker's `content` attribute (for the hosted page). */
export function formatSignInPageMarker(marker: SignInPageMarker): string {
  return JSON.stringify(signInPageMarker.parse(marker));
}

/** Parse a marker's `content`; undefined when it is missing or not a valid marker. */
export function parseSignInPageMarker(content: string | null | undefined): SignInPageMarker | undefined {
  if (!content || content.length > 2000) return undefined;
  try {
    const result = signInPageMarker.safeParse(JSON.parse(content));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

// ---- page → extension -------------------------------------------------------------------------

export const extensionProbe = z.object({ type: z.literal('nod:extension-probe') });

export const phoneSignInRequested = z.object({
  type: z.literal('nod:phone-sign-in-requested'),
  username,
});

export const phoneSignInCancelled = z.object({ type: z.literal('nod:phone-sign-in-cancelled') });

/** Every message the page may post to the extension. */
export const pageToExtensionMessage = z.discriminatedUnion('type', [extensionProbe, phoneSignInRequested, phoneSignInCancelled]);
export type PageToExtensionMessage = z.infer<typeof pageToExtensionMessage>;

// ---- extension → page -------------------------------------------------------------------------

export const extensionReady = z.object({ type: z.literal('nod:extension-ready'), v: z.literal(signInPageMarkerVersion) });

/**
 * Where the brokered request stands. `status` is a request status, or `not_created` when the extension
 * could not create the request at all (relay unreachable, refused): the page should then offer its own
 * ways. Never carries the number: the extension shows it in its own UI.
 */
export const brokeredStatus = z.object({
  type: z.literal('nod:status'),
  status: z.union([z.enum(requestStatuses), z.literal('not_created')]),
  requestId: z.string().max(100).optional(),
  expiresAt: z.string().max(40).optional(),
  /** With `cool_down`: when a new request may be made. */
  retryAt: z.string().max(40).optional(),
  /** A plain sentence for the person waiting. */
  message: z.string().max(500).optional(),
});
export type BrokeredStatus = z.infer<typeof brokeredStatus>;

/** The one-time grant from redeeming the approved request (SignInGrant.grant). */
export const brokeredGrant = z.object({
  type: z.literal('nod:grant'),
  grant: z.string().min(1).max(2000),
  requestId: z.string().max(100),
});
export type BrokeredGrant = z.infer<typeof brokeredGrant>;

/** Every message the extension may post to the page. */
export const extensionToPageMessage = z.discriminatedUnion('type', [extensionReady, brokeredStatus, brokeredGrant]);
export type ExtensionToPageMessage = z.infer<typeof extensionToPageMessage>;

// ---- sites that use Nod as their identity provider --------------------------------------------

/**
 * A site declares Nod as its identity provider with either
 *   `<meta name="nod-identity-provider" content="<issuer> <loginUrl>">`   or
 *   `<link rel="nod-identity-provider" href="<issuer>" data-login-url="<loginUrl>">`
 * where `issuer` is a tenant's OIDC issuer (from `GET /api/tenants`) and `loginUrl` is the site's own
 * page that starts the OIDC sign-in (same origin as the site). The extension then offers
 * "Sign in with Nod".
 */
export const identityProviderDeclarationName = 'nod-identity-provider';
