import { callRelay } from '../../../shared/relay/callRelay';
import { noContent } from '../../../shared/schemas/common';
import type { BrokeredSignIn } from './brokeredSignIn';
import { collectorHeaders, signInRequestUrl } from './signInRequestAtRelay';

/**
 * Cancel the sign-in's request at the relay while it can still be answered, so the phone stops asking.
 * Best effort: the sign-in is over for the browser whether or not the relay heard it.
 */
export async function cancelAtRelay(record: BrokeredSignIn, fetchImpl: typeof fetch): Promise<void> {
  if (!record.collectorSecret || !record.requestId) return;
  if (record.status !== 'pending' && record.status !== 'approved') return;
  await callRelay(signInRequestUrl(record), {
    method: 'DELETE',
    headers: collectorHeaders(record),
    answer: noContent,
    credentials: 'omit',
    fetch: fetchImpl,
  }).catch(() => undefined);
}
