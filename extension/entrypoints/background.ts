import '../lib/noEval';
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { acceptPort } from '../lib/background/acceptPort';
import { answerExtensionPage } from '../lib/background/answerExtensionPage';
import { askTabToReport } from '../lib/background/askTabToReport';
import { createBackgroundServices } from '../lib/background/backgroundServices';
import { focusNotifiedTab } from '../lib/background/focusNotifiedTab';
import { forgetTab } from '../lib/background/forgetTab';
import { staleAfterMs } from '../lib/background/handlers/contentScript/onPageObserved';
import { syncContentScripts } from '../lib/contentScripts/syncContentScripts';
import { addManagedRelays } from '../lib/relays/managedRelays';
import { refreshRelays } from '../lib/relays/refreshRelays';

/**
 * The background: browser events wired to the services. Every port and message passes its channel's
 * sender check and its schema (shared/schemas/extensionMessages.ts) before a handler sees it.
 */
export default defineBackground({
  type: 'module',
  main() {
    const services = createBackgroundServices();
    browser.runtime.onConnect.addListener((port) => acceptPort(port, services));
    browser.runtime.onMessage.addListener((raw: unknown, sender) => answerExtensionPage(raw, sender, services));
    browser.tabs.onRemoved.addListener((tabId) => forgetTab(tabId, services));
    browser.tabs.onUpdated.addListener((tabId, changeInfo) => askTabToReport(tabId, changeInfo.status, services));
    browser.notifications.onClicked.addListener(focusNotifiedTab);

    const resync = () => void syncContentScripts().catch((error) => console.warn('Nod: content script registration failed', error));
    browser.permissions.onAdded.addListener(resync);
    browser.permissions.onRemoved.addListener(resync);
    browser.runtime.onInstalled.addListener(resync);
    browser.runtime.onStartup.addListener(() => {
      resync();
      void refreshRelays(staleAfterMs);
    });
    resync();
    // The organization's pre-set relays (storage.managed), where this browser may already reach them.
    void addManagedRelays().then(resync);
    browser.storage.onChanged.addListener((_changes, area) => {
      if (area === 'managed') void addManagedRelays().then(resync);
    });
    // A stopped service worker comes back here: pick up every waiting sign-in, never create a new one.
    void services.broker.resume();
  },
});
