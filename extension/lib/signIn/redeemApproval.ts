import { callRelay } from '../../../shared/relay/callRelay';
import { RelayProblem, RelayUnreachable } from '../../../shared/relay/relayErrors';
import { signInGrant } from '../../../shared/schemas/grants';
import type { BrokeredSignIn } from './brokeredSignIn';
import { collectorHeaders, signInRequestUrl } from './signInRequestAtRelay';

/** Exchange the approved request for its one-time grant (`POST …/redeem`), or say why that failed. */
export async function redeemApproval(
  record: BrokeredSignIn,
  fetchImpl: typeof fetch,
): Promise<{ grant: string; failure?: undefined } | { grant?: undefined; failure: string }> {
  try {
    const { grant } = await callRelay(`${signInRequestUrl(record)}/redeem`, {
      method: 'POST',
      headers: collectorHeaders(record),
      answer: signInGrant,
      credentials: 'omit',
      fetch: fetchImpl,
    });
    return { grant };
  } catch (error) {
    if (error instanceof RelayUnreachable) return { failure: 'The relay could not be reached to finish the sign-in. Try again.' };
    const detail = error instanceof RelayProblem ? error.detail?.slice(0, 300) : undefined;
    return { failure: detail ?? 'The approval could not be used. Try again.' };
  }
}
