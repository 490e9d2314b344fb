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

/** A user's counters or events of some kinds removed ($first tenant, then username, then kinds): other statements reuse it. */
export const resetUserSql = (table: 'limit_counters' | 'limit_events', first: number) =>
  `DELETE FROM ${table} WHERE tenant_id = $${first}::text AND username = $${first + 1}::text AND kind = ANY($${first + 2}::text[])`;

const insertEvents = `INSERT INTO limit_events (key, kind, tenant_id, username, at)
  SELECT key, kind, tenant_id, username, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS w(key, kind, tenant_id, username)`;

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
  /*
   * An admission, one statement per step for all its windows ($1 the keys, $2 each window's `since`):
   * one lock per window key for the transaction, taken in the order given (admissions of the same
   * key wait for each other, on any relay); the events before each window dropped and each window
   * counted; one event added to each (with the admission's counter, if any).
   */
  lock: statement('limit_lock', `SELECT count(pg_advisory_xact_lock(hashtextextended(k, 7))) FROM unnest($1::text[]) AS k`),
  /*
   * The drop and the count in one statement. A window's count is its key's number of stored events
   * (kept by triggers, migration 9) less those this statement drops: the whole statement sees the
   * counts from before it, and the triggers run after it. Its oldest event is an index lookup.
   */
  dropAndCount: statement(
    'limit_drop_and_count',
    `WITH dropped AS (
       DELETE FROM limit_events e USING unnest($1::text[], $2::bigint[]) AS w(key, since)
       WHERE e.key = w.key COLLATE "C" AND e.at < w.since
       RETURNING e.key
     )
     SELECT w.key,
       coalesce((SELECT c.count FROM limit_event_counts c WHERE c.key = w.key COLLATE "C"), 0)
         - (SELECT count(*) FROM dropped d WHERE d.key = w.key COLLATE "C") AS n,
       (SELECT min(e.at) FROM limit_events e WHERE e.key = w.key COLLATE "C" AND e.at >= w.since) AS oldest
     FROM (SELECT DISTINCT key, since FROM unnest($1::text[], $2::bigint[]) AS u(key, since)) AS w`,
  ),
  insertEvents: statement('limit_insert_events', insertEvents),
  // The events and the admission's counter ($6–$9: key, kind, tenant, username) in one statement.
  insertEventsAndBump: statement(
    'limit_insert_events_and_bump',
    `WITH added AS (${insertEvents})
     INSERT INTO limit_counters (key, kind, tenant_id, username, count, first_at, last_at)
     VALUES ($6, $7, $8, $9, 1, $5, $5)
     ON CONFLICT (key) DO UPDATE SET count = limit_counters.count + 1, last_at = excluded.last_at RETURNING *`,
  ),
  count: statement('limit_count', 'SELECT count(*) AS n, min(at) AS oldest FROM limit_events WHERE key = $1 AND at >= $2'),
  userCounters: statement('limit_user_counters', 'SELECT * FROM limit_counters WHERE tenant_id = $1 AND username = $2 ORDER BY key'),
  userWindows: statement(
    'limit_user_windows',
    `SELECT key, kind, count(*) AS n, min(at) AS oldest FROM limit_events WHERE tenant_id = $1 AND username = $2 AND at >= $3
     GROUP BY key, kind ORDER BY key`,
  ),
  resetCounters: statement('limit_reset_counters', resetUserSql('limit_counters', 1)),
  resetEvents: statement('limit_reset_events', resetUserSql('limit_events', 1)),
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
      async admit(windows, at, bump) {
        if (windows.length === 0) {
          const bumped = bump
            ? toCounter((await db.one(q.bump, [bump.key, bump.kind, bump.tenantId, bump.username, at])) as Row)
            : undefined;
          return { admitted: true as const, counts: [], bumped };
        }
        // Locks taken in one order, so two admissions over the same keys never wait for each other in a circle.
        const ordered = windows.map((w) => w.subject.key).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const keys = windows.map((w) => w.subject.key);
        const since = windows.map((w) => w.since);
        return db.transaction(async (sql) => {
          await sql.one(q.lock, [ordered]);
          const found = new Map(
            (await sql.rows(q.dropAndCount, [keys, since])).map((r) => [String(r.key), { n: Number(r.n), oldest: Number(r.oldest) }]),
          );
          for (const w of windows) {
            const seen = found.get(w.subject.key);
            if (seen && seen.n >= w.limit) return { admitted: false as const, key: w.subject.key, oldest: seen.oldest };
          }
          const subjects = windows.map((w) => w.subject);
          const events = [keys, subjects.map((s) => s.kind), subjects.map((s) => s.tenantId), subjects.map((s) => s.username), at];
          let bumped: LimitCounter | undefined;
          if (bump)
            bumped = toCounter(
              (await sql.one(q.insertEventsAndBump, [...events, bump.key, bump.kind, bump.tenantId, bump.username])) as Row,
            );
          else await sql.run(q.insertEvents, events);
          const added = (key: string) => keys.filter((k) => k === key).length;
          return { admitted: true as const, counts: keys.map((key) => (found.get(key)?.n ?? 0) + added(key)), bumped };
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
