import { syncContentScripts } from '../../../contentScripts/syncContentScripts';
import type { Handler } from '../../../messaging/handlerMap';
import { removeRelay } from '../../../relays/removeRelay';
import type { FromExtensionPage } from '../senders';

export const answerRemoveRelay: Handler<'ui:removeRelay', FromExtensionPage> = async ({ origin }) => {
  await removeRelay(origin);
  await syncContentScripts();
  return { ok: true };
};
