import { browser } from 'wxt/browser';
import { type BrokeredSignIn, type SignInStore, brokeredSignIn } from './brokeredSignIn';

const prefix = 'signIn:';

/** Brokered sign-ins in `storage.session`, one key per tab. */
export function sessionSignInStore(): SignInStore {
  const area = browser.storage.session;
  return {
    async get(tabId) {
      const key = `${prefix}${tabId}`;
      const parsed = brokeredSignIn.safeParse((await area.get(key))[key]);
      return parsed.success ? parsed.data : undefined;
    },
    async put(record: BrokeredSignIn) {
      await area.set({ [`${prefix}${record.tabId}`]: record });
    },
    async remove(tabId) {
      await area.remove(`${prefix}${tabId}`);
    },
    async list() {
      const all = await area.get(null);
      return Object.entries(all)
        .filter(([key]) => key.startsWith(prefix))
        .flatMap(([, value]) => {
          const parsed = brokeredSignIn.safeParse(value);
          return parsed.success ? [parsed.data] : [];
        });
    },
  };
}
