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

const roleNames: Record<AdminRole, string> = {
  global_administrator: 'a Global Administrator',
  authentication_policy_administrator: 'an Authentication Policy Administrator',
  helpdesk_administrator: 'a Helpdesk Administrator',
};

/**
 * What an admin route needs, and the roles that have it (the seed's): `global` only a Global
 * Administrator; `policy` the Authenticator policy; `helpdesk` passes, unblocking and devices;
 * `reader` reading users, groups, the policy and the sign-in log — every admin role.
 */
export const routeRoles = {
  global: ['global_administrator'],
  policy: ['global_administrator', 'authentication_policy_administrator'],
  helpdesk: ['global_administrator', 'helpdesk_administrator'],
  reader: ['global_administrator', 'authentication_policy_administrator', 'helpdesk_administrator'],
} as const satisfies Record<string, readonly AdminRole[]>;
export type RouteRole = keyof typeof routeRoles;

/** Refuse a token whose role does not have what the route needs (403 naming the roles that do). */
export function requireRole(token: AdminToken, needed: RouteRole): void {
  const allowed: readonly AdminRole[] = routeRoles[needed];
  if (!allowed.includes(token.role)) {
    throw new ProblemError('forbidden', `This needs ${allowed.map((role) => roleNames[role]).join(' or ')}.`, {
      privateDetail: `token ${token.id} (${token.role}) on a ${needed} route`,
    });
  }
}
