import { homeRealm, type HomeRealm } from '../schemas/discovery';
import { callRelay } from './callRelay';
import { RelayProblem } from './relayErrors';

/**
 * Home realm discovery: the organization a username belongs to, found from its domain
 * (`GET /api/discovery`). Undefined when no organization on this relay registered the domain;
 * other failures throw as callRelay's do.
 */
export async function discoverTenant(
  relayUrl: string,
  username: string,
  options: { signal?: AbortSignal; fetch?: typeof fetch } = {},
): Promise<HomeRealm | undefined> {
  try {
    return await callRelay(`${relayUrl}/api/discovery?${new URLSearchParams({ username })}`, {
      answer: homeRealm,
      credentials: 'omit',
      ...options,
    });
  } catch (error) {
    if (error instanceof RelayProblem && error.code === 'tenant_not_found') return undefined;
    throw error;
  }
}
