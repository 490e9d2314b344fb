import type { SignInView } from '../../../shared/schemas/extensionMessages';
import { canRetry, countdown, headingFor, siteLabel } from './format';
import { useNow } from './useNow';

export interface SignInCardProps {
  view: SignInView;
  onRetry?: () => void;
  onCancel?: () => void;
}

/** A brokered sign-in: the verified site, the number to type on the phone, the countdown and the outcome. */
export function SignInCard({ view, onRetry, onCancel }: SignInCardProps) {
  const now = useNow();
  const waiting = view.status === 'pending' && view.number !== undefined;
  const retryWait = view.status === 'cool_down' && view.retryAt ? countdown(view.retryAt, now) : undefined;
  return (
    <section class={`card status-${view.status}`} aria-live="polite" data-status={view.status}>
      <p class="verified">
        <span class="shield" aria-hidden="true">
          ✔
        </span>{' '}
        Verified by Nod: <strong data-testid="verified-site">{siteLabel(view.site)}</strong> · {view.tenantDisplayName}
      </p>
      <h2>{headingFor(view.status)}</h2>
      <p class="account">{view.username}</p>
      {waiting && (
        <>
          <p>Open your Authenticator app and enter the number shown to sign in.</p>
          <p class="number" data-testid="number">
            {view.number}
          </p>
          <p class="countdown" data-testid="countdown">
            Expires in {countdown(view.expiresAt, now)}
          </p>
        </>
      )}
      {!waiting && view.message && <p class="message">{view.message}</p>}
      {retryWait && <p class="countdown">You can try again in {retryWait}.</p>}
      <div class="actions">
        {canRetry(view.status) && onRetry && (
          <button type="button" class="primary" onClick={onRetry}>
            Send a new request
          </button>
        )}
        {(view.status === 'pending' || view.status === 'creating') && onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </section>
  );
}
