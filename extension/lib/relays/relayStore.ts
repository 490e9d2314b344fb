import { browser } from 'wxt/browser';
import { z } from 'zod';
import { type RelayRecord, relayRecord } from './relayRecord';

const relaysKey = 'relays';

/** The relays the person added, from storage.local. A stored value that fails its schema is dropped. */
export async function loadRelays(): Promise<RelayRecord[]> {
  const stored = await browser.storage.local.get(relaysKey);
  const parsed = z.array(relayRecord).safeParse(stored[relaysKey] ?? []);
  return parsed.success ? parsed.data : [];
}

export async function saveRelay(relay: RelayRecord): Promise<void> {
  const relays = (await loadRelays()).filter((r) => r.origin !== relay.origin);
  await browser.storage.local.set({ [relaysKey]: [...relays, relay] });
}

export async function deleteRelay(origin: string): Promise<void> {
  const relays = (await loadRelays()).filter((r) => r.origin !== origin);
  await browser.storage.local.set({ [relaysKey]: relays });
}
