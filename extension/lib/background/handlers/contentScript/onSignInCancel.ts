import type { Handler } from '../../../messaging/handlerMap';
import type { FromPage } from '../senders';

/**
 * The page left phone sign-in (its sign-in is forgotten), or the person closed the panel with ×
 * (`byPerson`: it stays shown as cancelled, with Send another request). Only the page's own sign-in.
 */
export const onSignInCancel: Handler<'signIn:cancel', FromPage> = async (payload, { page, services }) => {
  const current = await services.broker.view(page.tabId);
  if (current?.site !== page.origin) return;
  if (payload.byPerson) await services.broker.cancelByPerson(page.tabId);
  else await services.broker.cancel(page.tabId);
};
