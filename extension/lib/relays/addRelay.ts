import { browser } from 'wxt/browser';
import { getOrCreateBrowserKey } from './browserKey';
import { fetchDiscovery } from './fetchDiscovery';
import { normaliseRelayUrl, originPattern } from './normaliseRelayUrl';
import type { RelayRecord } from './relayRecord';
import { loadRelays, saveRelay } from './relayStore';
import { describeThisBrowser, registerBrowser } from './registerBrowser';

/**
 * Add a relay after the options page obtained its host permission (or read it again): read its tenant
 * discovery, make the browser key if there is none yet, and register the key with each tenant.
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
