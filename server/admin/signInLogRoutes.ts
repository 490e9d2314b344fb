import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { signInLog, signInLogQuery } from '../../shared/schemas/directory';
import type { RelayContext } from '../context';
import type { AuditFilter, Tenant } from '../storage/model';
import { adminRoute, tenantPath } from './adminRoute';
import { showAuditEvent } from './views';

/**
 * The audit records that are sign-in attempts: each finished sign-in at a client, each answer and
 * other ending of a phone request, each code or pass tried, each "it's not me" report.
 */
export const signInLogTypes = [
  'oidc.sign_in',
  'sign_in_request.answered',
  'sign_in_request.closed',
  'code_sign_in',
  'temporary_access_pass.redeemed',
  'fraud_report',
];

/** The audit filter of the sign-in log's filters (the log and its export read the same records). */
export function signInLogFilter(tenant: Tenant, query: z.infer<typeof signInLogQuery>): AuditFilter {
  return {
    tenantId: tenant.id,
    types: signInLogTypes,
    username: query.user?.toLowerCase(),
    outcome: query.outcome,
    method: query.method,
    since: query.from,
    until: query.to,
    limit: query.limit,
  };
}

/** Admin: the sign-in log (`GET /admin/t/:tenant/sign-ins`), read by every admin role. */
export function signInLogRoutes(app: FastifyInstance, ctx: RelayContext): void {
  adminRoute(
    app,
    ctx,
    { method: 'GET', path: '/sign-ins', role: 'reader', params: tenantPath, query: signInLogQuery, reply: signInLog },
    async ({ tenant, query }) => {
      const events = await ctx.storage.audit.list(signInLogFilter(tenant, query));
      return { signIns: events.map(showAuditEvent) };
    },
  );
}
