import { message } from '../../../shared/schemas/extensionMessages';
import { recordSignIn } from '../history/history';
import { signWithBrowserKey } from '../relays/signWithBrowserKey';
import { SignInBroker } from '../signIn/SignInBroker';
import { sessionSignInStore } from '../signIn/sessionSignInStore';
import { collectorKey } from './collectorKey';
import { ConnectedPages } from './connectedPages';
import { notifyOutcome } from './notifyOutcome';
import { PanelFrames } from './panelFrames';
import { showSignIn } from './showSignIn';

/** What the background's handlers work with: the tabs' pages, the panel frames, and the sign-ins. */
export interface BackgroundServices {
  pages: ConnectedPages;
  panels: PanelFrames;
  broker: SignInBroker;
}

export function createBackgroundServices(): BackgroundServices {
  const pages = new ConnectedPages();
  const panels = new PanelFrames();
  const broker = new SignInBroker({
    store: sessionSignInStore(),
    fetch: (input, init) => fetch(input, init),
    now: Date.now,
    sign: signWithBrowserKey,
    collectorKey,
    onView: (tabId, view) => showSignIn(tabId, view, { pages, panels }),
    // The grant goes only to the genuine page the sign-in is for, over its own port.
    deliverGrant: (tabId, grant, requestId, site) =>
      pages.genuineAt(tabId, site) !== undefined && pages.post(tabId, message('signIn:grant', { grant, requestId })),
    onFinished: (record) => {
      void notifyOutcome(record);
      void recordSignIn(record);
    },
  });
  return { pages, panels, broker };
}
