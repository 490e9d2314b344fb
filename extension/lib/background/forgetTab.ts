import type { BackgroundServices } from './backgroundServices';

/** A tab closed: its page and panel are gone, and its sign-in is cancelled at the relay. */
export function forgetTab(tabId: number, services: BackgroundServices): void {
  services.pages.forget(tabId);
  services.panels.forget(tabId);
  void services.broker.cancel(tabId);
}
