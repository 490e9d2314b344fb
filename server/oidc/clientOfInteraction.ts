import type { RelayContext } from '../context';
import type { OidcClient, Tenant } from '../storage/model';
import { storedId } from './createStorageAdapter';

/**
 * The registered OIDC client a live login interaction of the tenant is for: the application a sign-in
 * request from the hosted page names. The interaction is read from the provider's own records
 * (createStorageAdapter keeps them per tenant under the uid's hash, and the storage hides expired
 * ones), so a caller can only name an application by pointing at a real, unexpired interaction for it.
 */
export async function clientOfInteraction(ctx: RelayContext, tenant: Tenant, uid: string): Promise<OidcClient | undefined> {
  const record = await ctx.storage.oidcRecords.find(`${tenant.id}/Interaction`, storedId(uid));
  const params = record?.payload.params as { client_id?: unknown } | undefined;
  if (!record || record.consumedAt !== null || typeof params?.client_id !== 'string') return undefined;
  return ctx.storage.oidcClients.get(tenant.id, params.client_id);
}
