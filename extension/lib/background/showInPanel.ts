import { type SignInView, message } from '../../../shared/schemas/extensionMessages';
import type { ConnectedPages } from './connectedPages';
import type { PanelFrames } from './panelFrames';

/**
 * Show a tab's sign-in, with its number, in the tab's panel frame: only the frame whose key the page UI
 * announced, and only while the tab's page is the genuine page the sign-in is for (anything else: none).
 */
export function showInPanel(tabId: number, view: SignInView | null, where: { pages: ConnectedPages; panels: PanelFrames }): void {
  const page = where.pages.get(tabId);
  const shown = view && where.pages.genuineAt(tabId, view.site) ? view : null;
  where.panels.post(tabId, page?.panelKey, message('panel:view', { view: shown }));
}
