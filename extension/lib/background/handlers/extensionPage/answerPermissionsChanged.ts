import { syncContentScripts } from '../../../contentScripts/syncContentScripts';
import type { Handler } from '../../../messaging/handlerMap';
import type { FromExtensionPage } from '../senders';

/** The options page changed a permission: register the content script for exactly what is granted now. */
export const answerPermissionsChanged: Handler<'ui:permissionsChanged', FromExtensionPage> = async () => {
  await syncContentScripts();
  return { ok: true };
};
