import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresStorage } from '../../server/storage/postgres/createPostgresStorage';
import { migrate } from '../../server/storage/postgres/migrate';
import { migrations } from '../../server/storage/postgres/migrations';
import { createTestDatabase } from '../helpers/testDatabase';

/**
 * PostgreSQL migration 13: a collector's and a username's pending requests are found through
 * indexes of pending requests alone, and a source's limit events (no username) stay out of the
 * index by user. A database migrated from the schema before it answers as one made with it: the
 * requests and events stored before the upgrade are found, and so are the changes made after it.
 */
const upgrade = migrations.findIndex((sql) => sql.includes('sign_in_requests_pending_collector'));
const now = 1_000_000;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A request row as the schema before the upgrade stores it. */
const requestRow = (id: string, collectorKey: string, username: string, status: string, createdAt: number, expiresAt: number) => [
  id,
  username,
  collectorKey,
  status,
  createdAt,
  expiresAt,
];
const insertRequest = `INSERT INTO sign_in_requests (id, tenant_id, user_id, username, kind, origin, context, number, nonce,
    collector_hash, collector_key, browser_device_id, status, reason, deliverable, created_at, expires_at, ip, user_agent, collector_known)
  VALUES ($1, 'tenant-1', NULL, $2, 'phone', 'https://app.example', '{}', 12, 'nonce', 'hash', $3, NULL, $4, NULL, true, $5, $6, NULL, NULL, true)`;

/** The generic plan (as the relay's prepared statements get) of a statement, as JSON text. */
const genericPlan = (client: pg.Client) => async (sql: string, types: string[], values: Array<string | number>) => {
  await client.query('SET plan_cache_mode = force_generic_plan');
  await client.query(`PREPARE probe (${types.join(', ')}) AS ${sql}`);
  try {
    const explained = await client.query(
      `EXPLAIN (FORMAT JSON) EXECUTE probe (${values.map((v) => client.escapeLiteral(String(v))).join(', ')})`,
    );
    return JSON.stringify(explained.rows[0]['QUERY PLAN']);
  } finally {
    await client.query('DEALLOCATE probe');
  }
};

describe('PostgreSQL migration 13 (indexes of pending requests)', () => {
  it('a database upgraded onto it finds the requests and limit events stored before, and the changes after', async () => {
    expect(upgrade).toBeGreaterThan(0);
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    try {
      expect(await migrate(pool, migrations.slice(0, upgrade))).toEqual({ from: 0, to: upgrade });
      for (const row of [
        requestRow('r1', 'ck-a', 'alice', 'pending', now - 100, now + 1_000),
        requestRow('r2', 'ck-a', 'alice', 'approved', now - 300, now + 1_000),
        requestRow('r3', 'ck-a', 'alice', 'pending', now - 200, now + 1_000),
        requestRow('r4', 'ck-b', 'alice', 'pending', now - 400, now - 1),
        requestRow('r5', 'ck-b', 'bob', 'pending', now - 50, now + 1_000),
      ])
        await pool.query(insertRequest, row);
      for (const [key, username, at] of [
        ['pushes|tenant-1|alice', 'alice', now - 10],
        ['pushes|tenant-1|alice', 'alice', now - 20],
        ['source-pushes|tenant-1|ip:192.0.2.1', null, now - 15],
      ] as const)
        await pool.query(`INSERT INTO limit_events (key, kind, tenant_id, username, at) VALUES ($1, 'pushes', 'tenant-1', $2, $3)`, [
          key,
          username,
          at,
        ]);
    } finally {
      await pool.end();
    }

    const storage = await createPostgresStorage(database.url);
    cleanups.push(() => storage.close());
    const requests = storage.signInRequests;
    const ids = async (collectorKey: string) => (await requests.pendingForCollector(collectorKey)).map((r) => r.id);
    // Pending only, oldest first; an expired-by-time request is still pending until the sweep says so.
    expect(await ids('ck-a')).toEqual(['r3', 'r1']);
    expect(await ids('ck-b')).toEqual(['r4', 'r5']);
    expect(await requests.countPending('tenant-1', 'alice', now)).toBe(2);
    expect(await requests.countPending('tenant-1', 'bob', now)).toBe(1);

    // A request that leaves pending leaves both lookups; one that arrives joins them.
    expect(await requests.transition('r3', 'pending', { status: 'denied', reason: 'user_denied', answeredAt: now }, now)).toMatchObject({
      status: 'denied',
    });
    const before = await requests.byId('r1');
    await requests.create({ ...before!, id: 'r6', createdAt: now, expiresAt: now + 1_000 });
    expect(await ids('ck-a')).toEqual(['r1', 'r6']);
    expect(await requests.countPending('tenant-1', 'alice', now)).toBe(2);
    expect(
      await requests.transition('r1', 'pending', { status: 'approved', reason: null, answeredAt: now, answeredBy: 'g1' }, now),
    ).toBeDefined();
    expect(await requests.transition('r1', 'approved', { status: 'redeemed', reason: null }, now)).toBeDefined();
    expect(await ids('ck-a')).toEqual(['r6']);
    expect(await requests.countPending('tenant-1', 'alice', now)).toBe(1);

    // The user's events are found by user and reset; the source's (no username) stay counted.
    const windows = (await storage.limits.forUser('tenant-1', 'alice', now - 100)).windows;
    expect(windows).toEqual([{ key: 'pushes|tenant-1|alice', kind: 'pushes', count: 2, oldest: now - 20 }]);
    await storage.limits.resetUser('tenant-1', 'alice', ['pushes']);
    expect((await storage.limits.forUser('tenant-1', 'alice', now - 100)).windows).toEqual([]);
    expect(await storage.limits.count('pushes|tenant-1|alice', now - 100)).toEqual({ count: 0, oldest: null });
    expect(await storage.limits.count('source-pushes|tenant-1|ip:192.0.2.1', now - 100)).toEqual({ count: 1, oldest: now - 15 });

    // The lookups are served by indexes of pending requests (a status change leaves them alone), and
    // only they are: a change of one request by id never scans them (their predicates name columns
    // such a change does not), as the generic plans of a fresh table would otherwise choose.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const indexes = new Map(
        (
          await client.query<{ indexname: string; indexdef: string }>(
            `SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('sign_in_requests', 'limit_events')`,
          )
        ).rows.map((i) => [i.indexname, i.indexdef]),
      );
      expect(indexes.has('sign_in_requests_collector')).toBe(false);
      expect(indexes.has('sign_in_requests_username')).toBe(false);
      expect(indexes.get('limit_events_user')).toContain('WHERE (username IS NOT NULL)');
      // Planned on the statistics of a table in use (two thousand requests of two hundred collectors,
      // one in ten pending; analyzed, as autovacuum leaves it), as the relay's connections plan once.
      await client.query(
        `INSERT INTO sign_in_requests (id, tenant_id, user_id, username, kind, origin, context, number, nonce, collector_hash,
           collector_key, browser_device_id, status, reason, deliverable, created_at, expires_at, ip, user_agent, collector_known)
         SELECT 'bulk-' || i, 'tenant-1', NULL, 'user-' || i % 200, 'phone', 'https://app.example', '{}', 12, 'nonce', 'hash',
           'ck-' || i % 200, NULL, CASE WHEN i % 10 = 0 THEN 'pending' ELSE 'redeemed' END, NULL, true, i, $1, NULL, NULL, true
         FROM generate_series(1, 2000) AS i`,
        [now + 1_000],
      );
      await client.query('ANALYZE sign_in_requests');
      const plan = genericPlan(client);
      const collector = await plan(
        `SELECT * FROM sign_in_requests WHERE collector_key = $1 AND status = 'pending' ORDER BY created_at`,
        ['text'],
        ['ck-a'],
      );
      expect(collector).toContain('sign_in_requests_pending_collector');
      const pending = await plan(
        `SELECT count(*) FROM sign_in_requests WHERE tenant_id = $1 AND username = $2 AND status = 'pending' AND expires_at > $3`,
        ['text', 'text', 'bigint'],
        ['tenant-1', 'alice', now],
      );
      expect(pending).toContain('sign_in_requests_pending_username');
    } finally {
      await client.end();
    }
  });

  it('on a fresh database, a change of one request by id is not planned through the pending lookups’ indexes', async () => {
    // Their predicates name a column such a change does not (the collector, the username): on a
    // table with no statistics yet, the generic plan would otherwise scan one of them whole.
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    cleanups.push(() => pool.end());
    await migrate(pool);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    cleanups.push(() => client.end());
    const answer = await genericPlan(client)(
      `UPDATE sign_in_requests SET status = $2 WHERE id = $1 AND status = 'pending' AND expires_at > $3`,
      ['text', 'text', 'bigint'],
      ['r1', 'approved', now],
    );
    expect(answer).not.toContain('sign_in_requests_pending_collector');
    expect(answer).not.toContain('sign_in_requests_pending_username');
  });
});
