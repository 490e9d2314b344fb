import type { Handler } from '../../../messaging/handlerMap';
import type { PageContext } from '../contexts';

/** Send a new request for the page's ended sign-in, if the page is still the genuine page it was for. */
export const onSignInRetry: Handler<'signIn:retry', PageContext> = async (_payload, { page, services }) => {
  const current = await services.broker.view(page.tabId);
  if (current?.site === page.origin && page.verdict?.kind === 'genuine') await services.broker.retry(page.tabId);
};
