import { render } from 'preact';
import { PageUi } from '../ui/PageUi';
import { pageUiStyles } from '../ui/styles';
import type { PageUiBridge, PageUiState } from './pageBridge';

/**
 * The extension's UI on a page, drawn for the content script through its bridge: the sign-in panel on a
 * genuine page, the look-alike warning, the Sign in with Nod offer. In a closed shadow root, so the page
 * cannot reach into it (element.shadowRoot is null); Preact renders every value as text.
 *
 * The panel's content — the verified site, the number, the countdown, the outcome and its buttons — is
 * a frame of the extension's own page (`panelPageUrl`, web-accessible), which gets the sign-in from the
 * background: the page's DOM never holds the number, so no page script finds it (`window.find`,
 * `innerText`, a shadow root it can reach). The frame's URL carries a random key, announced to the
 * background through the content script, so the background talks to this frame only.
 */
export function mountPageUi(bridge: PageUiBridge, panelPageUrl: string): void {
  const dismissed = { banner: false, offer: false, panel: false };
  let current: PageUiState = { view: null };
  const panelKey = crypto.randomUUID();
  const panelFrameUrl = `${panelPageUrl}#${panelKey}`;

  const host = document.createElement('nod-extension-ui');
  const shadow = host.attachShadow({ mode: 'closed' });
  const style = document.createElement('style');
  style.textContent = pageUiStyles;
  const root = document.createElement('div');
  shadow.append(style, root);

  const draw = () => {
    const { verdict, view, panelHeight } = current;
    if (verdict && verdict.kind !== 'none' && !host.isConnected) document.documentElement.append(host);
    render(
      <PageUi
        verdict={verdict}
        view={view}
        panelFrameUrl={panelFrameUrl}
        panelHeight={panelHeight}
        dismissed={dismissed}
        onDismiss={(what) => {
          // × on a waiting sign-in cancels it: the page and the popup then offer Send another request.
          const status = current.view?.status;
          if (what === 'panel' && (status === 'pending' || status === 'creating')) bridge.cancel();
          dismissed[what] = true;
          draw();
        }}
        onOffer={(loginUrl) => location.assign(loginUrl)}
      />,
      root,
    );
  };

  bridge.attach({
    draw(state, newView) {
      current = state;
      // A new request shows the panel again, even after the person hid it.
      if (newView && (state.view?.status === 'creating' || state.view?.status === 'pending')) dismissed.panel = false;
      draw();
    },
    remove() {
      render(null, root);
      host.remove();
    },
  });
  bridge.panelFramed(panelKey);
}
