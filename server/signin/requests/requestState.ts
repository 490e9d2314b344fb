import type { RequestStatus, SignInRequestState } from '../../../shared/schemas/signInRequests';
import type { SignInRequest } from '../../storage/model';

/** A plain sentence for the person waiting at the desktop, per status. */
const messages: Record<RequestStatus, string> = {
  pending: 'Open your Authenticator app and enter the number shown to sign in.',
  approved: 'Approved. Signing you in…',
  denied: 'The request was denied on the phone.',
  wrong_number: 'The number entered on the phone did not match. Try again.',
  failed: 'The approval could not be verified. Try again.',
  reported: 'The request was reported as not you. Phone sign-in is blocked until your admin clears it.',
  expired: 'The request timed out. Send a new request to try again.',
  superseded: 'A newer sign-in request replaced this one.',
  cancelled: 'The request was cancelled.',
  cool_down: 'Too many requests were denied or are waiting. Wait a few minutes, or use another way to sign in.',
  redeemed: 'Signed in.',
};

export function requestState(request: Pick<SignInRequest, 'id' | 'status' | 'expiresAt'>): SignInRequestState {
  return {
    requestId: request.id,
    status: request.status,
    expiresAt: new Date(request.expiresAt).toISOString(),
    message: messages[request.status],
  };
}
