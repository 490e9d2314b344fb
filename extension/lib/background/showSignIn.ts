import { type SignInView, message } from '../../../shared/schemas/extensionMessages';
import { showBadge } from './badge';
import type { ConnectedPages } from './connectedPages';

/** A tab's sign-in changed (null: it is gone): show it on the page it is for (the panel) and in the badge. */
export function showSignIn(tabId: number, view: SignInView | null, where: { pages: ConnectedPages }): void {
  const { pages } = where;
  const page = pages.get(tabId);
  if (view) {
    const told = pages.postToSite(tabId, view.site, message('signIn:view', { view }));
    if (told && page?.verdict?.kind === 'genuine') pages.showUi(page);
  } else {
    pages.post(tabId, message('signIn:view', { view: null }));
  }
  void showBadge(tabId, view, page?.verdict);
}
