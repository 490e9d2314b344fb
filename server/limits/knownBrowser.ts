import { randomBytes } from 'node:crypto';
import type { SignInMethod } from '../../shared/schemas/signInRequests';
import type { RelayContext } from '../context';
import { deriveKey, loadOidcSecret } from '../oidc/loadOidcSecret';
import { cookieHeader, readCookies, seal, unseal } from '../pages/cookies';
import type { Tenant } from '../storage/model';

/**
 * A known browser: one where a user of the tenant signed in successfully before. The hosted pages
 * set a long-lived, HttpOnly, per-tenant cookie after a sign-in; it is sealed (HMAC) with a key
 * of the relay's, so no page script and no other browser can make one. It holds a random id for
 * the browser and, per user who signed in there, the method they used last. A known browser is a
 * source of its own for the limits: nobody else's flood or report uses up its budget.
 */
export interface KnownBrowser {
  /** The browser's random id: its lane in the limits is `known:<id>`. */
  id: string;
  /** The users who signed in here (by id), with the method each used last. */
  users: Record<string, SignInMethod | null>;
}

/** 400 days: the longest browsers keep a cookie. */
const maxAgeSeconds = 400 * 24 * 60 * 60;
const secrets = new Map<string, Buffer>();

export const knownBrowserCookie = (tenant: Tenant) => `nod_known_${tenant.name}`;

function keyFor(ctx: RelayContext, tenant: Tenant): Buffer {
  let secret = secrets.get(ctx.config.dataDir);
  if (!secret) {
    secret = loadOidcSecret(ctx.config.dataDir);
    secrets.set(ctx.config.dataDir, secret);
  }
  return deriveKey(secret, 'known browser', tenant.id);
}

/** The known-browser cookie of this tenant in a Cookie header, if it is one the relay sealed. */
export function readKnownBrowser(ctx: RelayContext, tenant: Tenant, cookieHeaderValue: string | undefined): KnownBrowser | undefined {
  if (!cookieHeaderValue) return undefined;
  const value = unseal<KnownBrowser>(keyFor(ctx, tenant), readCookies(cookieHeaderValue).get(knownBrowserCookie(tenant)));
  if (!value || typeof value.id !== 'string' || typeof value.users !== 'object' || value.users === null) return undefined;
  return value;
}

/** Did this user sign in in this browser before? */
export const knows = (browser: KnownBrowser | undefined, userId: string | undefined): browser is KnownBrowser =>
  browser !== undefined && userId !== undefined && Object.hasOwn(browser.users, userId);

/** The Set-Cookie value after `userId` signed in here with `method`: the same browser id, the user added. */
export function knownBrowserSetCookie(
  ctx: RelayContext,
  tenant: Tenant,
  current: KnownBrowser | undefined,
  userId: string,
  method: SignInMethod | null,
): string {
  const users = { ...(current?.users ?? {}) };
  delete users[userId];
  users[userId] = method;
  // The most recent 20 users: a shared computer does not grow the cookie without bound.
  const kept = Object.fromEntries(Object.entries(users).slice(-20));
  const value: KnownBrowser = { id: current?.id ?? randomBytes(16).toString('base64url'), users: kept };
  return cookieHeader(knownBrowserCookie(tenant), seal(keyFor(ctx, tenant), value), {
    path: '/',
    maxAgeSeconds,
    secure: ctx.config.publicUrl.startsWith('https:'),
  });
}
