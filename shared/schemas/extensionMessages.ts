import { z } from 'zod';
import { requestStatuses } from './signInRequests';
import { origin, tenantName, username } from './common';

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
  /** The OIDC interaction (its uid), so a brokered request names the registered application on the phone. */
  interaction: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/)
    .optional(),
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

/**
 * The extension's one message map: every runtime message and port message between its parts, by
 * name, with the channel it travels on, the schema its payload must pass and (for answered messages)
 * the schema of the reply.
 *
 * Channels — the route a message takes; the background checks the sender of the route before any
 * handler runs (extension/lib/messaging/verifySender.ts):
 * - `contentScript`: content script → background, over the `nod-page` port. Untrusted: the page may
 *   have influenced what the content script says, so the background decides with the sender's real
 *   origin only.
 * - `toContentScript`: background → content script, over the same port. Never the number: the page's
 *   renderer never holds it.
 * - `extensionPage`: the popup or the options page → background, with `runtime.sendMessage`, answered.
 * - `panelFrame`: the sign-in panel's frame (an extension page framed inside the sign-in page, on the
 *   extension's origin, so page scripts cannot read it) → background, over the `nod-panel` port.
 * - `toPanelFrame`: background → the panel's frame, over the same port: the sign-in with its number.
 *
 * Every message is `{ type, payload }`; unknown types and payloads that fail their schema are ignored.
 */
export type Channel = 'contentScript' | 'toContentScript' | 'extensionPage' | 'panelFrame' | 'toPanelFrame';

/** The name of the port content scripts open to the background. */
export const pagePortName = 'nod-page';

/** The name of the port the sign-in panel's frame opens to the background. */
export const panelPortName = 'nod-panel';

const shortText = z.string().max(500);
const isoTime = z.string().max(40);

/** What the content script saw on the page. A claim: the background checks it against the real origin. */
export const pageObservation = z.object({
  /** The `nod-sign-in` marker, when the page has a valid one. */
  marker: signInPageMarker.nullable(),
  /** Signs that the page imitates the hosted sign-in page without the marker. */
  imitation: z.object({
    /** The title or heading reads like the hosted page's. */
    title: z.boolean(),
    /** How many of the hosted page's distinctive phrases appear (0–10). */
    phrases: z.number().int().min(0).max(10),
    /** There is a username or password field. */
    signInForm: z.boolean(),
    /** Tenant display names the page mentions (matched against known tenants by the background). */
    mentions: z.array(z.string().max(100)).max(10),
  }),
  /** A `nod-identity-provider` declaration: the site says it signs its users in with Nod. */
  identityProvider: z
    .object({
      issuer: z.string().max(500),
      loginUrl: z.string().max(2000),
    })
    .nullable(),
});
export type PageObservation = z.infer<typeof pageObservation>;

/** The background's judgement of a page, made from the tab's real origin. */
export const pageVerdict = z.discriminatedUnion('kind', [
  /** A registered sign-in origin of this tenant showing the marker: the extension may broker here. */
  z.object({
    kind: z.literal('genuine'),
    tenant: tenantName,
    tenantDisplayName: z.string().max(200),
    /** The verified site: the tab's real origin. */
    site: origin,
  }),
  /** Imitates a Nod sign-in page from an origin that is not registered: warn, never broker. */
  z.object({
    kind: z.literal('lookalike'),
    /** The page's real origin, as the browser reports it (for display). */
    site: z.string().max(300),
    /** The name of the organisation the page imitates, when known. */
    imitates: z.string().max(200).optional(),
    /** The registered sign-in origins the person should use instead. */
    expected: z.array(origin).max(50),
    /** `names_another_tenant`: the page names a tenant on an origin registered to another one. */
    reason: z.enum(['marker_on_unregistered_origin', 'confusable_host', 'imitates_sign_in_page', 'names_another_tenant']),
  }),
  /** A site that declares a known tenant's issuer as its identity provider. */
  z.object({
    kind: z.literal('offer'),
    tenantDisplayName: z.string().max(200),
    /** Same-origin with the page, checked by the background. */
    loginUrl: z.string().max(2000),
  }),
  z.object({ kind: z.literal('none') }),
]);
export type PageVerdict = z.infer<typeof pageVerdict>;

/** Where a brokered sign-in stands, besides the relay's request statuses. */
export const brokeredStatuses = [...requestStatuses, 'creating', 'not_created'] as const;
export type BrokeredStatusName = (typeof brokeredStatuses)[number];

/** A brokered sign-in as the extension's own UI shows it (panel, popup). Never the collector secret. */
export const signInView = z.object({
  tabId: z.number().int(),
  requestId: z.string().max(100).optional(),
  tenant: tenantName,
  tenantDisplayName: z.string().max(200),
  username: z.string().max(254),
  /** The verified site (the tab's real origin). */
  site: origin,
  /** The number to type on the phone: shown in the extension's UI only. */
  number: z.number().int().min(0).max(999).optional(),
  status: z.enum(brokeredStatuses),
  expiresAt: isoTime.optional(),
  retryAt: isoTime.optional(),
  message: shortText.optional(),
  /** While pending: `sent`, or `delivered` once a phone acknowledged it (the relay's stage). */
  delivery: z.enum(['sent', 'delivered']).optional(),
  /** While pending and still `sent` past the grace: the UI offers the fallbacks. */
  sentAt: isoTime.optional(),
});
export type SignInView = z.infer<typeof signInView>;

/** A sign-in as the content script learns it: everything the panel's frame shows except the number. */
export const pageSignInView = signInView.omit({ number: true });
export type PageSignInView = z.infer<typeof pageSignInView>;

/** A random key the page UI puts in its panel frame's URL (after `#`). */
export const panelFrameKey = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

/** The panel frame's height in CSS pixels, so the page UI sizes the frame to what it shows. */
const panelHeight = z.number().int().min(0).max(2000);

export const relaySummary = z.object({
  origin,
  tenants: z.array(
    z.object({
      name: tenantName,
      displayName: z.string().max(200),
      issuer: z.string().max(500),
      signInOrigins: z.array(origin),
    }),
  ),
  /** The browser key is registered with this relay (requests are browser-verified). */
  browserRegistered: z.boolean(),
  /** The host permission for the relay's origin is granted. */
  permission: z.boolean(),
  fetchedAt: isoTime,
});
export type RelaySummary = z.infer<typeof relaySummary>;

export const accountUsed = z.object({
  tenant: tenantName,
  tenantDisplayName: z.string().max(200),
  username: z.string().max(254),
  site: origin,
  lastUsedAt: isoTime,
});
export type AccountUsed = z.infer<typeof accountUsed>;

export const signInResult = z.object({
  at: isoTime,
  tenant: tenantName,
  username: z.string().max(254),
  site: origin,
  status: z.enum(brokeredStatuses),
});
export type SignInResult = z.infer<typeof signInResult>;

export const extensionState = z.object({
  relays: z.array(relaySummary),
  /** Look-alike protection on every site (an optional permission the person chose). */
  everySite: z.boolean(),
  pending: z.array(signInView),
  accounts: z.array(accountUsed),
  results: z.array(signInResult),
  /** What the background knows of the active tab, when asked with a tab id. */
  activeTab: z.object({ verdict: pageVerdict.optional(), signIn: signInView.optional() }).optional(),
});
export type ExtensionState = z.infer<typeof extensionState>;

const done = z.object({ ok: z.literal(true) });
const outcome = z.discriminatedUnion('ok', [done, z.object({ ok: z.literal(false), error: shortText })]);
const empty = z.object({});

export const extensionMessages = {
  // content script → background (page port)
  'page:observed': { channel: 'contentScript', payload: pageObservation },
  'signIn:start': { channel: 'contentScript', payload: z.object({ username }) },
  /** `byPerson`: the panel's × (the sign-in stays shown as cancelled); otherwise the page left phone sign-in. */
  'signIn:cancel': { channel: 'contentScript', payload: z.object({ byPerson: z.boolean().optional() }) },
  /** Sent while a sign-in waits, so the browser does not stop the background mid-wait. */
  keepAlive: { channel: 'contentScript', payload: empty },
  /**
   * The page UI framed the sign-in panel with this key in the frame's URL: the background talks only to
   * the panel frame that carries it, never to one another frame of the page made.
   */
  'page:panelFrame': { channel: 'contentScript', payload: z.object({ key: panelFrameKey }) },

  // background → content script (page port)
  'page:verdict': { channel: 'toContentScript', payload: pageVerdict },
  'signIn:view': { channel: 'toContentScript', payload: z.object({ view: pageSignInView.nullable() }) },
  'signIn:grant': { channel: 'toContentScript', payload: z.object({ grant: z.string().min(1).max(2000), requestId: z.string().max(100) }) },
  'page:fillUsername': { channel: 'toContentScript', payload: z.object({ username }) },
  /** The panel's frame changed its height (relayed from the frame, which the content script cannot reach). */
  'page:panelHeight': { channel: 'toContentScript', payload: z.object({ height: panelHeight }) },

  // the panel's frame → background (panel port)
  'panel:retry': { channel: 'panelFrame', payload: empty },
  'panel:cancel': { channel: 'panelFrame', payload: empty },
  'panel:resized': { channel: 'panelFrame', payload: z.object({ height: panelHeight }) },

  // background → the panel's frame (panel port)
  'panel:view': { channel: 'toPanelFrame', payload: z.object({ view: signInView.nullable() }) },

  // extension pages → background (answered)
  'ui:getState': { channel: 'extensionPage', payload: z.object({ tabId: z.number().int().optional() }), reply: extensionState },
  'ui:addRelay': { channel: 'extensionPage', payload: z.object({ url: z.string().max(500) }), reply: outcome },
  'ui:removeRelay': { channel: 'extensionPage', payload: z.object({ origin }), reply: outcome },
  'ui:refreshRelays': { channel: 'extensionPage', payload: empty, reply: outcome },
  /** The options page changed a permission: re-register the content script. */
  'ui:permissionsChanged': { channel: 'extensionPage', payload: empty, reply: outcome },
  'ui:pickAccount': { channel: 'extensionPage', payload: z.object({ tabId: z.number().int(), username }), reply: outcome },
  'ui:cancelSignIn': { channel: 'extensionPage', payload: z.object({ tabId: z.number().int() }), reply: outcome },
  'ui:retrySignIn': { channel: 'extensionPage', payload: z.object({ tabId: z.number().int() }), reply: outcome },
  /** Register this browser for a user with a Temporary Access Pass (where the tenant requires registered browsers). */
  'ui:registerBrowserForUser': {
    channel: 'extensionPage',
    payload: z.object({ relayOrigin: origin, tenant: tenantName, username, temporaryAccessPass: z.string().min(1).max(100) }),
    reply: outcome,
  },
} as const satisfies Record<string, { channel: Channel; payload: z.ZodType; reply?: z.ZodType }>;

type Messages = typeof extensionMessages;
export type MessageName = keyof Messages;
/** The names that travel on a channel. */
export type MessageOn<C extends Channel> = { [K in MessageName]: Messages[K]['channel'] extends C ? K : never }[MessageName];
export type Payload<K extends MessageName> = z.infer<Messages[K]['payload']>;
/** What the receiver answers: the reply schema's type, or nothing for a port message. */
export type Reply<K extends MessageName> = Messages[K] extends { reply: infer R extends z.ZodType } ? z.infer<R> : undefined;
export type Envelope<K extends MessageName = MessageName> = { [N in K]: { type: N; payload: Payload<N> } }[K];

/** A message received on a channel, validated. */
export type Received<C extends Channel> = Envelope<MessageOn<C>>;

/** The map seen as plain entries, for lookups by a name that came from outside. */
const specs: Readonly<Record<string, { channel: Channel; payload: z.ZodType; reply?: z.ZodType }>> = extensionMessages;

/** Build a message (typed at compile time; the receiver validates it again). */
export function message<K extends MessageName>(type: K, payload: Payload<K>): Envelope<K> {
  return { type, payload } as Envelope<K>;
}

/** Whether `type` names a message of `channel` (own keys only: `toString` or `__proto__` name nothing). */
function travelsOn<C extends Channel>(channel: C, type: string): type is MessageOn<C> {
  return Object.hasOwn(specs, type) && specs[type].channel === channel;
}

/**
 * Validate a received message: its name must be known and travel on `channel`, and its payload must
 * pass the schema. Anything else is undefined, and the receiver ignores it.
 */
export function parseMessage<C extends Channel>(channel: C, raw: unknown): Received<C> | undefined;
// The payload passes the schema of `type` here; the signature above states that pairing for callers.
export function parseMessage(channel: Channel, raw: unknown): { type: MessageName; payload: unknown } | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { type, payload } = raw as { type?: unknown; payload?: unknown };
  if (typeof type !== 'string' || !travelsOn(channel, type)) return undefined;
  const result = specs[type].payload.safeParse(payload);
  return result.success ? { type, payload: result.data } : undefined;
}

/** Validate an answer from the background (the sender of an `extensionPage` message checks it too). */
export function parseReply<K extends MessageName>(type: K, raw: unknown): Reply<K> | undefined {
  const reply = specs[type].reply;
  if (!reply) return undefined;
  const result = reply.safeParse(raw);
  return result.success ? (result.data as Reply<K>) : undefined;
}
