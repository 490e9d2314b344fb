import type Database from 'better-sqlite3';
import type { Storage } from '../Storage';
import type { AuditEvent } from '../model';
import { toAuditEvent } from './rows';

/** Append one audit event; other tables call it inside their own transactions to store a change with its record. */
export function auditAppender(db: Database.Database): (event: AuditEvent) => void {
  const insert = db.prepare(
    `INSERT INTO audit_events (id, tenant_id, at, type, outcome, reason, user_id, username, device_id, method, origin, ip, user_agent, detail, location)
     VALUES (@id, @tenantId, @at, @type, @outcome, @reason, @userId, @username, @deviceId, @method, @origin, @ip, @userAgent, @detail, @location)`,
  );
  return (event) => {
    insert.run({ ...event, detail: event.detail ? JSON.stringify(event.detail) : null });
  };
}

/** The audit log on SQLite. */
export function auditTable(db: Database.Database): Pick<Storage, 'audit'> {
  const append = auditAppender(db);
  return {
    audit: {
      async append(event) {
        append(event);
      },
      async list(filter) {
        const where = ['tenant_id = @tenantId'];
        if (filter.username) where.push('username = @username');
        if (filter.outcome) where.push('outcome = @outcome');
        if (filter.type) where.push('type = @type');
        if (filter.types) where.push('type IN (SELECT value FROM json_each(@typesJson))');
        if (filter.method) where.push('method = @method');
        if (filter.since !== undefined) where.push('at >= @since');
        if (filter.until !== undefined) where.push('at <= @until');
        const sql = `SELECT * FROM audit_events WHERE ${where.join(' AND ')} ORDER BY at DESC, rowid DESC LIMIT @limit`;
        const rows = db
          .prepare(sql)
          .all({ ...filter, types: undefined, typesJson: JSON.stringify(filter.types ?? []), limit: filter.limit ?? 100 }) as Record<
          string,
          unknown
        >[];
        return rows.map(toAuditEvent);
      },
    },
  };
}
