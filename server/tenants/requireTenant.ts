import type { RelayContext } from '../context';
import { ProblemError } from '../http/problem';
import type { Tenant } from '../storage/model';

export async function requireTenant(ctx: RelayContext, name: string): Promise<Tenant> {
  const tenant = await ctx.storage.tenants.byName(name);
  if (!tenant) throw new ProblemError('tenant_not_found', `No tenant is named ${name}.`);
  return tenant;
}
