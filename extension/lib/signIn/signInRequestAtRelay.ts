import type { BrokeredSignIn } from './brokeredSignIn';

/** Where the relay keeps the sign-in's request: watched, redeemed and cancelled there. */
export function signInRequestUrl(record: BrokeredSignIn): string {
  return `${record.relayOrigin}/api/sign-in-requests/${encodeURIComponent(record.requestId ?? '')}`;
}

/** Only the holder of the collector secret may watch, cancel or redeem the request. */
export function collectorHeaders(record: BrokeredSignIn): Record<string, string> {
  return { authorization: `Bearer ${record.collectorSecret}` };
}
