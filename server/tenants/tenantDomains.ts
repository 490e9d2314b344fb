import type { z } from 'zod';
import type { domainName } from '../../shared/schemas/discovery';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { ProblemError } from '../http/problem';
import type { Tenant } from '../storage/model';

type Domain = z.output<typeof domainName>;

/**
 * Home realm discovery's domains: a tenant registers the domains of its usernames, and each domain
 * belongs to one tenant across the relay (a second claim is a 409, whoever holds it).
 */
export async function addTenantDomain(ctx: RelayContext, tenant: Tenant, domain: Domain, adminToken: string): Promise<void> {
  if (!(await ctx.storage.tenants.addDomain(tenant.id, domain, ctx.now()))) {
    const holder = await ctx.storage.tenants.byDomain(domain);
    throw new ProblemError(
      'conflict',
      holder?.id === tenant.id ? `${domain} is registered for ${tenant.name} already.` : `${domain} is registered by another organization.`,
      { errors: [{ field: 'domain', message: 'is registered already' }] },
    );
  }
  await recordAudit(ctx, { tenantId: tenant.id, type: 'tenant.domain_added', outcome: 'success', detail: { domain, adminToken } });
}

export async function removeTenantDomain(ctx: RelayContext, tenant: Tenant, domain: string, adminToken: string): Promise<void> {
  if (!(await ctx.storage.tenants.removeDomain(tenant.id, domain.toLowerCase()))) {
    throw new ProblemError('not_found', `${domain} is not registered for ${tenant.name}.`);
  }
  await recordAudit(ctx, { tenantId: tenant.id, type: 'tenant.domain_removed', outcome: 'success', detail: { domain, adminToken } });
}
