import type { Handler } from '../../../messaging/handlerMap';
import type { FromExtensionPage } from '../senders';

/** Send another request from the popup, while the tab's page is still the genuine page the sign-in was for. */
export const answerRetrySignIn: Handler<'ui:retrySignIn', FromExtensionPage> = async ({ tabId }, { services }) => {
  const current = await services.broker.view(tabId);
  if (!current || !services.pages.genuineAt(tabId, current.site)) return { ok: false, error: 'Open the sign-in page again to retry.' };
  await services.broker.retry(tabId);
  return { ok: true };
};
