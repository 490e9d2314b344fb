import type { Handler } from '../../../messaging/handlerMap';
import { registerBrowserForUser } from '../../../relays/registerBrowserForUser';
import type { ExtensionPageContext } from '../contexts';

export const answerRegisterBrowserForUser: Handler<'ui:registerBrowserForUser', ExtensionPageContext> = async (input) => {
  await registerBrowserForUser(input);
  return { ok: true };
};
