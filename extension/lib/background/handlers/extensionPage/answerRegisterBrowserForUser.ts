import type { Handler } from '../../../messaging/handlerMap';
import { registerBrowserForUser } from '../../../relays/registerBrowserForUser';
import type { FromExtensionPage } from '../senders';

export const answerRegisterBrowserForUser: Handler<'ui:registerBrowserForUser', FromExtensionPage> = async (input) => {
  await registerBrowserForUser(input);
  return { ok: true };
};
