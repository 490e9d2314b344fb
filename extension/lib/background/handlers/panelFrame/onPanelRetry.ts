import type { Handler } from '../../../messaging/handlerMap';
import type { FromPanelFrame } from '../senders';

/** Send another request from the panel, while the tab's page is still the genuine page the sign-in was for. */
export const onPanelRetry: Handler<'panel:retry', FromPanelFrame> = async (_payload, { tabId, key, services }) => {
  const page = services.pages.get(tabId);
  const current = await services.broker.view(tabId);
  if (page?.panelKey !== key || !current || !services.pages.genuineAt(tabId, current.site)) return;
  await services.broker.retry(tabId);
};
