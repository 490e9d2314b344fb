import type { FastifyInstance, FastifyRequest, HTTPMethods } from 'fastify';
import type { RelayContext } from '../context';
import type { AdminToken, Tenant } from '../storage/model';
import { authenticateAdmin, requireRole } from './adminTokens';

export interface AdminCall {
  tenant: Tenant;
  token: AdminToken;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
  request: FastifyRequest;
}

/**
 * Declare an admin route under /admin/t/:tenant: the bearer token is checked against the tenant
 * in the path and the role before the handler runs. Answers are JSON; `undefined` is 204.
 */
export function adminRoute(
  app: FastifyInstance,
  ctx: RelayContext,
  method: HTTPMethods,
  path: string,
  role: 'policy' | 'global',
  handler: (call: AdminCall) => Promise<unknown>,
  status = 200,
): void {
  app.route({
    method,
    url: `/admin/t/:tenant${path}`,
    handler: async (request, reply) => {
      const params = request.params as Record<string, string>;
      const { token, tenant } = await authenticateAdmin(ctx, request.headers.authorization, params.tenant);
      requireRole(token, role);
      const result = await handler({
        tenant,
        token,
        params,
        query: request.query as Record<string, string | undefined>,
        body: request.body,
        request,
      });
      if (result === undefined) return reply.status(204).send();
      return reply.status(status).send(result);
    },
  });
}
