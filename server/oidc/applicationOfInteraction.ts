import { adminCenterClientId, adminCenterClientName } from '../admin/center/adminCenterClient';
import type { RelayContext } from '../context';
import type { Tenant } from '../storage/model';
import { storedId } from './createStorageAdapter';
import { mySignInsClientId, mySignInsClientName } from './myAccountClient';

/** The relay's own clients, in every tenant: named as their pages name themselves, never by an admin. */
const builtInClientNames = new Map([
  [adminCenterClientId, adminCenterClientName],
  [mySignInsClientId, mySignInsClientName],
]);

/**
 * The name of the application a live login interaction of the tenant is for: what a sign-in request
 * from the hosted page shows on the phone. A registered client's display name, or the relay's own
 * page (the admin center, My Sign-ins). The interaction is read from the provider's own records
 * (createStorageAdapter keeps them per tenant under the uid's hash, and the storage hides expired
 * ones), so a caller can only name an application by pointing at a real, unexpired interaction for it.
 */
export async function applicationOfInteraction(ctx: RelayContext, tenant: Tenant, uid: string): Promise<string | undefined> {
  const record = await ctx.storage.oidcRecords.find(`${tenant.id}/Interaction`, storedId(uid));
  const params = record?.payload.params as { client_id?: unknown } | undefined;
  if (!record || record.consumedAt !== null || typeof params?.client_id !== 'string') return undefined;
  return builtInClientNames.get(params.client_id) ?? (await ctx.storage.oidcClients.get(tenant.id, params.client_id))?.displayName;
}
