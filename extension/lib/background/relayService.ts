import { browser } from 'wxt/browser';
import { deviceAuthorizationHeader } from '../../../shared/deviceSignature';
import { callRelayAsDevice } from '../../../shared/relay/callRelayAsDevice';
import { RelayProblem, RelayUnreachable } from '../../../shared/relay/relayErrors';
import { browserUserRegistered } from '../../../shared/schemas/devices';
import { forgetTenants } from '../history/history';
import { getOrCreateBrowserKey, loadBrowserKey } from '../relays/browserKey';
import { fetchDiscovery } from '../relays/fetchDiscovery';
import { normaliseRelayUrl, originPattern } from '../relays/normaliseRelayUrl';
import type { RelayRecord } from '../relays/relay';
import { deleteRelay, loadRelays, saveRelay } from '../relays/relayStore';
import { describeThisBrowser, registerBrowser } from '../relays/registerBrowser';

/**
 * Add a relay after the options page obtained its host permission: read its tenant discovery, make the
 * browser key if there is none yet, and register the key with each tenant.
 */
export async function addRelay(url: string): Promise<RelayRecord> {
  const origin = normaliseRelayUrl(url);
  if (!(await browser.permissions.contains({ origins: [originPattern(origin, import.meta.env.BROWSER !== 'firefox')] }))) {
    throw new Error(`Nod needs permission to reach ${origin}. Add the relay again and allow it.`);
  }
  const discovery = await fetchDiscovery(origin);
  const key = await getOrCreateBrowserKey();
  const existing = (await loadRelays()).find((r) => r.origin === origin);
  const deviceIds: Record<string, string> = { ...(existing?.deviceIds ?? {}) };
  const name = describeThisBrowser(navigator.userAgent);
  for (const tenant of discovery.tenants) {
    if (deviceIds[tenant.name]) continue;
    const id = await registerBrowser(origin, tenant.name, key.publicJwk, name);
    if (id) deviceIds[tenant.name] = id;
  }
  const now = new Date().toISOString();
  const record: RelayRecord = {
    origin,
    tenants: discovery.tenants,
    deviceIds,
    addedAt: existing?.addedAt ?? now,
    fetchedAt: now,
  };
  await saveRelay(record);
  return record;
}

/** Forget a relay, its accounts and results, and give back its host permission. */
export async function removeRelay(origin: string): Promise<void> {
  const relay = (await loadRelays()).find((r) => r.origin === origin);
  await deleteRelay(origin);
  if (relay) await forgetTenants(relay.tenants.map((t) => t.name));
  await browser.permissions.remove({ origins: [originPattern(origin, import.meta.env.BROWSER !== 'firefox')] }).catch(() => false);
}

/** Read every relay's discovery again (tenants and sign-in origins change); `olderThanMs` skips fresh ones. */
export async function refreshRelays(olderThanMs = 0): Promise<void> {
  for (const relay of await loadRelays()) {
    if (Date.now() - Date.parse(relay.fetchedAt) < olderThanMs) continue;
    try {
      await addRelay(relay.origin);
    } catch {
      // Keep what we knew; the options page shows when it was last read.
    }
  }
}

/** The device-signed Authorization header for a call to a tenant, when the browser key is registered there. */
export async function signWithBrowserKey(
  relayOrigin: string,
  tenant: string,
  request: { method: string; path: string; body: string },
): Promise<string | undefined> {
  const relay = (await loadRelays()).find((r) => r.origin === relayOrigin);
  let deviceId = relay?.deviceIds[tenant];
  const key = await loadBrowserKey();
  if (!relay || !key) return undefined;
  if (!deviceId) {
    // The relay may have gained browser registration (or the tenant) since the relay was added.
    deviceId = await registerBrowser(relayOrigin, tenant, key.publicJwk, describeThisBrowser(navigator.userAgent));
    if (!deviceId) return undefined;
    await saveRelay({ ...relay, deviceIds: { ...relay.deviceIds, [tenant]: deviceId } });
  }
  return deviceAuthorizationHeader(deviceId, key.privateKey, request);
}

/**
 * Register this browser for a user with a Temporary Access Pass (`POST /api/t/:tenant/browsers/self/users`,
 * signed with the browser key): the first registration where the tenant requires registered browsers.
 */
export async function registerBrowserForUser(input: {
  relayOrigin: string;
  tenant: string;
  username: string;
  temporaryAccessPass: string;
}): Promise<void> {
  const path = `/api/t/${encodeURIComponent(input.tenant)}/browsers/self/users`;
  const sign = async (request: { method: string; path: string; body: string }) => {
    const authorization = await signWithBrowserKey(input.relayOrigin, input.tenant, request);
    if (!authorization) throw new Error('Add the relay first: this browser has no key registered with it.');
    return authorization;
  };
  try {
    await callRelayAsDevice({ relayUrl: input.relayOrigin, sign }, path, {
      body: { username: input.username, temporaryAccessPass: input.temporaryAccessPass },
      answer: browserUserRegistered,
      credentials: 'omit',
    });
  } catch (error) {
    if (error instanceof RelayProblem) throw new Error(error.detail ?? `The relay refused (${error.status}).`);
    // Unreachable: what the browser said, as before.
    if (error instanceof RelayUnreachable && error.cause instanceof Error) throw error.cause;
    throw error;
  }
}
