import type { HandlerMap } from '../../messaging/handlerMap';
import { onPageObserved } from './contentScript/onPageObserved';
import { onPanelFrame } from './contentScript/onPanelFrame';
import { onSignInCancel } from './contentScript/onSignInCancel';
import { onSignInStart } from './contentScript/onSignInStart';
import type { FromPage } from './senders';

/** What the background does with each message of a content script (untrusted: the page may have influenced it). */
export const contentScriptHandlers: HandlerMap<'contentScript', FromPage> = {
  'page:observed': onPageObserved,
  'signIn:start': onSignInStart,
  'signIn:cancel': onSignInCancel,
  'page:panelFrame': onPanelFrame,
  // Receiving it is the point: the browser keeps the background running while messages arrive.
  keepAlive: async () => undefined,
};
