import type { PushSubscriptionJson } from '../../shared/schemas/devices';
import { ProblemError } from '../http/problem';

/**
 * Which push services the relay sends to. A push subscription names an endpoint URL the relay
 * then POSTs to; without a list, anyone enrolling a phone could point the relay at any address it
 * can reach (blind SSRF: loopback, the internal network, a cloud metadata service).
 */

/** The browsers' push services: FCM (Chrome, Edge on Android), Mozilla autopush, Apple, Windows (WNS). */
export const defaultPushHosts: readonly string[] = [
  'fcm.googleapis.com',
  'updates.push.services.mozilla.com',
  '*.push.apple.com',
  '*.notify.windows.com',
];

/** A host name, `*.` and a domain for any host under it, either with `:port` to allow that port only. */
export const pushHostPattern = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;

/** An https URL, without user info, whose host is on the list. Anything else — or what is not a URL — is false. */
export function isAllowedPushEndpoint(endpoint: string, hosts: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password) return false;
  const port = url.port || '443';
  return hosts.some((entry) => {
    const [pattern, onlyPort] = entry.toLowerCase().split(':');
    if (onlyPort !== undefined && onlyPort !== port) return false;
    return pattern.startsWith('*.') ? url.hostname.endsWith(pattern.slice(1)) : url.hostname === pattern;
  });
}

/** Refuse a subscription whose endpoint is not on the list: a 400 naming `field` (the endpoint's JSON path). */
export function requireAllowedPushSubscription(
  subscription: PushSubscriptionJson | null | undefined,
  hosts: readonly string[],
  field: string,
): void {
  if (!subscription || isAllowedPushEndpoint(subscription.endpoint, hosts)) return;
  const message = 'an https URL of a push service this relay sends to (NOD_PUSH_HOSTS)';
  throw new ProblemError('validation_failed', `${field}: expected ${message}.`, {
    errors: [{ field, message }],
    privateDetail: `push endpoint host ${URL.canParse(subscription.endpoint) ? new URL(subscription.endpoint).host : '(not a URL)'} not allowed`,
  });
}
