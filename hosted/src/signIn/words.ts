import type { RequestStatus, SignInMethod } from '../../../shared/schemas/signInRequests';

/** The seed's words for each way to sign in (Microsoft Authenticator's phone sign-in). */
export const methodLabels: Record<SignInMethod, string> = {
  phone_sign_in: 'Approve a request on my Authenticator app',
  verification_code: 'Use a verification code',
  password: 'Use your password',
  temporary_access_pass: 'Use a Temporary Access Pass',
};

export const methodHints: Record<SignInMethod, string> = {
  phone_sign_in: 'Enter the number shown here in the app, then approve.',
  verification_code: 'The six-digit code in the Authenticator app works without a connection.',
  password: 'Then approve a request on your phone.',
  temporary_access_pass: 'A pass from your admin.',
};

/** What the person waiting at the desktop reads for each state of the request. */
export const statusWords: Partial<Record<RequestStatus | 'creating' | 'not_created' | 'brokered', { title: string; text: string }>> = {
  creating: { title: 'Approve sign-in request', text: 'Sending a request to your Authenticator app…' },
  brokered: {
    title: 'Approve sign-in request',
    text: 'Your Nod browser extension shows the number. Enter it in your Authenticator app, then approve.',
  },
  pending: { title: 'Approve sign-in request', text: 'Open your Authenticator app, and enter the number shown to sign in.' },
  approved: { title: 'Approved', text: 'Signing you in…' },
  redeemed: { title: 'Approved', text: 'Signing you in…' },
  denied: { title: 'Request denied', text: 'The sign-in request was denied on your phone. Send another request to try again.' },
  wrong_number: {
    title: 'The numbers didn’t match',
    text: 'The number entered in the app didn’t match the one shown here. Send another request and enter the number shown.',
  },
  failed: {
    title: 'We couldn’t verify the approval',
    text: 'Your phone’s approval could not be verified. Send another request to try again.',
  },
  // The same for every username, real or mistyped: it never tells whether the account exists.
  expired: {
    title: 'Request timed out',
    text: 'We couldn’t reach a phone for this account — check the username or use another way to sign in.',
  },
  reported: {
    title: 'Request reported',
    text: 'You reported this sign-in as not you. Sign-in requests to your phone are blocked until your admin clears it. Use another way to sign in.',
  },
  cool_down: {
    title: 'Too many requests',
    text: 'Too many sign-in requests were sent without a sign-in. Wait, or use another way to sign in.',
  },
  superseded: { title: 'Request replaced', text: 'A newer sign-in request replaced this one. Send another request to try again.' },
  cancelled: { title: 'Request cancelled', text: 'The sign-in request was cancelled. Send another request to try again.' },
  not_created: { title: 'We couldn’t send a request', text: 'Send another request, or use another way to sign in.' },
  blocked: {
    title: 'Sign-in stopped',
    text: 'This sign-in was on a site that is not your organization’s sign-in site, so nothing was approved.',
  },
};
