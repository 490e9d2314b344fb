import type Database from 'better-sqlite3';
import type { Storage } from '../Storage';
import type { LimitCounter, LimitSubject, LimitWindow } from '../model';
import { changedRow } from './changedRow';

type Row = Record<string, unknown>;

const toCounter = (r: Row): LimitCounter => ({
  key: String(r.key),
  kind: String(r.kind),
  tenantId: String(r.tenant_id),
  username: r.username === null ? null : String(r.username),
  count: Number(r.count),
  firstAt: Number(r.first_at),
  lastAt: Number(r.last_at),
});

/** A user's counters and events of some kinds removed; other tables call it inside their own transactions. */
export function userResetter(
  db: Database.Database,
  tables: Array<'limit_counters' | 'limit_events'> = ['limit_counters', 'limit_events'],
): (tenantId: string, username: string, kinds: string[]) => void {
  const deletes = tables.map((table) =>
    db.prepare(`DELETE FROM ${table} WHERE tenant_id = ? AND username = ? AND kind IN (SELECT value FROM json_each(?))`),
  );
  return (tenantId, username, kinds) => {
    for (const statement of deletes) statement.run(tenantId, username, JSON.stringify(kinds));
  };
}

/** The limiters' counters and windows on SQLite: each call one transaction (SQLite runs one writer at a time). */
export function limitTables(db: Database.Database): Pick<Storage, 'limits'> {
  const q = {
    counter: db.prepare('SELECT * FROM limit_counters WHERE key = ?'),
    counters: db.prepare('SELECT * FROM limit_counters WHERE key IN (SELECT value FROM json_each(?))'),
    insertCounter: db.prepare(
      `INSERT INTO limit_counters (key, kind, tenant_id, username, count, first_at, last_at)
       VALUES (@key, @kind, @tenantId, @username, 1, @at, @at) ON CONFLICT (key) DO NOTHING`,
    ),
    bumpIf: db.prepare('UPDATE limit_counters SET count = count + 1, last_at = @at WHERE key = @key AND count = @expected'),
    bump: db.prepare(
      `INSERT INTO limit_counters (key, kind, tenant_id, username, count, first_at, last_at)
       VALUES (@key, @kind, @tenantId, @username, 1, @at, @at)
       ON CONFLICT (key) DO UPDATE SET count = count + 1, last_at = excluded.last_at RETURNING *`,
    ),
    clear: db.prepare('DELETE FROM limit_counters WHERE key = ?'),
    count: db.prepare('SELECT count(*) AS n, min(at) AS oldest FROM limit_events WHERE key = ? AND at >= ?'),
    userCounters: db.prepare('SELECT * FROM limit_counters WHERE tenant_id = ? AND username = ? ORDER BY key'),
    userWindows: db.prepare(
      `SELECT key, kind, count(*) AS n, min(at) AS oldest FROM limit_events WHERE tenant_id = ? AND username = ? AND at >= ?
       GROUP BY key, kind ORDER BY key`,
    ),
  };
  /**
   * One statement each for every window of an admission, prepared once per number of windows:
   * read each window's count — its key's number of stored events, kept by triggers (migration 13)
   * so the window's events are not counted, less its events from before the window (normally
   * none: they are dropped as they fall out) — its oldest event, and how many fell out; drop
   * those, only when there are any; add one event to each window.
   */
  const windowStatements = new Map<number, { drop: Database.Statement; count: Database.Statement; insert: Database.Statement }>();
  const statementsFor = (n: number) => {
    let found = windowStatements.get(n);
    if (!found) {
      const terms = (op: string) => Array.from({ length: n }, () => `(key = ? AND at ${op} ?)`).join(' OR ');
      found = {
        drop: db.prepare(`DELETE FROM limit_events WHERE ${terms('<')}`),
        count: db.prepare(
          `WITH w(key, since) AS (VALUES ${Array.from({ length: n }, () => '(?, ?)').join(', ')}),
             s AS (SELECT w.key, w.since, (SELECT count(*) FROM limit_events e WHERE e.key = w.key AND e.at < w.since) AS stale FROM w)
           SELECT s.key, coalesce((SELECT c.count FROM limit_event_counts c WHERE c.key = s.key), 0) - s.stale AS n, s.stale,
             (SELECT min(e.at) FROM limit_events e WHERE e.key = s.key AND e.at >= s.since) AS oldest
           FROM s`,
        ),
        insert: db.prepare(
          `INSERT INTO limit_events (key, kind, tenant_id, username, at) VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?)').join(', ')}`,
        ),
      };
      windowStatements.set(n, found);
    }
    return found;
  };
  const takeAttempt = db.transaction((params: Row & { expected: number }) => {
    if (params.expected === 0) return q.insertCounter.run(params).changes === 1;
    return q.bumpIf.run(params).changes === 1;
  });
  const admit = db.transaction((windows: LimitWindow[], at: number, bump?: LimitSubject) => {
    const bumped = bump ? () => toCounter(changedRow(q.bump, { ...bump, at }) as Row) : () => undefined;
    if (windows.length === 0) return { admitted: true as const, counts: [], bumped: bumped() };
    const s = statementsFor(windows.length);
    const bounds = windows.flatMap((w) => [w.subject.key, w.since]);
    const rows = s.count.all(...bounds) as Row[];
    if (rows.some((r) => Number(r.stale) > 0)) s.drop.run(...bounds);
    const found = new Map(rows.map((r) => [String(r.key), { n: Number(r.n), oldest: Number(r.oldest) }]));
    for (const w of windows) {
      const seen = found.get(w.subject.key);
      if (seen && seen.n >= w.limit) return { admitted: false as const, key: w.subject.key, oldest: seen.oldest };
    }
    s.insert.run(...windows.flatMap(({ subject: e }) => [e.key, e.kind, e.tenantId, e.username, at]));
    const added = (key: string) => windows.filter((w) => w.subject.key === key).length;
    return {
      admitted: true as const,
      counts: windows.map((w) => (found.get(w.subject.key)?.n ?? 0) + added(w.subject.key)),
      bumped: bumped(),
    };
  });
  const clear = db.transaction((keys: string[]) => {
    for (const key of keys) q.clear.run(key);
  });
  const resetUser = db.transaction(userResetter(db));
  return {
    limits: {
      async counter(key) {
        const row = q.counter.get(key) as Row | undefined;
        return row ? toCounter(row) : undefined;
      },
      async counters(keys) {
        if (keys.length === 0) return [];
        return (q.counters.all(JSON.stringify(keys)) as Row[]).map(toCounter);
      },
      async takeAttempt(subject, expected, at) {
        return takeAttempt({ ...subject, expected, at });
      },
      async add(subject, at) {
        return toCounter(changedRow(q.bump, { ...subject, at }) as Row);
      },
      async clear(keys) {
        clear(keys);
      },
      async admit(windows, at, bump) {
        return admit(windows, at, bump);
      },
      async count(key, since) {
        const found = q.count.get(key, since) as Row;
        return { count: Number(found.n), oldest: found.oldest === null ? null : Number(found.oldest) };
      },
      async forUser(tenantId, username, since) {
        return {
          counters: (q.userCounters.all(tenantId, username) as Row[]).map(toCounter),
          windows: (q.userWindows.all(tenantId, username, since) as Row[]).map((r) => ({
            key: String(r.key),
            kind: String(r.kind),
            count: Number(r.n),
            oldest: Number(r.oldest),
          })),
        };
      },
      async resetUser(tenantId, username, kinds) {
        resetUser(tenantId, username, kinds);
      },
    },
  };
}
