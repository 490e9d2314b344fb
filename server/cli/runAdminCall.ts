import type { FastifyInstance } from 'fastify';
import { createAdminToken } from '../admin/adminTokens';
import type { RelayContext } from '../context';
import { requireTenant } from '../tenants/requireTenant';

/**
 * The CLI runs on the relay's machine with the relay's data directory: it makes a short-lived
 * global admin token for the tenant, calls the admin API in-process, and revokes the token.
 */
export async function runAdminCall(
  app: FastifyInstance,
  ctx: RelayContext,
  tenantName: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown; tokenId: string }> {
  const tenant = await requireTenant(ctx, tenantName);
  const { id, token } = await createAdminToken(ctx, tenant, 'global_administrator', 'cli (revoked after use)');
  try {
    const response = await app.inject({
      method,
      url: `/admin/t/${encodeURIComponent(tenantName)}${path}`,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined, tokenId: id };
  } finally {
    await ctx.storage.adminTokens.revoke(tenant.id, id, ctx.now());
  }
}
