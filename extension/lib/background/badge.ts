import { browser } from 'wxt/browser';
import type { PageVerdict, SignInView } from '../../../shared/schemas/extensionMessages';

/**
 * The toolbar badge of a tab: the number while a sign-in waits, a check when it succeeded, `!` after a
 * failure or on a look-alike page.
 */
export async function showBadge(tabId: number, view: SignInView | null, verdict?: PageVerdict): Promise<void> {
  let text = '';
  let color = '#2563eb';
  if (view?.number !== undefined && (view.status === 'pending' || view.status === 'approved')) {
    text = String(view.number);
  } else if (view?.status === 'redeemed') {
    text = '✓';
    color = '#15803d';
  } else if (view && view.status !== 'creating' && view.status !== 'pending') {
    text = '!';
    color = '#b91c1c';
  } else if (verdict?.kind === 'lookalike') {
    text = '!';
    color = '#b91c1c';
  }
  try {
    await browser.action.setBadgeBackgroundColor({ tabId, color });
    await browser.action.setBadgeText({ tabId, text });
  } catch {
    // The tab closed meanwhile.
  }
}
