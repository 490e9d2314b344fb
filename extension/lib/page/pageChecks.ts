import type {
  Envelope,
  MessageOn,
  PageToExtensionMessage,
  PageSignInView,
  PageVerdict,
  SignInPageMarker,
} from '../../../shared/schemas/extensionMessages';

/**
 * Small hand-written checks for what the content script receives: the page's marker and hand-off
 * messages, and the background's port messages. They accept and return exactly what the zod schemas in
 * shared/ accept and return (tests/unit/extensionPageChecks.test.ts holds them side by side), so the
 * content script runs on every page without bundling zod. Types only from shared/: importing a value
 * from there would bring zod along.
 */

/** Mirrors of shared/ constants (checked equal by the tests). */
export const pagePortName = 'nod-page';
export const signInPageMarkerName = 'nod-sign-in';
export const signInPageMarkerVersion = 1;
export const identityProviderDeclarationName = 'nod-identity-provider';
export const signInPageSteps: readonly SignInPageMarker['step'][] = [
  'username',
  'methods',
  'phone',
  'code',
  'password',
  'temporary_access_pass',
  'done',
  'error',
];
export const brokeredStatuses: readonly PageSignInView['status'][] = [
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
  'blocked',
  'creating',
  'not_created',
];
const lookalikeReasons = ['marker_on_unregistered_origin', 'confusable_host', 'imitates_sign_in_page', 'names_another_tenant'] as const;

type Obj = Record<string, unknown>;

const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown, max: number, min = 0): value is string =>
  typeof value === 'string' && value.length >= min && value.length <= max;
/** An optional field: absent (or undefined) passes; present must pass `check`. */
const optional = (value: unknown, check: (value: unknown) => boolean) => value === undefined || check(value);
/** Copy the optional fields that are present (zod drops unknown keys and keeps present optional ones). */
const pick = (from: Obj, keys: string[]): Obj => {
  const out: Obj = {};
  for (const key of keys) if (from[key] !== undefined) out[key] = from[key];
  return out;
};

const isTenantName = (value: unknown): value is string => isText(value, 40, 2) && /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(value);

/** shared/schemas/common.ts `username`: trimmed, 1–254, no spaces or quotes, lower-cased. */
function checkUsername(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed.length < 1 || trimmed.length > 254 || !/^[^\s<>"'`]+$/.test(trimmed)) return undefined;
  return trimmed.toLowerCase();
}

/** shared/schemas/common.ts `origin`: scheme, host and port of an http(s) URL, nothing more. */
function isOrigin(value: unknown): value is string {
  if (!isText(value, 300)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

const isInt = (value: unknown, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): value is number =>
  Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;

/** The `nod-sign-in` marker's `content` (parseSignInPageMarker). */
export function parseMarker(content: string | null | undefined): SignInPageMarker | undefined {
  if (!content || content.length > 2000) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch {
    return undefined;
  }
  if (!isObject(data) || data.v !== signInPageMarkerVersion || !isTenantName(data.tenant)) return undefined;
  if (!signInPageSteps.includes(data.step as SignInPageMarker['step'])) return undefined;
  if (!optional(data.requestId, (v) => typeof v === 'string' && /^[A-Za-z0-9_-]{1,100}$/.test(v))) return undefined;
  if (!optional(data.interaction, (v) => typeof v === 'string' && /^[A-Za-z0-9_-]{1,100}$/.test(v))) return undefined;
  return { v: 1, tenant: data.tenant, step: data.step as SignInPageMarker['step'], ...pick(data, ['requestId', 'interaction']) };
}

/** A message the page posted to the extension (pageToExtensionMessage). */
export function parsePageMessage(data: unknown): PageToExtensionMessage | undefined {
  if (!isObject(data)) return undefined;
  switch (data.type) {
    case 'nod:extension-probe':
    case 'nod:phone-sign-in-cancelled':
      return { type: data.type };
    case 'nod:phone-sign-in-requested': {
      const username = checkUsername(data.username);
      return username === undefined ? undefined : { type: data.type, username };
    }
    default:
      return undefined;
  }
}

function checkVerdict(value: unknown): PageVerdict | undefined {
  if (!isObject(value)) return undefined;
  switch (value.kind) {
    case 'genuine':
      if (!isTenantName(value.tenant) || !isText(value.tenantDisplayName, 200) || !isOrigin(value.site)) return undefined;
      return { kind: 'genuine', tenant: value.tenant, tenantDisplayName: value.tenantDisplayName, site: value.site };
    case 'lookalike': {
      const { site, imitates, expected, reason } = value;
      if (!isText(site, 300) || !optional(imitates, (v) => isText(v, 200))) return undefined;
      if (!Array.isArray(expected) || expected.length > 50 || !expected.every(isOrigin)) return undefined;
      if (!lookalikeReasons.includes(reason as (typeof lookalikeReasons)[number])) return undefined;
      return {
        kind: 'lookalike',
        site,
        ...(imitates === undefined ? {} : { imitates: imitates as string }),
        expected: [...expected],
        reason: reason as (typeof lookalikeReasons)[number],
      };
    }
    case 'offer':
      if (!isText(value.tenantDisplayName, 200) || !isText(value.loginUrl, 2000)) return undefined;
      return { kind: 'offer', tenantDisplayName: value.tenantDisplayName, loginUrl: value.loginUrl };
    case 'none':
      return { kind: 'none' };
    default:
      return undefined;
  }
}

/** A sign-in as the content script gets it (pageSignInView): a `number` is not for the page, and is dropped. */
function checkView(value: unknown): PageSignInView | undefined {
  if (!isObject(value)) return undefined;
  const ok =
    isInt(value.tabId) &&
    optional(value.requestId, (v) => isText(v, 100)) &&
    isTenantName(value.tenant) &&
    isText(value.tenantDisplayName, 200) &&
    isText(value.username, 254) &&
    isOrigin(value.site) &&
    brokeredStatuses.includes(value.status as PageSignInView['status']) &&
    optional(value.expiresAt, (v) => isText(v, 40)) &&
    optional(value.retryAt, (v) => isText(v, 40)) &&
    optional(value.message, (v) => isText(v, 500));
  if (!ok) return undefined;
  return {
    tabId: value.tabId as number,
    ...pick(value, ['requestId']),
    tenant: value.tenant as string,
    tenantDisplayName: value.tenantDisplayName as string,
    username: value.username as string,
    site: value.site as string,
    status: value.status as PageSignInView['status'],
    ...pick(value, ['expiresAt', 'retryAt', 'message']),
  } as PageSignInView;
}

/** A message from the background on the page port (parseMessage('toContentScript', raw)). */
export function parseBackgroundMessage(raw: unknown): Envelope<MessageOn<'toContentScript'>> | undefined {
  if (!isObject(raw) || !isObject(raw.payload)) return undefined;
  const { type, payload } = raw;
  switch (type) {
    case 'page:verdict': {
      const verdict = checkVerdict(payload);
      return verdict && { type, payload: verdict };
    }
    case 'signIn:view': {
      if (payload.view === null) return { type, payload: { view: null } };
      const view = checkView(payload.view);
      return view && { type, payload: { view } };
    }
    case 'signIn:grant':
      if (!isText(payload.grant, 2000, 1) || !isText(payload.requestId, 100)) return undefined;
      return { type, payload: { grant: payload.grant, requestId: payload.requestId } };
    case 'page:fillUsername': {
      const username = checkUsername(payload.username);
      return username === undefined ? undefined : { type, payload: { username } };
    }
    case 'page:panelHeight':
      return isInt(payload.height, 0, 2000) ? { type, payload: { height: payload.height } } : undefined;
    default:
      return undefined;
  }
}
