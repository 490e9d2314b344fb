import type {
  Envelope,
  ExtensionToPageMessage,
  MessageOn,
  PageObservation,
  PageSignInView,
  Payload,
} from '../../../shared/schemas/extensionMessages';
import { observePage, readPage } from './observePage';
import { pagePortName, parseBackgroundMessage, parsePageMessage, signInPageMarkerVersion } from './pageChecks';
import { type PageUiDrawer, type PageUiState, exposePageReport, exposePageUiBridge, reportWanted } from './pageBridge';

/** The part of `runtime` the content script uses (the same in Chrome's `chrome` and Firefox's `browser`). */
export interface PagePort {
  postMessage(message: unknown): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

/** The part of the extension's runtime the content script uses. */
export interface ExtensionRuntime {
  /** False once the extension was updated or removed: the script then stops reconnecting. */
  readonly isValid: boolean;
  connect(name: string): PagePort;
}

/**
 * The content script, on every page the person allowed. It is small and cheap on purpose — no UI
 * framework, no schema library, no messaging on an ordinary page:
 *
 * - It observes the page cheaply (observePage). A page with nothing the background could act on (no
 *   marker, no identity-provider declaration, no sign-in form, not the hosted page's title or words) is
 *   not reported; it is observed again when its `<head>` changes (a single-page app), and reported when
 *   the background asks (its tab has a sign-in: requestPageReport).
 * - Otherwise it opens the port, reports the page, relays the genuine page's hand-off, and keeps what the
 *   extension's UI shows. The background injects the UI script (nod-page-ui.js: the panel, the offer, the
 *   look-alike warning, in a closed shadow root) only when there is something to show, and the UI draws
 *   through the bridge this script exposes in the extension's isolated world.
 *
 * It never decides whether a page is genuine, never sees the collector secret, and never holds the
 * number: the panel's frame (an extension page on the extension's own origin) gets that from the
 * background, out of reach of the page and of this script.
 */
export function runContentScript(ctx: ExtensionRuntime): () => void {
  // Registered for the page and also injected by the popup (activeTab): run once per page.
  const once = globalThis as { __nodContentScript?: boolean };
  if (once.__nodContentScript) return () => undefined;
  once.__nodContentScript = true;
  let port: PagePort | undefined;
  /** The page was reported: the port is (or is being re-)opened and everything below is live. */
  let reporting = false;
  const state: PageUiState = { view: null };
  let ui: PageUiDrawer | undefined;
  /** The key of the panel frame the UI made, announced again whenever the port reopens. */
  let panelKey: string | undefined;
  let reconnects = 0;

  const send = <K extends MessageOn<'contentScript'>>(type: K, payload: Payload<K>) => {
    try {
      port?.postMessage({ type, payload });
    } catch {
      // The port closed; the reconnect will report the page again.
    }
  };

  const toPage = (data: ExtensionToPageMessage) => window.postMessage(data, location.origin);
  const genuine = () => state.verdict?.kind === 'genuine';

  const handleBackground = (received: Envelope<MessageOn<'toContentScript'>>) => {
    switch (received.type) {
      case 'page:verdict':
        state.verdict = received.payload;
        if (genuine()) toPage({ type: 'nod:extension-ready', v: signInPageMarkerVersion });
        ui?.draw(state, false);
        return;
      case 'signIn:view': {
        const view: PageSignInView | null = received.payload.view;
        state.view = view;
        if (genuine() && view) {
          // The page learns how the request stands, never the number.
          toPage({
            type: 'nod:status',
            status: view.status === 'creating' ? 'pending' : view.status,
            ...(view.requestId ? { requestId: view.requestId } : {}),
            ...(view.expiresAt ? { expiresAt: view.expiresAt } : {}),
            ...(view.retryAt ? { retryAt: view.retryAt } : {}),
            ...(view.message ? { message: view.message } : {}),
          });
        }
        ui?.draw(state, true);
        return;
      }
      case 'signIn:grant':
        if (genuine()) toPage({ type: 'nod:grant', grant: received.payload.grant, requestId: received.payload.requestId });
        return;
      case 'page:fillUsername':
        if (genuine()) fillUsername(received.payload.username);
        return;
      case 'page:panelHeight':
        state.panelHeight = received.payload.height;
        ui?.draw(state, false);
        return;
    }
  };

  const connect = (seen?: PageObservation) => {
    if (!ctx.isValid) return;
    try {
      port = ctx.connect(pagePortName);
    } catch {
      teardown(); // the extension was updated or removed
      return;
    }
    port.onMessage.addListener((raw) => {
      const received = parseBackgroundMessage(raw);
      if (received) handleBackground(received);
    });
    port.onDisconnect.addListener(() => {
      port = undefined;
      // The background stopped (Chrome may stop it at any time): reconnecting wakes it, and it resumes.
      if (ctx.isValid && reconnects++ < 1000) setTimeout(connect, reconnects < 5 ? 50 : 1000);
    });
    send('page:observed', seen ?? observePage(document));
    if (panelKey) send('page:panelFrame', { key: panelKey });
  };

  // The page's hand-off: only from this very window and origin, only in the schema, only on a genuine page.
  const onPageMessage = (event: MessageEvent) => {
    if (event.source !== window || event.origin !== location.origin || !genuine()) return;
    const parsed = parsePageMessage(event.data);
    switch (parsed?.type) {
      case 'nod:extension-probe':
        toPage({ type: 'nod:extension-ready', v: signInPageMarkerVersion });
        return;
      case 'nod:phone-sign-in-requested':
        // Report the page as it is now (its marker names the client), then start.
        send('page:observed', observePage(document));
        send('signIn:start', { username: parsed.username });
        return;
      case 'nod:phone-sign-in-cancelled':
        send('signIn:cancel', {});
        return;
    }
  };
  let keepAlive: ReturnType<typeof setInterval> | undefined;

  /** From the first report on: the port, the page's hand-off, the UI bridge, the keep-alive. */
  const startReporting = (seen: PageObservation) => {
    if (reporting) return;
    reporting = true;
    window.addEventListener('message', onPageMessage);
    exposePageUiBridge({
      attach(next) {
        if (ui) return;
        ui = next;
        ui.draw(state, Boolean(state.view));
      },
      panelFramed(key) {
        panelKey = key;
        send('page:panelFrame', { key });
      },
      cancel() {
        send('signIn:cancel', { byPerson: true });
      },
    });
    // While a sign-in waits, keep the background awake (it would be stopped after 30 s without events).
    keepAlive = setInterval(() => {
      const status = state.view?.status;
      if (status === 'creating' || status === 'pending' || status === 'approved') send('keepAlive', {});
    }, 20_000);
    connect(seen);
  };

  /** Observe the page; report it once it is worth reporting (or asked for), and every time after that. */
  const observe = (asked = false) => {
    const read = readPage(document);
    if (reporting) send('page:observed', read.observation());
    else if (asked || read.worthReporting || reportWanted()) startReporting(read.observation());
  };
  exposePageReport(() => observe(true));

  // The hosted page is a single-page app: observe again when its marker or title changes.
  let pending: ReturnType<typeof setTimeout> | undefined;
  const observer = new MutationObserver(() => {
    clearTimeout(pending);
    pending = setTimeout(observe, 150);
  });
  observer.observe(document.head ?? document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });

  const teardown = () => {
    window.removeEventListener('message', onPageMessage);
    observer.disconnect();
    clearInterval(keepAlive);
    ui?.remove();
  };

  observe();
  return teardown;
}

/** Put the account the person picked in the popup into the page's username field, as typing would. */
function fillUsername(username: string): void {
  const input = document.querySelector<HTMLInputElement>('input[autocomplete~="username"], input[name="username"], input[type="email"]');
  if (!input) return;
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
  setter?.call(input, username);
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.dispatchEvent(new Event('change', { bubbles: true }));
  input.focus();
}
