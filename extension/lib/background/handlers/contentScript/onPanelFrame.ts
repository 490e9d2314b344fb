import type { Handler } from '../../../messaging/handlerMap';
import { showInPanel } from '../../showInPanel';
import type { FromPage } from '../senders';

/**
 * The page UI framed the sign-in panel with a key in the frame's URL: from now on only the frame with
 * that key is shown the tab's sign-in (any page can frame the panel page; only the page UI knows the key).
 */
export const onPanelFrame: Handler<'page:panelFrame', FromPage> = async ({ key }, { page, services }) => {
  page.panelKey = key;
  showInPanel(page.tabId, await services.broker.view(page.tabId), services);
};
