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
  /*
   * An admission over all its windows in one call (migration 10, nod_limit_admit): one lock per
   * window key for the transaction, taken in the order given (admissions of the same key wait for
   * each other, on any relay); the events before each window dropped and each window counted
   * (its key's number of stored events, kept by triggers, less those dropped); when none is full,
   * one event added to each (with the admission's counter, if any).
   */
  admit: statement(
    'limit_admit',
    `SELECT * FROM nod_limit_admit($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint,
       $9::text, $10::text, $11::text, $12::text)`,
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
        const subjects = windows.map((w) => w.subject);
        // One call (migration 10): the locks, the drop and count, the decision and the additions.
        const rows = await db.rows(q.admit, [
          keys,
          windows.map((w) => w.since),
          windows.map((w) => w.limit),
          ordered,
          subjects.map((s) => s.kind),
          subjects.map((s) => s.tenantId),
          subjects.map((s) => s.username),
          at,
          bump?.key ?? null,
          bump?.kind ?? null,
          bump?.tenantId ?? null,
          bump?.username ?? null,
        ]);
        const found = new Map(rows.map((r) => [String(r.key), { n: Number(r.n), oldest: Number(r.oldest) }]));
        const refused = rows[0]?.refused;
        if (refused !== null && refused !== undefined) {
          return { admitted: false as const, key: String(refused), oldest: found.get(String(refused))?.oldest ?? 0 };
        }
        const first = rows[0];
        const bumped =
          bump && first
            ? toCounter({
                key: bump.key,
                kind: first.bumped_kind,
                tenant_id: first.bumped_tenant_id,
                username: first.bumped_username,
                count: first.bumped_count,
                first_at: first.bumped_first_at,
                last_at: first.bumped_last_at,
              })
            : undefined;
        const added = (key: string) => keys.filter((k) => k === key).length;
        return { admitted: true as const, counts: keys.map((key) => (found.get(key)?.n ?? 0) + added(key)), bumped };
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
