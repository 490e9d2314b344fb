import type { Storage } from '../Storage';
import type { LimitCounter } from '../model';
import { type PostgresDatabase, type Row, statement } from './database';

const toCounter = (r: Row): LimitCounter => ({
  key: String(r.key),
  kind: String(r.kind),
  tenantId: String(r.tenant_id),
  username: r.username === null || r.username === undefined ? null : String(r.username),
  count: Number(r.count),
  firstAt: Number(r.first_at),
  lastAt: Number(r.last_at),
});

const q = {
  counter: statement('limit_counter', 'SELECT * FROM limit_counters WHERE key = $1'),
  counters: statement('limit_counters', 'SELECT * FROM limit_counters WHERE key = ANY($1::text[])'),
  insertCounter: statement(
    'limit_insert_counter',
    `INSERT INTO limit_counters (key, kind, tenant_id, username, count, first_at, last_at)
     VALUES ($1, $2, $3, $4, 1, $5, $5) ON CONFLICT (key) DO NOTHING`,
  ),
  bumpIf: statement('limit_bump_if', 'UPDATE limit_counters SET count = count + 1, last_at = $2 WHERE key = $1 AND count = $3'),
  bump: statement(
    'limit_bump',
    `INSERT INTO limit_counters (key, kind, tenant_id, username, count, first_at, last_at)
     VALUES ($1, $2, $3, $4, 1, $5, $5)
     ON CONFLICT (key) DO UPDATE SET count = limit_counters.count + 1, last_at = excluded.last_at RETURNING *`,
  ),
  clear: statement('limit_clear', 'DELETE FROM limit_counters WHERE key = ANY($1::text[])'),
  // One lock per window key for the transaction: admissions of the same key wait for each other, on any relay.
  lock: statement('limit_lock', `SELECT pg_advisory_xact_lock(hashtextextended($1, 7))`),
  drop: statement('limit_drop', 'DELETE FROM limit_events WHERE key = $1 AND at < $2'),
  count: statement('limit_count', 'SELECT count(*) AS n, min(at) AS oldest FROM limit_events WHERE key = $1 AND at >= $2'),
  insertEvent: statement('limit_insert_event', 'INSERT INTO limit_events (key, kind, tenant_id, username, at) VALUES ($1, $2, $3, $4, $5)'),
  userCounters: statement('limit_user_counters', 'SELECT * FROM limit_counters WHERE tenant_id = $1 AND username = $2 ORDER BY key'),
  userWindows: statement(
    'limit_user_windows',
    `SELECT key, kind, count(*) AS n, min(at) AS oldest FROM limit_events WHERE tenant_id = $1 AND username = $2 AND at >= $3
     GROUP BY key, kind ORDER BY key`,
  ),
  resetCounters: statement(
    'limit_reset_counters',
    'DELETE FROM limit_counters WHERE tenant_id = $1 AND username = $2 AND kind = ANY($3::text[])',
  ),
  resetEvents: statement(
    'limit_reset_events',
    'DELETE FROM limit_events WHERE tenant_id = $1 AND username = $2 AND kind = ANY($3::text[])',
  ),
};

/** The limiters' counters and windows on PostgreSQL. */
export function limitTables(db: PostgresDatabase): Pick<Storage, 'limits'> {
  return {
    limits: {
      async counter(key) {
        const row = await db.one(q.counter, [key]);
        return row ? toCounter(row) : undefined;
      },
      async counters(keys) {
        if (keys.length === 0) return [];
        return (await db.rows(q.counters, [keys])).map(toCounter);
      },
      async takeAttempt(s, expected, at) {
        if (expected === 0) return (await db.run(q.insertCounter, [s.key, s.kind, s.tenantId, s.username, at])) === 1;
        return (await db.run(q.bumpIf, [s.key, at, expected])) === 1;
      },
      async add(s, at) {
        return toCounter((await db.one(q.bump, [s.key, s.kind, s.tenantId, s.username, at])) as Row);
      },
      async clear(keys) {
        if (keys.length > 0) await db.run(q.clear, [keys]);
      },
      async admit(windows, at) {
        // Locks taken in one order, so two admissions over the same keys never wait for each other in a circle.
        const ordered = [...windows].sort((a, b) => (a.subject.key < b.subject.key ? -1 : a.subject.key > b.subject.key ? 1 : 0));
        return db.transaction(async (sql) => {
          for (const w of ordered) await sql.one(q.lock, [w.subject.key]);
          const counts: number[] = [];
          for (const w of windows) {
            await sql.run(q.drop, [w.subject.key, w.since]);
            const found = await sql.one(q.count, [w.subject.key, w.since]);
            if (Number(found?.n ?? 0) >= w.limit) return { admitted: false as const, key: w.subject.key, oldest: Number(found?.oldest) };
            counts.push(Number(found?.n ?? 0));
          }
          for (const { subject: s } of windows) await sql.run(q.insertEvent, [s.key, s.kind, s.tenantId, s.username, at]);
          const added = (key: string) => windows.filter((w) => w.subject.key === key).length;
          return { admitted: true as const, counts: counts.map((n, i) => n + added(windows[i].subject.key)) };
        });
      },
      async count(key, since) {
        const found = await db.one(q.count, [key, since]);
        const oldest = found?.oldest;
        return { count: Number(found?.n ?? 0), oldest: oldest === null || oldest === undefined ? null : Number(oldest) };
      },
      async forUser(tenantId, username, since) {
        return {
          counters: (await db.rows(q.userCounters, [tenantId, username])).map(toCounter),
          windows: (await db.rows(q.userWindows, [tenantId, username, since])).map((r) => ({
            key: String(r.key),
            kind: String(r.kind),
            count: Number(r.n),
            oldest: Number(r.oldest),
          })),
        };
      },
      async resetUser(tenantId, username, kinds) {
        await db.transaction(async (sql) => {
          await sql.run(q.resetCounters, [tenantId, username, kinds]);
          await sql.run(q.resetEvents, [tenantId, username, kinds]);
        });
      },
    },
  };
}
