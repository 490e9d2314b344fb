import type Database from 'better-sqlite3';
import type { Storage } from '../Storage';
import type { LimitCounter } from '../model';

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

/** The limiters' counters and windows on SQLite: each call one transaction (SQLite runs one writer at a time). */
export function limitTables(db: Database.Database): Pick<Storage, 'limits'> {
  const q = {
    counter: db.prepare('SELECT * FROM limit_counters WHERE key = ?'),
    insertCounter: db.prepare(
      `INSERT INTO limit_counters (key, kind, tenant_id, username, count, first_at, last_at)
       VALUES (@key, @kind, @tenantId, @username, 1, @at, @at) ON CONFLICT (key) DO NOTHING`,
    ),
    bumpIf: db.prepare('UPDATE limit_counters SET count = count + 1, last_at = @at WHERE key = @key AND count = @expected'),
    bump: db.prepare(
      `INSERT INTO limit_counters (key, kind, tenant_id, username, count, first_at, last_at)
       VALUES (@key, @kind, @tenantId, @username, 1, @at, @at)
       ON CONFLICT (key) DO UPDATE SET count = count + 1, last_at = excluded.last_at`,
    ),
    clear: db.prepare('DELETE FROM limit_counters WHERE key = ?'),
    drop: db.prepare('DELETE FROM limit_events WHERE key = ? AND at < ?'),
    count: db.prepare('SELECT count(*) AS n, min(at) AS oldest FROM limit_events WHERE key = ? AND at >= ?'),
    insertEvent: db.prepare(
      'INSERT INTO limit_events (key, kind, tenant_id, username, at) VALUES (@key, @kind, @tenantId, @username, @at)',
    ),
    userCounters: db.prepare('SELECT * FROM limit_counters WHERE tenant_id = ? AND username = ? ORDER BY key'),
    userWindows: db.prepare(
      `SELECT key, kind, count(*) AS n, min(at) AS oldest FROM limit_events WHERE tenant_id = ? AND username = ? AND at >= ?
       GROUP BY key, kind ORDER BY key`,
    ),
    resetCounters: db.prepare('DELETE FROM limit_counters WHERE tenant_id = ? AND username = ? AND kind = ?'),
    resetEvents: db.prepare('DELETE FROM limit_events WHERE tenant_id = ? AND username = ? AND kind = ?'),
  };
  const takeAttempt = db.transaction((params: Row & { expected: number }) => {
    if (params.expected === 0) return q.insertCounter.run(params).changes === 1;
    return q.bumpIf.run(params).changes === 1;
  });
  const admit = db.transaction((windows: Parameters<Storage['limits']['admit']>[0], at: number) => {
    for (const w of windows) {
      q.drop.run(w.subject.key, w.since);
      const found = q.count.get(w.subject.key, w.since) as Row;
      if (Number(found.n) >= w.limit) return { admitted: false as const, key: w.subject.key, oldest: Number(found.oldest) };
    }
    for (const w of windows) q.insertEvent.run({ ...w.subject, at });
    return { admitted: true as const };
  });
  const clear = db.transaction((keys: string[]) => {
    for (const key of keys) q.clear.run(key);
  });
  const resetUser = db.transaction((tenantId: string, username: string, kinds: string[]) => {
    for (const kind of kinds) {
      q.resetCounters.run(tenantId, username, kind);
      q.resetEvents.run(tenantId, username, kind);
    }
  });
  return {
    limits: {
      async counter(key) {
        const row = q.counter.get(key) as Row | undefined;
        return row ? toCounter(row) : undefined;
      },
      async takeAttempt(subject, expected, at) {
        return takeAttempt({ ...subject, expected, at });
      },
      async add(subject, at) {
        q.bump.run({ ...subject, at });
        return toCounter(q.counter.get(subject.key) as Row);
      },
      async clear(keys) {
        clear(keys);
      },
      async admit(windows, at) {
        return admit(windows, at);
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
