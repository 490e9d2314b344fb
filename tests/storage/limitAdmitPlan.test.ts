import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../server/storage/postgres/migrate';
import { createTestDatabase } from '../helpers/testDatabase';

/**
 * PostgreSQL migration 14: an admission (nod_limit_admit) reaches the events it drops through its
 * windows' keys, whatever the plan its connection made. Planned while limit_events looked empty
 * (just analyzed), the old DELETE read every event of every key on each later admission.
 */
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const admit = (key: string, since: number, at: number): [string, unknown[]] => [
  `SELECT * FROM nod_limit_admit($1::text[], $2::bigint[], $3::bigint[], $1::text[], ARRAY['pushes'], ARRAY['tenant-1'], ARRAY[NULL]::text[],
       $4::bigint, NULL, NULL, NULL, NULL)`,
  [[key], [since], [1_000_000], at],
];

describe('PostgreSQL migration 14 (an admission drops events by key)', () => {
  it('a connection that planned its admissions on an empty table still reads only its windows’ events once there are thousands', async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    cleanups.push(() => pool.end());
    await migrate(pool);
    const client = await pool.connect();
    cleanups.push(() => client.release());
    await client.query('VACUUM ANALYZE limit_events');
    // The first admission on this connection plans every statement of the function (generic plans).
    expect((await client.query(...admit('alice', 0, 100))).rows).toMatchObject([{ key: 'alice', n: '0' }]);
    // Thousands of another key's events arrive, old enough that a window from 0 would drop them.
    await client.query(
      `INSERT INTO limit_events (key, kind, tenant_id, username, at) SELECT 'crowd', 'pushes', 'tenant-1', NULL, i FROM generate_series(1, 3000) AS i`,
    );
    await client.query('BEGIN');
    try {
      // A window that drops alice's first event: only alice's events are read, and only hers go.
      expect((await client.query(...admit('alice', 200, 300))).rows).toMatchObject([{ key: 'alice', n: '0', refused: null }]);
      const read = await client.query<{ fetched: string }>(
        `SELECT idx_tup_fetch + seq_tup_read AS fetched FROM pg_stat_xact_user_tables WHERE relname = 'limit_events'`,
      );
      expect(Number(read.rows[0].fetched)).toBeLessThan(100);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    const counts = await client.query(`SELECT key, count(*)::int AS n FROM limit_events GROUP BY key ORDER BY key`);
    expect(counts.rows).toEqual([
      { key: 'alice', n: 1 },
      { key: 'crowd', n: 3000 },
    ]);
  });
});
