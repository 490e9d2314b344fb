import { tenantDiscovery } from '../schemas/directory';
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

/**
 * The "Other organization" fallback: the organization people name, by its short name or its
 * display name ("contoso", "Contoso Ltd"), from the relay's public list (`GET /api/tenants`).
 * Undefined when none matches.
 */
export async function findTenantByName(
  relayUrl: string,
  name: string,
  options: { signal?: AbortSignal; fetch?: typeof fetch } = {},
): Promise<HomeRealm | undefined> {
  const wanted = name.trim().toLowerCase();
  if (!wanted) return undefined;
  const { tenants } = await callRelay(`${relayUrl}/api/tenants`, { answer: tenantDiscovery, credentials: 'omit', ...options });
  const found = tenants.find((t) => t.name === wanted) ?? tenants.find((t) => t.displayName.trim().toLowerCase() === wanted);
  return found ? { tenant: found.name, displayName: found.displayName } : undefined;
}

/** Plain words for an organization that could not be found by the name given. */
export function unknownOrganizationWords(name: string): string {
  return `No organization called “${name.trim()}” uses Nod here. Check the name with your admin, or enter your username with its domain instead.`;
}
