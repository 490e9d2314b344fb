import type { PageSignInView, PageVerdict } from '../../../shared/schemas/extensionMessages';
import { siteLabel } from './format';

export interface PageUiProps {
  verdict?: PageVerdict;
  view: PageSignInView | null;
  /** The panel's frame: the extension's panel page, with the frame's key. */
  panelFrameUrl: string;
  /** The height of what the frame shows, once it said. */
  panelHeight?: number;
  dismissed: { banner: boolean; offer: boolean; panel: boolean };
  onDismiss: (what: 'banner' | 'offer' | 'panel') => void;
  onOffer: (loginUrl: string) => void;
}

/** Room for a waiting sign-in until the panel's frame reports its height. */
const panelFrameStartHeight = 250;

/**
 * What the extension shows on a page, inside its closed shadow root: the sign-in panel (its header here,
 * its content in a frame on the extension's origin), a look-alike warning or the offer.
 */
export function PageUi({ verdict, view, panelFrameUrl, panelHeight, dismissed, onDismiss, onOffer }: PageUiProps) {
  return (
    <div class="nod">
      {verdict?.kind === 'lookalike' && !dismissed.banner && <LookalikeBanner verdict={verdict} onDismiss={() => onDismiss('banner')} />}
      {verdict?.kind === 'genuine' && view && !dismissed.panel && (
        <aside class="panel nod" aria-label="Nod sign-in" data-testid="nod-panel">
          <header>
            <span>Nod</span>
            <button
              type="button"
              aria-label={view.status === 'pending' || view.status === 'creating' ? 'Cancel sign-in' : 'Close'}
              onClick={() => onDismiss('panel')}
            >
              ×
            </button>
          </header>
          <iframe
            class="panel-frame"
            src={panelFrameUrl}
            title="Nod sign-in"
            style={{ height: `${panelHeight ?? panelFrameStartHeight}px` }}
            data-testid="nod-panel-frame"
          />
        </aside>
      )}
      {verdict?.kind === 'offer' && !dismissed.offer && (
        <aside class="offer nod" aria-label="Sign in with Nod" data-testid="nod-offer">
          <p>
            This site signs you in with <strong>{verdict.tenantDisplayName}</strong> through Nod.
          </p>
          <div class="actions">
            <button type="button" class="primary" onClick={() => onOffer(verdict.loginUrl)}>
              Sign in with Nod
            </button>
            <button type="button" onClick={() => onDismiss('offer')}>
              Not now
            </button>
          </div>
        </aside>
      )}
    </div>
  );
}

function LookalikeBanner({ verdict, onDismiss }: { verdict: Extract<PageVerdict, { kind: 'lookalike' }>; onDismiss: () => void }) {
  const who = verdict.imitates ? `${verdict.imitates} sign-in page` : 'Nod sign-in page';
  return (
    <div class="banner nod" role="alert" data-testid="nod-lookalike-warning">
      <h2>Warning: this is not a genuine {who}</h2>
      <p>
        This page is at <strong>{siteLabel(verdict.site)}</strong>, which is not a registered sign-in address. Nod will not send a sign-in
        request from it. Do not enter your username, password or codes here, and do not approve a request on your phone that you did not
        start.
      </p>
      {verdict.expected.length > 0 && (
        <>
          <p>The genuine sign-in page is at:</p>
          <ul>
            {verdict.expected.slice(0, 5).map((origin) => (
              <li key={origin}>{siteLabel(origin)}</li>
            ))}
          </ul>
        </>
      )}
      <div class="actions">
        <button type="button" onClick={onDismiss}>
          Hide this warning
        </button>
      </div>
    </div>
  );
}
