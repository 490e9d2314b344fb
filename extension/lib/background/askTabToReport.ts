import { browser } from 'wxt/browser';
import { requestPageReport } from '../page/pageBridge';
import type { BackgroundServices } from './backgroundServices';

/**
 * A tab finished loading a page. The content script reports only pages worth judging; a tab with a
 * sign-in must still learn whether it left the page the sign-in is for, so ask that page's content
 * script to report (it runs only where Nod may read the page; elsewhere the injection fails, and the
 * sign-in stays as it was).
 */
export function askTabToReport(tabId: number, status: string | undefined, services: BackgroundServices): void {
  if (status !== 'complete') return;
  void services.broker
    .view(tabId)
    .then((view) => (view ? browser.scripting.executeScript({ target: { tabId, frameIds: [0] }, func: requestPageReport }) : undefined))
    .catch(() => undefined);
}
