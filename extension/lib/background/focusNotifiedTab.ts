import { browser } from 'wxt/browser';

/** A notification names its tab (`nod-<tabId>-<time>`, notifyOutcome): clicking it brings that tab to the front. */
export function focusNotifiedTab(notificationId: string): void {
  const tabId = Number(/^nod-(\d+)-\d+$/.exec(notificationId)?.[1]);
  if (!Number.isSafeInteger(tabId)) return;
  void browser.tabs
    .update(tabId, { active: true })
    .then((tab) => (tab?.windowId === undefined ? undefined : browser.windows.update(tab.windowId, { focused: true })))
    .catch(() => undefined);
  void browser.notifications.clear(notificationId);
}
