import { browser } from 'wxt/browser';
import { extensionUrl } from '../extensionUrl';
import type { BrokeredSignIn } from '../signIn/brokeredSignIn';

const outcomes: Partial<Record<BrokeredSignIn['status'], string>> = {
  redeemed: 'Approved: you are signed in.',
  denied: 'The sign-in was denied on your phone.',
  wrong_number: 'The number entered on the phone did not match.',
  failed: 'The approval could not be verified.',
  reported: 'The sign-in was reported as not you.',
  expired: 'The sign-in request timed out.',
  cool_down: 'Too many requests were denied. Wait a few minutes.',
  not_created: 'The sign-in request could not be sent.',
  blocked: 'The sign-in was on a site that is not your organization’s. Nothing was approved.',
};

/** Tell the outcome with a notification when the sign-in's tab is not in front. */
export async function notifyOutcome(record: BrokeredSignIn): Promise<void> {
  const text = outcomes[record.status];
  if (!text) return;
  try {
    const tab = await browser.tabs.get(record.tabId);
    const window = tab.windowId !== undefined ? await browser.windows.get(tab.windowId) : undefined;
    if (tab.active && window?.focused) return;
  } catch {
    // The tab is gone: still say how it ended.
  }
  await browser.notifications
    .create(`nod-${record.tabId}-${Date.now()}`, {
      type: 'basic',
      iconUrl: extensionUrl('/icon/128.png'),
      title: `Nod · ${record.tenantDisplayName}`,
      message: `${text}\n${record.username} on ${new URL(record.site).host}`,
    })
    .catch(() => undefined);
}
