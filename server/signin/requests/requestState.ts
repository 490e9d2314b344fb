import type { RequestStatus, SignInRequestState } from '../../../shared/schemas/signInRequests';
import type { RelayContext } from '../../context';
import type { SignInRequest } from '../../storage/model';

/** A plain sentence for the person waiting at the desktop, per status. */
const messages: Record<RequestStatus, string> = {
  pending: 'Open your Authenticator app and enter the number shown to sign in.',
  approved: 'Approved. Signing you in…',
  denied: 'The request was denied on the phone.',
  wrong_number: 'The number entered on the phone did not match. Try again.',
  failed: 'The approval could not be verified. Try again.',
  reported: 'The request was reported as not you. Sign in from a browser you used before, or ask your admin.',
  expired: 'The request timed out. Send another request to try again.',
  superseded: 'A newer sign-in request replaced this one.',
  cancelled: 'The request was cancelled.',
  cool_down: 'Too many requests were denied or are waiting. Wait a few minutes, or use another way to sign in.',
  redeemed: 'Signed in.',
  blocked: "This sign-in was on a site that is not your organization's sign-in site. Nothing was approved.",
};

const deliveredMessage = 'Delivered to your phone. Open the notification and enter the number shown to sign in.';

/**
 * The collector's view of a request. `delivered`: a phone acknowledged it; only a pending
 * request has a delivery stage (and a decoy's stays `sent`, like a phone that is off).
 */
export function requestState(request: Pick<SignInRequest, 'id' | 'status' | 'expiresAt'>, delivered = false): SignInRequestState {
  const pending = request.status === 'pending';
  return {
    requestId: request.id,
    status: request.status,
    expiresAt: new Date(request.expiresAt).toISOString(),
    message: pending && delivered ? deliveredMessage : messages[request.status],
    ...(pending ? { delivery: delivered ? ('delivered' as const) : ('sent' as const) } : {}),
  };
}

/**
 * The collector's view, with the delivery stage read from storage while the request is pending —
 * only for a collector that already knew the user is real (`collectorKnown`). For any other browser
 * the stage stays `sent` and storage is not even asked, so a real user's request and a decoy give
 * the same states, the same event ids and the same work for every read: "delivered" would tell a
 * stranger that the username is real and has a phone.
 */
export async function currentRequestState(ctx: RelayContext, request: SignInRequest): Promise<SignInRequestState> {
  const delivered =
    request.collectorKnown && request.status === 'pending' && (await ctx.storage.signInRequests.deliveries(request.id)).length > 0;
  return requestState(request, delivered);
}
