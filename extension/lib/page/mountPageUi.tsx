import { render } from 'preact';
import { PageUi } from '../ui/PageUi';
import { pageUiStyles } from '../ui/styles';
import type { PageUiBridge, PageUiState } from './pageBridge';

/**
 * The extension's UI on a page, drawn for the content script through its bridge: the sign-in panel on a
 * genuine page, the look-alike warning, the Sign in with Nod offer. In a closed shadow root, so the page
 * cannot reach into it (element.shadowRoot is null) and cannot read the number; Preact renders every
 * value as text.
 */
export function mountPageUi(bridge: PageUiBridge): void {
  const dismissed = { banner: false, offer: false, panel: false };
  let current: PageUiState = { view: null };

  const host = document.createElement('nod-extension-ui');
  const shadow = host.attachShadow({ mode: 'closed' });
  const style = document.createElement('style');
  style.textContent = pageUiStyles;
  const root = document.createElement('div');
  shadow.append(style, root);

  const draw = () => {
    const { verdict, view } = current;
    if (verdict && verdict.kind !== 'none' && !host.isConnected) document.documentElement.append(host);
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
          bridge.retry();
        }}
        onCancel={() => bridge.cancel()}
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
}
