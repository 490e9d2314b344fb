import { browser } from 'wxt/browser';
import type { ExtensionState } from '../../../../../shared/schemas/extensionMessages';
import { coversEverySite, grantedPatterns } from '../../../contentScripts/syncContentScripts';
import { loadAccounts, loadResults } from '../../../history/history';
import type { Handler } from '../../../messaging/handlerMap';
import { originPattern } from '../../../relays/normaliseRelayUrl';
import { loadRelays } from '../../../relays/relayStore';
import type { FromExtensionPage } from '../senders';

/** Everything the popup and the options page show; with a tab id, also what the background knows of that tab. */
export const answerGetState: Handler<'ui:getState', FromExtensionPage> = async ({ tabId }, { services }) => {
  const [relays, patterns, pending, accounts, results] = await Promise.all([
    loadRelays(),
    grantedPatterns(),
    services.broker.views(),
    loadAccounts(),
    loadResults(),
  ]);
  const permitted = await Promise.all(
    relays.map((relay) =>
      browser.permissions.contains({ origins: [originPattern(relay.origin, import.meta.env.BROWSER !== 'firefox')] }).catch(() => false),
    ),
  );
  const verdict = tabId === undefined ? undefined : services.pages.get(tabId)?.verdict;
  const signIn = tabId === undefined ? undefined : pending.find((view) => view.tabId === tabId);
  const state: ExtensionState = {
    relays: relays.map((relay, index) => ({
      origin: relay.origin,
      tenants: relay.tenants,
      browserRegistered: Object.keys(relay.deviceIds).length > 0,
      permission: permitted[index],
      fetchedAt: relay.fetchedAt,
    })),
    everySite: coversEverySite(patterns),
    pending,
    accounts,
    results,
    ...(tabId === undefined ? {} : { activeTab: { ...(verdict ? { verdict } : {}), ...(signIn ? { signIn } : {}) } }),
  };
  return state;
};
