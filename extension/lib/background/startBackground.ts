import { browser } from 'wxt/browser';
import { extensionUrl } from '../extensionUrl';
import {
  type Envelope,
  type ExtensionState,
  type MessageFrom,
  type PageVerdict,
  type Reply,
  message,
  pagePortName,
  parseMessage,
} from '../../../shared/schemas/extensionMessages';
import { coversEverySite, grantedPatterns, pageUiFile, syncContentScripts } from '../contentScripts/syncContentScripts';
import { loadAccounts, loadResults, recordSignIn } from '../history/history';
import { verifyContentScriptSender, verifyExtensionPageSender } from '../messaging/verifySender';
import { assessPage } from '../page/assessPage';
import { requestPageReport } from '../page/pageBridge';
import { matchSignInOrigin } from '../origins/matchSignInOrigin';
import { originPattern } from '../relays/normaliseRelayUrl';
import { loadRelays } from '../relays/relayStore';
import { SignInBroker } from '../signIn/SignInBroker';
import { sessionSignInStore } from '../signIn/sessionSignInStore';
import { showBadge } from './badge';
import { collectorKey } from './collectorKey';
import { notifyOutcome } from './notifyOutcome';
import { addRelay } from '../relays/addRelay';
import { refreshRelays } from '../relays/refreshRelays';
import { registerBrowserForUser } from '../relays/registerBrowserForUser';
import { removeRelay } from '../relays/removeRelay';
import { signWithBrowserKey } from '../relays/signWithBrowserKey';

type Port = ReturnType<typeof browser.runtime.connect>;

/** Discovery older than this is read again before a page is called a look-alike. */
const staleAfterMs = 5 * 60_000;

interface ConnectedPage {
  port: Port;
  /** The page's real origin, from the browser when the port opened. */
  origin: string;
  verdict?: PageVerdict;
  clientId?: string;
  /** The page UI script was injected (or is being injected) into this page. */
  ui?: boolean;
}

/**
 * The background: wires browser events to the services. Every message passes the sender check for its
 * channel and its schema in shared/extensionMessages.ts before a handler sees it; anything else is ignored.
 */
export function startBackground(): void {
  const extensionId = browser.runtime.id;
  const extensionBaseUrl = extensionUrl('/');
  const pages = new Map<number, ConnectedPage>();

  const post = (tabId: number, envelope: Envelope): boolean => {
    const page = pages.get(tabId);
    if (!page) return false;
    try {
      page.port.postMessage(envelope);
      return true;
    } catch {
      return false;
    }
  };

  /**
   * The content script on every page is only an observer; its UI (panel, offer, look-alike warning) is
   * injected into the tab's top frame once there is something to show there: a look-alike or an offer
   * verdict, or a sign-in on a genuine page. Only the background decides that, from its own verdict.
   */
  const showPageUi = (tabId: number, page: ConnectedPage) => {
    if (page.ui || pages.get(tabId) !== page) return;
    page.ui = true;
    Promise.resolve()
      .then(() => browser.scripting.executeScript({ target: { tabId, frameIds: [0] }, files: [pageUiFile] }))
      .catch((error: unknown) => {
        page.ui = false; // tried again on the next verdict or view
        console.warn('Nod: could not show the page UI', error);
      });
  };

  /** Post only to the page the sign-in is for: same tab and the same real origin. */
  const postToSite = (tabId: number, site: string, envelope: Envelope): boolean =>
    pages.get(tabId)?.origin === site ? post(tabId, envelope) : false;

  const broker = new SignInBroker({
    store: sessionSignInStore(),
    fetch: (input, init) => fetch(input, init),
    now: Date.now,
    sign: signWithBrowserKey,
    collectorKey,
    onView: (tabId, view) => {
      if (view) {
        const page = pages.get(tabId);
        if (postToSite(tabId, view.site, message('signIn:view', { view })) && page?.verdict?.kind === 'genuine') showPageUi(tabId, page);
      } else post(tabId, message('signIn:view', { view }));
      void showBadge(tabId, view, pages.get(tabId)?.verdict);
    },
    deliverGrant: (tabId, grant, requestId, site) =>
      pages.get(tabId)?.verdict?.kind === 'genuine' && postToSite(tabId, site, message('signIn:grant', { grant, requestId })),
    onFinished: (record) => {
      void notifyOutcome(record);
      void recordSignIn(record);
    },
  });

  // ---- content scripts: one port per top-level page, untrusted -----------------------------------
  browser.runtime.onConnect.addListener((port) => {
    if (port.name !== pagePortName) return port.disconnect();
    const sender = verifyContentScriptSender(port.sender, extensionId);
    if (!sender) return port.disconnect();
    const { tabId, origin } = sender;
    const page: ConnectedPage = { port, origin };
    pages.set(tabId, page);
    port.onDisconnect.addListener(() => {
      if (pages.get(tabId) === page) pages.delete(tabId);
    });
    // One message at a time per page, in order: a start must see the observation sent just before it.
    let queue = Promise.resolve();
    port.onMessage.addListener((raw) => {
      const received = parseMessage('contentScript', raw);
      if (!received) return;
      queue = queue.then(() => handlePageMessage(tabId, page, received)).catch((error) => console.warn('Nod: page message failed', error));
    });
  });

  async function handlePageMessage(tabId: number, page: ConnectedPage, received: Envelope<MessageFrom<'contentScript'>>) {
    switch (received.type) {
      case 'page:observed': {
        let verdict = assessPage(page.origin, received.payload, await loadRelays());
        if (verdict.kind === 'lookalike' || (verdict.kind === 'none' && received.payload.marker)) {
          // Before warning, make sure the sign-in origins are current (an admin may have added this one).
          await refreshRelays(staleAfterMs);
          verdict = assessPage(page.origin, received.payload, await loadRelays());
        }
        page.verdict = verdict;
        page.clientId = received.payload.marker?.clientId;
        post(tabId, message('page:verdict', verdict));
        if (verdict.kind === 'lookalike' || verdict.kind === 'offer') showPageUi(tabId, page);
        const current = await broker.view(tabId);
        if (current && (verdict.kind !== 'genuine' || current.site !== page.origin)) {
          // The tab left the page the sign-in was for.
          await broker.cancel(tabId);
        } else if (current) {
          await broker.pageConnected(tabId);
        } else {
          await showBadge(tabId, null, verdict);
        }
        return;
      }
      case 'signIn:start': {
        // Only a page the background itself judged genuine, from its real origin, may start a sign-in.
        const verdict = page.verdict;
        if (verdict?.kind !== 'genuine' || verdict.site !== page.origin) return;
        const relays = await loadRelays();
        const match = matchSignInOrigin(page.origin, relays);
        if (match.kind !== 'registered') return;
        const found = match.tenants.find(({ tenant }) => tenant.name === verdict.tenant);
        if (!found) return;
        await broker.start({
          tabId,
          site: page.origin,
          relayOrigin: found.relayOrigin,
          tenant: found.tenant.name,
          tenantDisplayName: found.tenant.displayName,
          username: received.payload.username,
          ...(page.clientId ? { clientId: page.clientId } : {}),
        });
        return;
      }
      case 'signIn:cancel': {
        const current = await broker.view(tabId);
        if (current?.site === page.origin) await broker.cancel(tabId);
        return;
      }
      case 'signIn:retry': {
        const current = await broker.view(tabId);
        if (current?.site === page.origin && page.verdict?.kind === 'genuine') await broker.retry(tabId);
        return;
      }
      case 'keepAlive':
        return;
    }
  }

  // ---- extension pages (popup, options): answered ------------------------------------------------
  browser.runtime.onMessage.addListener((raw: unknown, sender) => {
    if (!verifyExtensionPageSender(sender, extensionId, extensionBaseUrl)) return undefined;
    const received = parseMessage('extensionPage', raw);
    if (!received) return undefined;
    return handleUiMessage(received).catch((error: unknown) => ({
      ok: false as const,
      error: error instanceof Error ? error.message : 'Something went wrong.',
    }));
  });

  async function handleUiMessage(received: Envelope<MessageFrom<'extensionPage'>>): Promise<unknown> {
    switch (received.type) {
      case 'ui:getState':
        return state(received.payload.tabId);
      case 'ui:addRelay':
        await addRelay(received.payload.url);
        await syncContentScripts();
        return { ok: true } satisfies Reply<'ui:addRelay'>;
      case 'ui:removeRelay':
        await removeRelay(received.payload.origin);
        await syncContentScripts();
        return { ok: true };
      case 'ui:refreshRelays':
        await refreshRelays();
        return { ok: true };
      case 'ui:permissionsChanged':
        await syncContentScripts();
        return { ok: true };
      case 'ui:pickAccount':
        return post(received.payload.tabId, message('page:fillUsername', { username: received.payload.username }))
          ? { ok: true }
          : { ok: false, error: 'Open a Nod sign-in page first.' };
      case 'ui:cancelSignIn':
        await broker.cancel(received.payload.tabId);
        return { ok: true };
      case 'ui:registerBrowserForUser':
        await registerBrowserForUser(received.payload);
        return { ok: true };
      case 'ui:retrySignIn': {
        const page = pages.get(received.payload.tabId);
        const current = await broker.view(received.payload.tabId);
        if (page?.verdict?.kind !== 'genuine' || current?.site !== page.origin) {
          return { ok: false, error: 'Open the sign-in page again to retry.' };
        }
        await broker.retry(received.payload.tabId);
        return { ok: true };
      }
    }
  }

  async function state(tabId?: number): Promise<ExtensionState> {
    const [relays, patterns, pending, accounts, results] = await Promise.all([
      loadRelays(),
      grantedPatterns(),
      broker.views(),
      loadAccounts(),
      loadResults(),
    ]);
    const permitted = await Promise.all(
      relays.map((relay) =>
        browser.permissions.contains({ origins: [originPattern(relay.origin, import.meta.env.BROWSER !== 'firefox')] }).catch(() => false),
      ),
    );
    const active = tabId === undefined ? undefined : { page: pages.get(tabId), signIn: pending.find((v) => v.tabId === tabId) };
    return {
      relays: relays.map((relay, index) => ({
        origin: relay.origin,
        tenants: relay.tenants,
        browserRegistered: Object.keys(relay.deviceIds).length > 0,
        permission: permitted[index],
        fetchedAt: relay.fetchedAt,
      })),
      everySite: coversEverySite(patterns),
      pending,
      accounts,
      results,
      ...(active
        ? {
            activeTab: {
              ...(active.page?.verdict ? { verdict: active.page.verdict } : {}),
              ...(active.signIn ? { signIn: active.signIn } : {}),
            },
          }
        : {}),
    };
  }

  // ---- browser events ------------------------------------------------------------------------------
  browser.tabs.onRemoved.addListener((tabId) => {
    pages.delete(tabId);
    void broker.cancel(tabId);
  });
  // The content script reports only pages worth judging. A tab with a sign-in that loaded another page
  // must still learn whether it left the page the sign-in is for: ask that page's content script to report
  // (it runs only where Nod may read the page; elsewhere the injection fails, and the sign-in stays as it was).
  browser.tabs.onUpdated.addListener((tabId, changeInfo) => {
    if (changeInfo.status !== 'complete') return;
    void broker
      .view(tabId)
      .then((view) => (view ? browser.scripting.executeScript({ target: { tabId, frameIds: [0] }, func: requestPageReport }) : undefined))
      .catch(() => undefined);
  });
  // A notification names its tab (`nod-<tabId>-<time>`): clicking it brings the sign-in's tab to the front.
  browser.notifications.onClicked.addListener((notificationId) => {
    const tabId = Number(/^nod-(\d+)-\d+$/.exec(notificationId)?.[1]);
    if (!Number.isSafeInteger(tabId)) return;
    void browser.tabs
      .update(tabId, { active: true })
      .then((tab) => (tab?.windowId === undefined ? undefined : browser.windows.update(tab.windowId, { focused: true })))
      .catch(() => undefined);
    void browser.notifications.clear(notificationId);
  });
  const resync = () => void syncContentScripts().catch((error) => console.warn('Nod: content script registration failed', error));
  browser.permissions.onAdded.addListener(resync);
  browser.permissions.onRemoved.addListener(resync);
  browser.runtime.onInstalled.addListener(resync);
  browser.runtime.onStartup.addListener(() => {
    resync();
    void refreshRelays(staleAfterMs);
  });

  resync();
  // A stopped service worker comes back here: pick up every waiting sign-in, never create a new one.
  void broker.resume();
}
