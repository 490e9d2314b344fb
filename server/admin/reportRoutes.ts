import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { adminChanges, adminChangesQuery, securityReports, signInLogExportQuery } from '../../shared/schemas/adminReports';
import { authenticatorEnrollment } from '../../shared/schemas/hostedPages';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { enrollmentLink } from '../enrollment/enrollmentLink';
import { rawReply } from '../http/defineRoute';
import type { AuditEvent } from '../storage/model';
import { requireUser } from '../users/requireUser';
import { adminRoute, tenantPath } from './adminRoute';
import { toCsv } from './csv';
import { signInLogFilter } from './signInLogRoutes';
import { showAuditEvent } from './views';

const userPath = tenantPath.extend({ username: z.string() });

/** The columns of the sign-in log's CSV export. */
export const signInLogColumns = [
  'at',
  'type',
  'outcome',
  'reason',
  'username',
  'method',
  'origin',
  'ip',
  'location',
  'userAgent',
  'deviceId',
  'id',
] as const;

/** The audit records that are admin changes (made with an admin token, whose id each one keeps). */
export const adminChangeTypes = [
  'policy.saved',
  'user.created',
  'user.deleted',
  'user.disabled',
  'user.enabled',
  'user.risk_cleared',
  'limits.reset',
  'device.removed',
  'registration.removed',
  'temporary_access_pass.issued',
  'temporary_access_pass.revoked',
  'enrollment_code.created',
  'group.created',
  'group.renamed',
  'group.deleted',
  'group.member_added',
  'group.member_removed',
  'client.created',
  'client.updated',
  'client.deleted',
  'tenant.domain_added',
  'tenant.domain_removed',
];

/**
 * What an admin reads under Reports: "No, it's not me", sign-ins on a site that is not the tenant's
 * (origin binding), phishing stopped by number matching, limits that started holding.
 */
const reportTypes = ['fraud_report', 'phishing_blocked', 'limit.hit'];

/**
 * Admin: the sign-in log exported (CSV or JSON), Reports, the audit log of admin changes with who
 * made each, and a phone app enrollment link (QR code) for a user.
 */
export function reportRoutes(app: FastifyInstance, ctx: RelayContext): void {
  adminRoute(
    app,
    ctx,
    { method: 'GET', path: '/sign-ins/export', role: 'reader', params: tenantPath, query: signInLogExportQuery, reply: rawReply },
    async ({ tenant, query, reply }) => {
      const events = await ctx.storage.audit.list(signInLogFilter(tenant, query));
      const shown = events.map(showAuditEvent);
      reply.header('cache-control', 'no-store').header('content-disposition', `attachment; filename="sign-in-log.${query.format}"`);
      if (query.format === 'json') return reply.type('application/json; charset=utf-8').send(JSON.stringify({ signIns: shown }, null, 2));
      return reply.type('text/csv; charset=utf-8').send(toCsv(signInLogColumns, shown));
    },
  );

  adminRoute(
    app,
    ctx,
    { method: 'GET', path: '/reports', role: 'reader', params: tenantPath, reply: securityReports },
    async ({ tenant }) => {
      const [reports, wrongNumbers] = await Promise.all([
        ctx.storage.audit.list({ tenantId: tenant.id, types: reportTypes, limit: 200 }),
        ctx.storage.audit.list({ tenantId: tenant.id, outcome: 'wrong_number', limit: 200 }),
      ]);
      const all = [...reports, ...wrongNumbers].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
      return { reports: all.slice(0, 200).map(showAuditEvent) };
    },
  );

  adminRoute(
    app,
    ctx,
    { method: 'GET', path: '/changes', role: 'global', params: tenantPath, query: adminChangesQuery, reply: adminChanges },
    async ({ tenant, query }) => {
      const [events, tokens] = await Promise.all([
        ctx.storage.audit.list({ tenantId: tenant.id, types: adminChangeTypes, limit: query.limit }),
        ctx.storage.adminTokens.list(tenant.id),
      ]);
      const byId = new Map(tokens.map((t) => [t.id, t]));
      const actorOf = (event: AuditEvent) => {
        const token = typeof event.detail?.adminToken === 'string' ? byId.get(event.detail.adminToken) : undefined;
        if (!token) {
          // A person's own change (My Sign-ins, or the phone app removing its account): said as such.
          if (event.detail?.by === 'my-sign-ins') return { actor: event.username, actorRole: 'in My Sign-ins' };
          if (event.detail?.by === 'phone') return { actor: 'their phone', actorRole: null };
          return { actor: null, actorRole: null };
        }
        const label = token.label.startsWith('admin center: ')
          ? token.label.slice('admin center: '.length)
          : token.label.startsWith('cli')
            ? 'command line'
            : token.label;
        return { actor: label, actorRole: token.role };
      };
      return { changes: events.map((e) => ({ ...showAuditEvent(e), ...actorOf(e) })) };
    },
  );

  // The phone app's enrollment link for a user, as a QR code (the same one My Sign-ins shows).
  adminRoute(
    app,
    ctx,
    {
      method: 'POST',
      path: '/users/:username/enrollment-link',
      role: 'helpdesk',
      params: userPath,
      reply: authenticatorEnrollment,
      status: 201,
    },
    async ({ tenant, params, token, reply }) => {
      const user = await requireUser(ctx, tenant, params.username);
      const enrollment = await enrollmentLink(ctx, tenant, user);
      await recordAudit(ctx, {
        tenantId: tenant.id,
        type: 'enrollment_code.created',
        outcome: 'success',
        userId: user.id,
        username: user.username,
        detail: { adminToken: token.id },
      });
      reply.header('cache-control', 'no-store');
      return enrollment;
    },
  );
}
