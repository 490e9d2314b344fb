import { callRelay } from '../../../shared/relay/callRelay';
import { RelayAnswerInvalid, RelayProblem } from '../../../shared/relay/relayErrors';
import { type TenantDiscovery, tenantDiscovery } from '../../../shared/schemas/directory';

/** Read a relay's tenant discovery (`GET /api/tenants`): its tenants, their sign-in origins and issuers. */
export async function fetchDiscovery(relayOrigin: string, fetchImpl: typeof fetch = fetch): Promise<TenantDiscovery> {
  try {
    return await callRelay(`${relayOrigin}/api/tenants`, { answer: tenantDiscovery, credentials: 'omit', fetch: fetchImpl });
  } catch (error) {
    if (error instanceof RelayProblem) throw new Error(`The relay answered ${error.status} to its tenant discovery.`);
    if (error instanceof RelayAnswerInvalid) throw new Error('The relay’s tenant discovery is not in the expected form.');
    throw error;
  }
}
