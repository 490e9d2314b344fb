import type { SignInView } from '../../../shared/schemas/extensionMessages';

/** "1:42" until the deadline; "0:00" after it. */
export function countdown(deadline: string | undefined, now: number): string {
  const ms = Math.max(0, Date.parse(deadline ?? '') - now) || 0;
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The site as a person should read it: the host, with the scheme only when it is not https. */
export function siteLabel(origin: string): string {
  try {
    const url = new URL(origin);
    return url.protocol === 'https:' ? url.host : `${url.protocol}//${url.host}`;
  } catch {
    return origin;
  }
}

const headings: Record<SignInView['status'], string> = {
  creating: 'Sending a sign-in request…',
  pending: 'Approve sign-in request',
  approved: 'Approved. Signing you in…',
  redeemed: 'Approved. Signing you in…',
  denied: 'Sign-in denied',
  wrong_number: 'The number did not match',
  failed: 'The approval could not be verified',
  reported: 'Reported as not you',
  expired: 'The request timed out',
  superseded: 'Replaced by a newer request',
  cancelled: 'Sign-in cancelled',
  cool_down: 'Wait before trying again',
  not_created: 'The request could not be sent',
  blocked: 'Stopped: not your organization’s sign-in site',
};

export function headingFor(status: SignInView['status']): string {
  return headings[status];
}

/** Statuses after which the person may try again. */
export function canRetry(status: SignInView['status']): boolean {
  return ['denied', 'wrong_number', 'failed', 'expired', 'superseded', 'cancelled', 'cool_down', 'not_created'].includes(status);
}
