import { browser } from 'wxt/browser';
import { type PendingSignIn, type SignInStore, pendingSignIn } from './pendingSignIn';

const prefix = 'signIn:';

/** Brokered sign-ins in `storage.session`, one key per tab. */
export function sessionSignInStore(): SignInStore {
  const area = browser.storage.session;
  return {
    async get(tabId) {
      const key = `${prefix}${tabId}`;
      const parsed = pendingSignIn.safeParse((await area.get(key))[key]);
      return parsed.success ? parsed.data : undefined;
    },
    async put(record: PendingSignIn) {
      await area.set({ [`${prefix}${record.tabId}`]: record });
    },
    async remove(tabId) {
      await area.remove(`${prefix}${tabId}`);
    },
    async list() {
      const all = await area.get(null);
      return Object.entries(all)
        .filter(([key]) => key.startsWith(prefix))
        .map(([, value]) => pendingSignIn.safeParse(value))
        .filter((parsed) => parsed.success)
        .map((parsed) => parsed.data as PendingSignIn);
    },
  };
}
