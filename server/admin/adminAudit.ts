import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import type { AdminToken, Tenant } from '../storage/model';

/**
 * One admin change in the audit log, with the admin token that made it (the audit log of admin
 * changes names the admin from it): about a user, or (user `null`) about the tenant's groups.
 */
export const audited = (
  ctx: RelayContext,
  tenant: Tenant,
  user: { id: string; username: string } | null,
  token: AdminToken,
  type: string,
  detail: Record<string, unknown> = {},
) =>
  recordAudit(ctx, {
    tenantId: tenant.id,
    type,
    outcome: 'success',
    userId: user?.id ?? null,
    username: user?.username ?? null,
    detail: { adminToken: token.id, ...detail },
  });
