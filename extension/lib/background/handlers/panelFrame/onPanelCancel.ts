import type { Handler } from '../../../messaging/handlerMap';
import type { FromPanelFrame } from '../senders';

/** Cancel the tab's sign-in from the panel. */
export const onPanelCancel: Handler<'panel:cancel', FromPanelFrame> = async (_payload, { tabId, key, services }) => {
  const page = services.pages.get(tabId);
  const current = await services.broker.view(tabId);
  if (page?.panelKey !== key || current?.site !== page.origin) return;
  await services.broker.cancelByPerson(tabId);
};
