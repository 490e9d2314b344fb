import type { z } from 'zod';
import type { tenantCreate } from '../../shared/schemas/directory';
import { authenticatorPolicy } from '../../shared/schemas/policy';
import type { RelayContext } from '../context';
import { ProblemError } from '../http/problem';
import { newId } from '../ids';
import type { Tenant } from '../storage/model';
import { claimSignInOrigins } from './claimSignInOrigins';

/** Create a tenant with the Authenticator method off until an admin turns it on. */
export async function createTenant(ctx: RelayContext, body: z.output<typeof tenantCreate>): Promise<Tenant> {
  if (await ctx.storage.tenants.byName(body.name)) {
    throw new ProblemError('conflict', `A tenant named ${body.name} exists already.`);
  }
  await claimSignInOrigins(ctx, undefined, body.signInOrigins);
  const tenant: Tenant = {
    id: newId(),
    name: body.name,
    displayName: body.displayName ?? body.name,
    signInOrigins: body.signInOrigins,
    createdAt: ctx.now(),
  };
  await ctx.storage.tenants.create(tenant);
  const defaults = authenticatorPolicy.parse({ enabled: false });
  await ctx.storage.policies.save(tenant.id, { ...defaults, includeTargets: [], excludeTargets: [], updatedAt: ctx.now() });
  return tenant;
}
