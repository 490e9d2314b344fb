import type { Handler } from '../../../messaging/handlerMap';
import type { ExtensionPageContext } from '../contexts';

export const answerCancelSignIn: Handler<'ui:cancelSignIn', ExtensionPageContext> = async ({ tabId }, { services }) => {
  await services.broker.cancel(tabId);
  return { ok: true };
};
