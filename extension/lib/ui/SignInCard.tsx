import type { SignInView } from '../../../shared/schemas/extensionMessages';
import { deliveryGraceMs } from '../../../shared/schemas/signInRequests';
import { canRetry, countdown, headingFor, siteLabel } from './format';
import { useNow } from './useNow';

/** Still only sent, a few seconds after it was: the phone may not have it, so say what else works. */
function notDelivered(view: SignInView, now: number): boolean {
  return view.delivery !== 'delivered' && view.sentAt !== undefined && now - Date.parse(view.sentAt) >= deliveryGraceMs;
}

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
          <p>Open Nod on your phone and enter the number shown to sign in.</p>
          <p class="number" data-testid="number">
            {view.number}
          </p>
          <p class="countdown" data-testid="countdown">
            Expires in {countdown(view.expiresAt, now)}
          </p>
          <p class="delivery" data-testid="delivery">
            {view.delivery === 'delivered' ? 'Delivered to your phone.' : 'Sent to your phone.'}
          </p>
          {notDelivered(view, now) && (
            <div class="fallback" role="note" aria-label="Not on your phone yet?">
              <p>
                <strong>Not on your phone yet?</strong> Open the Nod app on your phone: it shows waiting requests as soon as it opens.
              </p>
              <p>Or choose Other ways to sign in on the page, for a verification code.</p>
            </div>
          )}
        </>
      )}
      {!waiting && view.message && <p class="message">{view.message}</p>}
      {retryWait && <p class="countdown">You can try again in {retryWait}.</p>}
      <div class="actions">
        {canRetry(view.status) && onRetry && (
          <button type="button" class="primary" onClick={onRetry}>
            Send another request
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
