import type { Storage } from '../Storage';
import { type PostgresDatabase, statement } from './database';
import { json, maybe, toGrant, toRequest } from './rows';

const q = {
  // Two requests from one browser at once: the second waits, then supersedes the first.
  lockCollector: statement('request_lock_collector', `SELECT pg_advisory_xact_lock(hashtextextended('nod collector ' || $1::text, 0))`),
  insert: statement(
    'request_insert',
    `INSERT INTO sign_in_requests (id, tenant_id, user_id, username, kind, origin, context, number, nonce, collector_hash,
       collector_key, browser_device_id, status, reason, deliverable, created_at, expires_at, answered_at, answered_by, ip, user_agent)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, NULL, NULL, $18, $19)`,
  ),
  supersede: statement(
    'request_supersede',
    `UPDATE sign_in_requests SET status = 'superseded', reason = 'a newer sign-in from the same browser', answered_at = $1
     WHERE collector_key = $2 AND status = 'pending' RETURNING id`,
  ),
  byId: statement('request_by_id', 'SELECT * FROM sign_in_requests WHERE id = $1'),
  countPending: statement(
    'request_count_pending',
    `SELECT count(*) AS n FROM sign_in_requests WHERE tenant_id = $1 AND username = $2 AND status = 'pending' AND expires_at > $3`,
  ),
  denials: statement(
    'request_denials',
    `SELECT answered_at FROM sign_in_requests WHERE tenant_id = $1 AND user_id = $2 AND status IN ('denied', 'reported')
     AND answered_at >= $3 ORDER BY answered_at DESC`,
  ),
  pendingForUser: statement(
    'request_pending_for_user',
    `SELECT * FROM sign_in_requests WHERE tenant_id = $1 AND user_id = $2 AND status = 'pending' AND expires_at > $3
     AND deliverable ORDER BY created_at`,
  ),
  // One statement each: a concurrent answer waits on the row lock, then finds the status changed and updates nothing.
  transitionFromPending: statement(
    'request_transition_from_pending',
    `UPDATE sign_in_requests SET status = $2, reason = $3, answered_at = $4, answered_by = $5
     WHERE id = $1 AND status = 'pending' AND expires_at > $6 RETURNING *`,
  ),
  transition: statement(
    'request_transition',
    `UPDATE sign_in_requests SET status = $2, reason = $3,
       answered_at = coalesce($4, answered_at), answered_by = coalesce($5, answered_by)
     WHERE id = $1 AND status = $6 RETURNING *`,
  ),
  // Relays sweeping at once each take the due requests no other sweep (or answer) holds, so none
  // waits on another, none deadlocks, and each request expires once; a skipped one is still
  // pending for the next sweep, or was answered meanwhile.
  expireDue: statement(
    'request_expire_due',
    `UPDATE sign_in_requests SET status = 'expired', reason = 'nobody answered in time', answered_at = expires_at
     WHERE status = 'pending' AND id IN (
       SELECT id FROM sign_in_requests WHERE status = 'pending' AND expires_at <= $1 FOR UPDATE SKIP LOCKED
     ) RETURNING *`,
  ),
  grantInsert: statement(
    'grant_insert',
    `INSERT INTO grants (id, secret_hash, tenant_id, user_id, request_id, method, amr, created_at, expires_at, used_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)`,
  ),
  grantTake: statement(
    'grant_take',
    'UPDATE grants SET used_at = $1 WHERE secret_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING *',
  ),
};

/** Sign-in requests and one-time grants on PostgreSQL. */
export function signInTables(db: PostgresDatabase): Pick<Storage, 'signInRequests' | 'grants'> {
  return {
    signInRequests: {
      async create(r) {
        const values = [
          r.id,
          r.tenantId,
          r.userId,
          r.username,
          r.kind,
          r.origin,
          json(r.context),
          r.number,
          r.nonce,
          r.collectorHash,
          r.collectorKey,
          r.browserDeviceId,
          r.status,
          r.reason,
          r.deliverable,
          r.createdAt,
          r.expiresAt,
          r.ip,
          r.userAgent,
        ];
        if (!r.collectorKey) {
          await db.run(q.insert, values);
          return { superseded: [] };
        }
        const collectorKey = r.collectorKey;
        return db.transaction(async (sql) => {
          await sql.one(q.lockCollector, [collectorKey]);
          const superseded = (await sql.rows(q.supersede, [r.createdAt, collectorKey])).map((row) => String(row.id));
          await sql.run(q.insert, values);
          return { superseded };
        });
      },
      async byId(id) {
        return maybe(await db.one(q.byId, [id]), toRequest);
      },
      async countPending(tenantId, username, now) {
        // No row at all when the lookup could not match (see database.ts): a count of none.
        return Number((await db.one(q.countPending, [tenantId, username, now]))?.n ?? 0);
      },
      async denialsSince(tenantId, userId, since) {
        return (await db.rows(q.denials, [tenantId, userId, since])).map((row) => Number(row.answered_at));
      },
      async pendingForUser(tenantId, userId, now) {
        return (await db.rows(q.pendingForUser, [tenantId, userId, now])).map(toRequest);
      },
      async transition(id, from, to, now) {
        const row =
          from === 'pending'
            ? await db.one(q.transitionFromPending, [id, to.status, to.reason, to.answeredAt ?? null, to.answeredBy ?? null, now])
            : await db.one(q.transition, [id, to.status, to.reason, to.answeredAt ?? null, to.answeredBy ?? null, from]);
        return maybe(row, toRequest);
      },
      async expireDue(now) {
        return (await db.rows(q.expireDue, [now])).map(toRequest);
      },
    },
    grants: {
      async create(g) {
        await db.run(q.grantInsert, [
          g.id,
          g.secretHash,
          g.tenantId,
          g.userId,
          g.requestId,
          g.method,
          json(g.amr),
          g.createdAt,
          g.expiresAt,
        ]);
      },
      async take(secretHash, now) {
        return maybe(await db.one(q.grantTake, [now, secretHash]), toGrant);
      },
    },
  };
}
