import { type TenantDiscovery, tenantDiscovery } from './relay';

/** Read a relay's tenant discovery (`GET /api/tenants`): its tenants, their sign-in origins and issuers. */
export async function fetchDiscovery(relayOrigin: string, fetchImpl: typeof fetch = fetch): Promise<TenantDiscovery> {
  const response = await fetchImpl(`${relayOrigin}/api/tenants`, {
    headers: { accept: 'application/json' },
    credentials: 'omit',
    cache: 'no-store',
  });
  if (!response.ok) throw new Error(`The relay answered ${response.status} to its tenant discovery.`);
  const parsed = tenantDiscovery.safeParse(await response.json());
  if (!parsed.success) throw new Error('The relay’s tenant discovery is not in the expected form.');
  return parsed.data;
}
