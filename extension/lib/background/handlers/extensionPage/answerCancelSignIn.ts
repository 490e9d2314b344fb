import type { Handler } from '../../../messaging/handlerMap';
import type { FromExtensionPage } from '../senders';

export const answerCancelSignIn: Handler<'ui:cancelSignIn', FromExtensionPage> = async ({ tabId }, { services }) => {
  await services.broker.cancelByPerson(tabId);
  return { ok: true };
};
