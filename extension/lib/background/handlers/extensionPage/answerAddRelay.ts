import { syncContentScripts } from '../../../contentScripts/syncContentScripts';
import type { Handler } from '../../../messaging/handlerMap';
import { addRelay } from '../../../relays/addRelay';
import type { FromExtensionPage } from '../senders';

/** The options page added a relay (its host permission already granted). */
export const answerAddRelay: Handler<'ui:addRelay', FromExtensionPage> = async ({ url }) => {
  await addRelay(url);
  await syncContentScripts();
  return { ok: true };
};
