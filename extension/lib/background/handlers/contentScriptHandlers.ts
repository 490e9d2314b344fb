import type { HandlerMap } from '../../messaging/handlerMap';
import { onPageObserved } from './contentScript/onPageObserved';
import { onSignInCancel } from './contentScript/onSignInCancel';
import { onSignInRetry } from './contentScript/onSignInRetry';
import { onSignInStart } from './contentScript/onSignInStart';
import type { PageContext } from './contexts';

/** What the background does with each message of a content script (untrusted: the page may have influenced it). */
export const contentScriptHandlers: HandlerMap<'contentScript', PageContext> = {
  'page:observed': onPageObserved,
  'signIn:start': onSignInStart,
  'signIn:cancel': onSignInCancel,
  'signIn:retry': onSignInRetry,
  // Receiving it is the point: the browser keeps the background running while messages arrive.
  keepAlive: async () => undefined,
};
