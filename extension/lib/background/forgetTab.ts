import type { BackgroundServices } from './backgroundServices';

/** A tab closed: its page is gone, and its sign-in is cancelled at the relay. */
export function forgetTab(tabId: number, services: BackgroundServices): void {
  services.pages.forget(tabId);
  void services.broker.cancel(tabId);
}
