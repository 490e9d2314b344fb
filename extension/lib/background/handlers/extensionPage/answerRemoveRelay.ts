import { syncContentScripts } from '../../../contentScripts/syncContentScripts';
import type { Handler } from '../../../messaging/handlerMap';
import { removeRelay } from '../../../relays/removeRelay';
import type { ExtensionPageContext } from '../contexts';

export const answerRemoveRelay: Handler<'ui:removeRelay', ExtensionPageContext> = async ({ origin }) => {
  await removeRelay(origin);
  await syncContentScripts();
  return { ok: true };
};
