import { type SignInView, message } from '../../../shared/schemas/extensionMessages';
import { pageViewOf } from '../signIn/brokeredSignIn';
import { showBadge } from './badge';
import type { ConnectedPages } from './connectedPages';
import type { PanelFrames } from './panelFrames';
import { showInPanel } from './showInPanel';

/**
 * A tab's sign-in changed (null: it is gone): show it where the extension shows it. The panel's frame
 * gets it with the number, and only on the genuine page it is for; the content script gets how it
 * stands without the number (for the page's status and to show the panel); the badge shows the number.
 */
export function showSignIn(tabId: number, view: SignInView | null, where: { pages: ConnectedPages; panels: PanelFrames }): void {
  const { pages } = where;
  const page = pages.get(tabId);
  if (view) {
    const told = pages.postToSite(tabId, view.site, message('signIn:view', { view: pageViewOf(view) }));
    if (told && page?.verdict?.kind === 'genuine') pages.showUi(page);
  } else {
    pages.post(tabId, message('signIn:view', { view: null }));
  }
  showInPanel(tabId, view, where);
  void showBadge(tabId, view, page?.verdict);
}
