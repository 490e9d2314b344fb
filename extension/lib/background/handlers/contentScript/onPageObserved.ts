import { message } from '../../../../../shared/schemas/extensionMessages';
import { assessPage } from '../../../page/assessPage';
import { refreshRelays } from '../../../relays/refreshRelays';
import { loadRelays } from '../../../relays/relayStore';
import type { Handler } from '../../../messaging/handlerMap';
import { showBadge } from '../../badge';
import type { FromPage } from '../senders';

/** Discovery older than this is read again before a page is called a look-alike. */
export const staleAfterMs = 5 * 60_000;

/**
 * The content script reported its page: judge it from the page's real origin (what the page says is
 * only a claim), tell the content script, show the page UI when there is something to show, and end a
 * sign-in whose tab left the page it was for.
 */
export const onPageObserved: Handler<'page:observed', FromPage> = async (seen, { page, services }) => {
  const { pages, broker } = services;
  let verdict = assessPage(page.origin, seen, await loadRelays());
  if (verdict.kind === 'lookalike' || (verdict.kind === 'none' && seen.marker)) {
    // Before warning, make sure the sign-in origins are current (an admin may have added this one).
    await refreshRelays(staleAfterMs);
    verdict = assessPage(page.origin, seen, await loadRelays());
  }
  page.verdict = verdict;
  page.interaction = seen.marker?.interaction;
  pages.post(page.tabId, message('page:verdict', verdict));
  if (verdict.kind === 'lookalike' || verdict.kind === 'offer') pages.showUi(page);
  const current = await broker.view(page.tabId);
  if (current && (verdict.kind !== 'genuine' || current.site !== page.origin)) {
    // The tab left the page the sign-in was for.
    await broker.cancel(page.tabId);
  } else if (current) {
    await broker.pageConnected(page.tabId);
  } else {
    await showBadge(page.tabId, null, verdict);
  }
};
