import type { HandlerMap } from '../../messaging/handlerMap';
import type { FromExtensionPage } from './senders';
import { answerAddRelay } from './extensionPage/answerAddRelay';
import { answerCancelSignIn } from './extensionPage/answerCancelSignIn';
import { answerGetState } from './extensionPage/answerGetState';
import { answerPermissionsChanged } from './extensionPage/answerPermissionsChanged';
import { answerPickAccount } from './extensionPage/answerPickAccount';
import { answerRefreshRelays } from './extensionPage/answerRefreshRelays';
import { answerRegisterBrowserForUser } from './extensionPage/answerRegisterBrowserForUser';
import { answerRemoveRelay } from './extensionPage/answerRemoveRelay';
import { answerRetrySignIn } from './extensionPage/answerRetrySignIn';

/** How the background answers each message of the popup and the options page. */
export const extensionPageHandlers: HandlerMap<'extensionPage', FromExtensionPage> = {
  'ui:getState': answerGetState,
  'ui:addRelay': answerAddRelay,
  'ui:removeRelay': answerRemoveRelay,
  'ui:refreshRelays': answerRefreshRelays,
  'ui:permissionsChanged': answerPermissionsChanged,
  'ui:pickAccount': answerPickAccount,
  'ui:cancelSignIn': answerCancelSignIn,
  'ui:retrySignIn': answerRetrySignIn,
  'ui:registerBrowserForUser': answerRegisterBrowserForUser,
};
