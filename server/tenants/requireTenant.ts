import type { RelayContext } from '../context';
import { ProblemError } from '../http/problem';
import type { Tenant } from '../storage/model';

/** The refusal for a tenant name no tenant has (the same words wherever a path or a call names one). */
export const noSuchTenant = (name: string) => new ProblemError('tenant_not_found', `No tenant is named ${name}.`);

export async function requireTenant(ctx: RelayContext, name: string): Promise<Tenant> {
  const tenant = await ctx.storage.tenants.byName(name);
  if (!tenant) throw noSuchTenant(name);
  return tenant;
}
