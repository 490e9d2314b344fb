import { browser } from 'wxt/browser';
import { originPattern } from './normaliseRelayUrl';
import { relaysFromPolicy } from './relaysFromPolicy';
import { addRelay } from './addRelay';
import { loadRelays } from './relayStore';

/** The relays the organization pre-set (none where the browser has no managed storage or no policy). */
export async function readManagedRelays(): Promise<string[]> {
  try {
    return relaysFromPolicy(await browser.storage.managed.get(null));
  } catch {
    return [];
  }
}

const withPort = import.meta.env.BROWSER !== 'firefox';

/**
 * At start: add each pre-set relay this browser may already reach (its host permission granted, as
 * an organization's policy can grant it). The others wait for the person's one click in the popup
 * or the options page, which asks for the permission.
 */
export async function addManagedRelays(): Promise<void> {
  const known = new Set((await loadRelays()).map((r) => r.origin));
  for (const origin of await readManagedRelays()) {
    if (known.has(origin)) continue;
    if (!(await browser.permissions.contains({ origins: [originPattern(origin, withPort)] }))) continue;
    await addRelay(origin).catch((error) => console.warn('Nod: a pre-set relay could not be added', origin, error));
  }
}
