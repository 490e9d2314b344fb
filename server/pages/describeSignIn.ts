import type { RecentSignIn } from '../../shared/schemas/hostedPages';
import type { AuditEvent } from '../storage/model';
import { describeBrowser } from '../signin/requests/describeBrowser';

const methodWords: Record<string, string> = {
  phone_sign_in: 'phone sign-in',
  push_mfa: 'password and an Authenticator approval',
  password: 'password and an Authenticator approval',
  verification_code: 'a verification code',
  password_and_code: 'password and a verification code',
  temporary_access_pass: 'a Temporary Access Pass',
};

/** The audit types My Sign-ins lists as the user's sign-in activity. */
export const signInAuditTypes = new Set([
  'oidc.sign_in',
  'sign_in_request.answered',
  'code_sign_in',
  'temporary_access_pass.redeemed',
  'fraud_report',
]);

/**
 * Each sign-in once: a sign-in that succeeded is its `oidc.sign_in` record, so the successful steps
 * on the way to it (the approval, the code, the pass) are not listed again; the ones that failed are.
 */
export function isListedSignIn(event: AuditEvent): boolean {
  if (!signInAuditTypes.has(event.type)) return false;
  if (event.type === 'sign_in_request.answered') return event.outcome !== 'approved';
  if (event.type === 'code_sign_in' || event.type === 'temporary_access_pass.redeemed') return event.outcome !== 'success';
  return true;
}

/** One audit event in the words the user reads under "Recent sign-ins". */
export function describeSignIn(event: AuditEvent): RecentSignIn {
  const how = methodWords[event.method ?? ''] ?? 'another method';
  const app = typeof event.detail?.applicationName === 'string' ? event.detail.applicationName : undefined;
  let description: string;
  let outcome: RecentSignIn['outcome'] = event.outcome === 'success' ? 'success' : 'failure';
  switch (event.type) {
    case 'oidc.sign_in':
      description = `Signed in${app ? ` to ${app}` : ''} with ${how}`;
      break;
    case 'sign_in_request.answered':
      if (event.outcome === 'approved') {
        description = 'Approved a sign-in request on the Authenticator app';
        outcome = 'success';
      } else if (event.outcome === 'denied') description = 'Denied a sign-in request on the Authenticator app';
      else if (event.outcome === 'reported') description = 'Reported a sign-in request as not you';
      else if (event.outcome === 'wrong_number') description = 'A sign-in request failed: the wrong number was entered';
      else description = 'A sign-in request on the Authenticator app was not approved';
      break;
    case 'code_sign_in':
      description = event.outcome === 'success' ? 'Signed in with a verification code' : 'A verification code did not work';
      break;
    case 'temporary_access_pass.redeemed':
      description = event.outcome === 'success' ? 'Used a Temporary Access Pass' : 'A Temporary Access Pass did not work';
      break;
    case 'fraud_report':
      description =
        'You reported a sign-in as not you: requests from new browsers are held until you sign in from a browser you used before';
      outcome = 'other';
      break;
    default:
      description = event.type;
      outcome = 'other';
  }
  return {
    at: new Date(event.at).toISOString(),
    description,
    outcome,
    browser: describeBrowser(event.userAgent ?? undefined) ?? null,
    ip: event.ip,
    location: event.location,
  };
}
