import { syncContentScripts } from '../../../contentScripts/syncContentScripts';
import type { Handler } from '../../../messaging/handlerMap';
import type { ExtensionPageContext } from '../contexts';

/** The options page changed a permission: register the content script for exactly what is granted now. */
export const answerPermissionsChanged: Handler<'ui:permissionsChanged', ExtensionPageContext> = async () => {
  await syncContentScripts();
  return { ok: true };
};
