import type { DiscoveredTenant } from '../../../shared/schemas/directory';
import type { RelayRecord } from '../relays/relayRecord';
import { hostSkeleton } from './hostSkeleton';

export interface TenantAtRelay {
  tenant: DiscoveredTenant;
  relayOrigin: string;
}

/** How an origin the browser reported relates to the registered sign-in origins. */
export type OriginMatch =
  /** Exactly a registered sign-in origin of these tenants. */
  | { kind: 'registered'; tenants: TenantAtRelay[] }
  /** Reads like a registered origin but is not one: homoglyphs, punycode, a registered host embedded in another. */
  | { kind: 'confusable'; like: string; tenant: TenantAtRelay }
  /** The same host name as a registered origin, on another scheme or port. */
  | { kind: 'other_port'; like: string; tenant: TenantAtRelay }
  | { kind: 'unrelated' };

/** The origin of a URL as a browser computes it, or undefined for opaque and non-web URLs. */
export function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
    return parsed.origin;
  } catch {
    return undefined;
  }
}

function everySignInOrigin(relays: RelayRecord[]): Array<TenantAtRelay & { origin: string }> {
  return relays.flatMap((relay) =>
    relay.tenants.flatMap((tenant) => tenant.signInOrigins.map((origin) => ({ origin, tenant, relayOrigin: relay.origin }))),
  );
}

/** True when `host` carries all of `registered`'s labels in a row but is not `registered` or under it. */
function embeds(host: string, registered: string): boolean {
  if (host === registered || host.endsWith(`.${registered}`)) return false;
  return `.${host}.`.includes(`.${registered}.`);
}

/**
 * Match an origin (from the browser: `sender.origin` or the tab's URL, never from the page) against
 * every tenant's registered sign-in origins. Only an exact origin match — scheme, host and port — is
 * registered; near misses are classified so the caller can warn.
 */
export function matchSignInOrigin(origin: string, relays: RelayRecord[]): OriginMatch {
  const normalised = originOf(origin);
  if (!normalised) return { kind: 'unrelated' };
  const entries = everySignInOrigin(relays);
  const exact = entries.filter((entry) => entry.origin === normalised);
  if (exact.length > 0) {
    return { kind: 'registered', tenants: exact.map(({ tenant, relayOrigin }) => ({ tenant, relayOrigin })) };
  }
  const host = new URL(normalised).hostname;
  for (const entry of entries) {
    const registeredHost = new URL(entry.origin).hostname;
    if (registeredHost === host) {
      return { kind: 'other_port', like: entry.origin, tenant: { tenant: entry.tenant, relayOrigin: entry.relayOrigin } };
    }
  }
  const skeleton = hostSkeleton(host);
  for (const entry of entries) {
    const registeredHost = new URL(entry.origin).hostname;
    const registeredSkeleton = hostSkeleton(registeredHost);
    if (skeleton === registeredSkeleton || embeds(host, registeredHost) || embeds(skeleton, registeredSkeleton)) {
      return { kind: 'confusable', like: entry.origin, tenant: { tenant: entry.tenant, relayOrigin: entry.relayOrigin } };
    }
  }
  return { kind: 'unrelated' };
}
