import { render } from 'preact';
import { browser } from 'wxt/browser';
import {
  type Envelope,
  type MessageFrom,
  type PageVerdict,
  type Payload,
  type SignInView,
  message,
  pagePortName,
  parseMessage,
} from '../../../shared/extensionMessages';
import { type ExtensionToPageMessage, pageToExtensionMessage, signInPageMarkerVersion } from '../../../shared/schemas/signInPageMarker';
import { PageUi } from '../ui/PageUi';
import { pageUiStyles } from '../ui/styles';
import { observePage } from './observePage';

type Port = ReturnType<typeof browser.runtime.connect>;

export interface ScriptContext {
  /** False once the extension was updated or removed: the script then stops reconnecting. */
  readonly isValid: boolean;
}

/**
 * The content script: reports the page to the background, relays the genuine page's hand-off, and shows
 * the extension's own UI in a closed shadow root. It never decides whether a page is genuine and never
 * sees the collector secret; the page never sees the number.
 */
export function runContentScript(ctx: ScriptContext): () => void {
  // Registered for the page and also injected by the popup (activeTab): run once per page.
  const marker = window as unknown as { __nodContentScript?: boolean };
  if (marker.__nodContentScript) return () => undefined;
  marker.__nodContentScript = true;
  let port: Port | undefined;
  let verdict: PageVerdict | undefined;
  let view: SignInView | null = null;
  let reconnects = 0;
  const dismissed = { banner: false, offer: false, panel: false };

  const host = document.createElement('nod-extension-ui');
  // Closed: the page cannot reach into it (element.shadowRoot is null), so it cannot read the number.
  const shadow = host.attachShadow({ mode: 'closed' });
  const style = document.createElement('style');
  style.textContent = pageUiStyles;
  const root = document.createElement('div');
  shadow.append(style, root);

  const send = <K extends MessageFrom<'contentScript'>>(type: K, payload: Payload<K>) => {
    try {
      port?.postMessage(message(type, payload));
    } catch {
      // The port closed; the reconnect will report the page again.
    }
  };

  const toPage = (data: ExtensionToPageMessage) => window.postMessage(data, location.origin);

  const draw = () => {
    const visible = verdict && verdict.kind !== 'none';
    if (visible && !host.isConnected) document.documentElement.append(host);
    render(
      <PageUi
        verdict={verdict}
        view={view}
        dismissed={dismissed}
        onDismiss={(what) => {
          dismissed[what] = true;
          draw();
        }}
        onRetry={() => {
          dismissed.panel = false;
          send('signIn:retry', {});
        }}
        onCancel={() => send('signIn:cancel', {})}
        onOffer={(loginUrl) => location.assign(loginUrl)}
      />,
      root,
    );
  };

  const onBackground = (raw: unknown) => {
    const received = parseMessage('background', raw);
    if (received) handleBackground(received);
  };

  const handleBackground = (received: Envelope<MessageFrom<'background'>>) => {
    switch (received.type) {
      case 'page:verdict':
        verdict = received.payload;
        if (verdict.kind === 'genuine') toPage({ type: 'nod:extension-ready', v: signInPageMarkerVersion });
        draw();
        return;
      case 'signIn:view': {
        view = received.payload.view;
        if (view && (view.status === 'creating' || view.status === 'pending')) dismissed.panel = false;
        if (verdict?.kind === 'genuine' && view) {
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
        draw();
        return;
      }
      case 'signIn:grant':
        if (verdict?.kind === 'genuine') toPage({ type: 'nod:grant', grant: received.payload.grant, requestId: received.payload.requestId });
        return;
      case 'page:fillUsername':
        if (verdict?.kind === 'genuine') fillUsername(received.payload.username);
        return;
    }
  };

  const connect = () => {
    if (!ctx.isValid) return;
    try {
      port = browser.runtime.connect({ name: pagePortName });
    } catch {
      teardown(); // the extension was updated or removed
      return;
    }
    port.onMessage.addListener(onBackground);
    port.onDisconnect.addListener(() => {
      port = undefined;
      // The background stopped (Chrome may stop it at any time): reconnecting wakes it, and it resumes.
      if (ctx.isValid && reconnects++ < 1000) setTimeout(connect, reconnects < 5 ? 50 : 1000);
    });
    send('page:observed', observePage(document));
  };

  // The page's hand-off: only from this very window and origin, only in the schema, only on a genuine page.
  const onPageMessage = (event: MessageEvent) => {
    if (event.source !== window || event.origin !== location.origin) return;
    const parsed = pageToExtensionMessage.safeParse(event.data);
    if (!parsed.success || verdict?.kind !== 'genuine') return;
    switch (parsed.data.type) {
      case 'nod:extension-probe':
        toPage({ type: 'nod:extension-ready', v: signInPageMarkerVersion });
        return;
      case 'nod:phone-sign-in-requested':
        // Report the page as it is now (its marker names the client), then start.
        send('page:observed', observePage(document));
        send('signIn:start', { username: parsed.data.username });
        return;
      case 'nod:phone-sign-in-cancelled':
        send('signIn:cancel', {});
        return;
    }
  };
  window.addEventListener('message', onPageMessage);

  // The hosted page is a single-page app: report again when its marker or title changes.
  let pending: ReturnType<typeof setTimeout> | undefined;
  const observer = new MutationObserver(() => {
    clearTimeout(pending);
    pending = setTimeout(() => send('page:observed', observePage(document)), 150);
  });
  observer.observe(document.head ?? document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });

  // While a sign-in waits, keep the background awake (it would be stopped after 30 s without events).
  const keepAlive = setInterval(() => {
    if (view && (view.status === 'creating' || view.status === 'pending' || view.status === 'approved')) send('keepAlive', {});
  }, 20_000);

  const teardown = () => {
    window.removeEventListener('message', onPageMessage);
    observer.disconnect();
    clearInterval(keepAlive);
    render(null, root);
    host.remove();
  };

  connect();
  return teardown;
}

/** Put the account the person picked in the popup into the page's username field, as typing would. */
function fillUsername(username: string): void {
  const input = document.querySelector<HTMLInputElement>(
    'input[autocomplete~="username"], input[name="username"], input[type="email"]',
  );
  if (!input) return;
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
  setter?.call(input, username);
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.dispatchEvent(new Event('change', { bubbles: true }));
  input.focus();
}
