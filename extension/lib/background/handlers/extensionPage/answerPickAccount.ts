import { message } from '../../../../../shared/schemas/extensionMessages';
import type { Handler } from '../../../messaging/handlerMap';
import type { FromExtensionPage } from '../senders';

/** The popup picked an account: its content script fills the username (on a genuine page only). */
export const answerPickAccount: Handler<'ui:pickAccount', FromExtensionPage> = async ({ tabId, username }, { services }) =>
  services.pages.post(tabId, message('page:fillUsername', { username }))
    ? { ok: true }
    : { ok: false, error: 'Open a Nod sign-in page first.' };
