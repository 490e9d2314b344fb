import { addRelay } from './addRelay';
import { loadRelays } from './relayStore';

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
