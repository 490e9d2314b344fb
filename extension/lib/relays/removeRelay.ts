import { browser } from 'wxt/browser';
import { forgetTenants } from '../history/history';
import { originPattern } from './normaliseRelayUrl';
import { deleteRelay, loadRelays } from './relayStore';

/** Forget a relay, its accounts and results, and give back its host permission. */
export async function removeRelay(origin: string): Promise<void> {
  const relay = (await loadRelays()).find((r) => r.origin === origin);
  await deleteRelay(origin);
  if (relay) await forgetTenants(relay.tenants.map((t) => t.name));
  await browser.permissions.remove({ origins: [originPattern(origin, import.meta.env.BROWSER !== 'firefox')] }).catch(() => false);
}
