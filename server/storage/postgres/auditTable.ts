import type { Storage } from '../Storage';
import type { AuditEvent, AuditFilter } from '../model';
import { type PostgresDatabase, type Statement, statement } from './database';
import { json, toAuditEvent } from './rows';

export const auditColumns =
  'id, tenant_id, at, type, outcome, reason, user_id, username, device_id, method, origin, ip, user_agent, detail, location';

/**
 * The parameters of an audit row from `$first` on, typed: other statements append the record with
 * `INSERT … SELECT` in the same statement as their change, where PostgreSQL cannot infer them.
 */
export const auditParameters = (first: number) =>
  ['text', 'text', 'bigint', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'json', 'text']
    .map((type, i) => `$${first + i}::${type}`)
    .join(', ');

export const auditValues = (e: AuditEvent) => [
  e.id,
  e.tenantId,
  e.at,
  e.type,
  e.outcome,
  e.reason,
  e.userId,
  e.username,
  e.deviceId,
  e.method,
  e.origin,
  e.ip,
  e.userAgent,
  json(e.detail),
  e.location,
];

const insert = statement('audit_insert', `INSERT INTO audit_events (${auditColumns}) VALUES (${auditParameters(1)})`);

const filters = [
  { key: 'username', test: (f: AuditFilter) => Boolean(f.username), sql: 'username =' },
  { key: 'outcome', test: (f: AuditFilter) => Boolean(f.outcome), sql: 'outcome =' },
  { key: 'type', test: (f: AuditFilter) => Boolean(f.type), sql: 'type =' },
  { key: 'types', test: (f: AuditFilter) => f.types !== undefined, sql: 'type = ANY', cast: '::text[]' },
  { key: 'method', test: (f: AuditFilter) => Boolean(f.method), sql: 'method =' },
  { key: 'since', test: (f: AuditFilter) => f.since !== undefined, sql: 'at >=' },
  { key: 'until', test: (f: AuditFilter) => f.until !== undefined, sql: 'at <=' },
] as const;

/**
 * One prepared statement per combination of filters used (at most 128): a single statement with
 * "($n IS NULL OR …)" for every filter would get a generic plan that suits none of them.
 */
const listStatements = new Map<string, Statement>();
function listStatement(filter: AuditFilter): { statement: Statement; values: unknown[] } {
  const used = filters.filter((f) => f.test(filter));
  const shape = used.map((f) => f.key).join('_') || 'all';
  const values: unknown[] = [filter.tenantId, ...used.map((f) => filter[f.key]), filter.limit ?? 100];
  let cached = listStatements.get(shape);
  if (!cached) {
    const where = ['tenant_id = $1', ...used.map((f, i) => ('cast' in f ? `${f.sql}($${i + 2}${f.cast})` : `${f.sql} $${i + 2}`))];
    cached = statement(
      `audit_list_${shape}`,
      `SELECT * FROM audit_events WHERE ${where.join(' AND ')} ORDER BY at DESC, seq DESC LIMIT $${used.length + 2}`,
    );
    listStatements.set(shape, cached);
  }
  return { statement: cached, values };
}

/** The audit log on PostgreSQL. */
export function auditTable(db: PostgresDatabase): Pick<Storage, 'audit'> {
  return {
    audit: {
      async append(event) {
        await db.run(insert, auditValues(event));
      },
      async list(filter) {
        const { statement: list, values } = listStatement(filter);
        return (await db.rows(list, values)).map(toAuditEvent);
      },
    },
  };
}
