import { message } from '../../../../../shared/schemas/extensionMessages';
import type { Handler } from '../../../messaging/handlerMap';
import type { FromPanelFrame } from '../senders';

/** The panel frame's content changed height: the page UI sizes the frame to it (the page UI cannot look inside). */
export const onPanelResized: Handler<'panel:resized', FromPanelFrame> = async ({ height }, { tabId, key, services }) => {
  if (services.pages.get(tabId)?.panelKey !== key) return;
  services.pages.post(tabId, message('page:panelHeight', { height }));
};
