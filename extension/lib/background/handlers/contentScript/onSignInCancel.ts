import type { Handler } from '../../../messaging/handlerMap';
import type { FromPage } from '../senders';

/** The page left phone sign-in: cancel its sign-in, if the sign-in is this page's. */
export const onSignInCancel: Handler<'signIn:cancel', FromPage> = async (_payload, { page, services }) => {
  const current = await services.broker.view(page.tabId);
  if (current?.site === page.origin) await services.broker.cancel(page.tabId);
};
