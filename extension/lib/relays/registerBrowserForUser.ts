import { callRelayAsDevice } from '../../../shared/relay/callRelayAsDevice';
import { RelayProblem, RelayUnreachable } from '../../../shared/relay/relayErrors';
import { browserUserRegistered } from '../../../shared/schemas/devices';
import { signWithBrowserKey } from './signWithBrowserKey';

/**
 * Register this browser for a user with a Temporary Access Pass (`POST /api/t/:tenant/browsers/self/users`,
 * signed with the browser key): the first registration where the tenant requires registered browsers.
 */
export async function registerBrowserForUser(input: {
  relayOrigin: string;
  tenant: string;
  username: string;
  temporaryAccessPass: string;
}): Promise<void> {
  const path = `/api/t/${encodeURIComponent(input.tenant)}/browsers/self/users`;
  const sign = async (request: { method: string; path: string; body: string; timestamp: number }) => {
    const authorization = await signWithBrowserKey(input.relayOrigin, input.tenant, request);
    if (!authorization) throw new Error('Add the relay first: this browser has no key registered with it.');
    return authorization;
  };
  try {
    await callRelayAsDevice({ relayUrl: input.relayOrigin, sign }, path, {
      body: { username: input.username, temporaryAccessPass: input.temporaryAccessPass },
      answer: browserUserRegistered,
      credentials: 'omit',
    });
  } catch (error) {
    if (error instanceof RelayProblem) throw new Error(error.detail ?? `The relay refused (${error.status}).`);
    // Unreachable: what the browser said, as before.
    if (error instanceof RelayUnreachable && error.cause instanceof Error) throw error.cause;
    throw error;
  }
}
