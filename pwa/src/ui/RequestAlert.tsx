import { useEffect, useState } from 'preact/hooks';
import type { SignInRequestDetails } from '../../../shared/schemas/signInRequests';
import { onArrival } from '../requests/requestStore';
import type { Route } from './router';
import { routes } from './router';
import { usePendingRequests } from './stores';

/** A short buzz where the browser allows it (Android Chrome after a tap; never on iOS). */
function buzz(): void {
  try {
    navigator.vibrate?.([200, 100, 200]);
  } catch {
    // Not allowed here: the banner is enough.
  }
}

/**
 * The in-app alert: a request that arrives while the app shows any screen (its live channel or
 * a push to the open app) shows a banner on top, with the number field one tap away, and buzzes.
 * It goes when the request is answered, closed or expired, or when its screen or the list (which
 * shows it at the top) is open; the buzz comes on every screen.
 */
export function RequestAlert({ route }: { route: Route }) {
  const pending = usePendingRequests();
  const [latest, setLatest] = useState<SignInRequestDetails>();
  useEffect(
    () =>
      onArrival((details) => {
        setLatest(details);
        buzz();
      }),
    [],
  );
  if (!latest || !pending.some((r) => r.requestId === latest.requestId)) return null;
  const [first, , third] = route.path;
  // The list shows every waiting request at its top already; the request's own screen needs no alert.
  if (first === undefined || (first === 'approve' && third === latest.requestId)) return null;
  const more = pending.length - 1;
  return (
    <section class="notice request-alert" role="alert" aria-label="Sign-in request">
      <p>
        <strong>Approve sign-in request</strong> — {latest.tenantDisplayName}: {latest.username}
        {latest.context.applicationName ? ` · ${latest.context.applicationName}` : ''}
        {more > 0 ? ` (and ${more} more)` : ''}
      </p>
      <a class="button primary" href={routes.approve(latest.registrationId, latest.requestId)}>
        Enter the number
      </a>
    </section>
  );
}
