import { randomBytes } from 'node:crypto';
import type { RelayContext } from '../context';
import { ProblemError } from '../http/problem';
import { hashSecret, newId, sameDigest } from '../ids';
import type { AdminRole, AdminToken, Tenant } from '../storage/model';

const prefix = 'nod_admin_';

/** Make an admin bearer token for a tenant. The token is returned once; only its hash is kept. */
export async function createAdminToken(
  ctx: RelayContext,
  tenant: Tenant,
  role: AdminRole,
  label: string,
): Promise<{ id: string; token: string }> {
  const id = newId(9);
  const secret = randomBytes(32).toString('base64url');
  await ctx.storage.adminTokens.create({
    id,
    tenantId: tenant.id,
    role,
    secretHash: hashSecret(secret),
    label,
    createdAt: ctx.now(),
    revokedAt: null,
  });
  return { id, token: `${prefix}${id}.${secret}` };
}

/**
 * Who is calling the admin API: the token must be live and belong to the tenant in the path.
 * A token of tenant A gets the same 403 for tenant B whether B exists or not.
 */
export async function authenticateAdmin(
  ctx: RelayContext,
  authorization: string | undefined,
  tenantName: string,
): Promise<{ token: AdminToken; tenant: Tenant }> {
  const match = /^Bearer (nod_admin_([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+))$/.exec(authorization ?? '');
  if (!match) throw new ProblemError('unauthorized', 'Send an admin token as "Authorization: Bearer nod_admin_…".');
  const token = await ctx.storage.adminTokens.byId(match[2]);
  if (!token || token.revokedAt !== null || !sameDigest(token.secretHash, hashSecret(match[3]))) {
    throw new ProblemError('unauthorized', 'The admin token is not valid.');
  }
  const tenant = await ctx.storage.tenants.byId(token.tenantId);
  if (!tenant || tenant.name !== tenantName) {
    throw new ProblemError('forbidden', 'This token cannot act in that tenant.', {
      privateDetail: `token ${token.id} of tenant ${token.tenantId} used for ${tenantName}`,
    });
  }
  return { token, tenant };
}

/** The seed's two roles: a global administrator does everything in its tenant, a policy administrator the policy only. */
export function requireRole(token: AdminToken, needed: 'policy' | 'global'): void {
  if (needed === 'global' && token.role !== 'global_administrator') {
    throw new ProblemError('forbidden', 'This needs a global administrator.');
  }
}
