import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../server/storage/postgres/migrate';
import { signInStatements, transitionStatement } from '../../server/storage/postgres/signInTables';
import { type TestDatabase, createTestDatabase } from '../helpers/testDatabase';

/**
 * The relay prepares its statements once per connection, and PostgreSQL soon gives a prepared
 * statement a generic plan that the connection keeps. On a new database (no statistics yet, as on a
 * first day, or wherever autovacuum is off) such a plan must still find one request by its id and
 * one user's requests by that user, never read a whole index: these are on every sign-in's path.
 */
let database: TestDatabase;
let client: pg.Client;
beforeAll(async () => {
  database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  await migrate(pool);
  await pool.end();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query('SET plan_cache_mode = force_generic_plan');
});
afterAll(async () => {
  await client?.end();
  await database?.drop();
});

/** The indexes (and tables read whole) of a statement's generic plan, with the values it is run with. */
async function planOf(sql: string, values: unknown[]): Promise<{ indexes: string[]; seqScans: string[] }> {
  await client.query(`PREPARE probe AS ${sql}`);
  try {
    const literals = values.map((v) => (v === null ? 'NULL' : client.escapeLiteral(String(v))));
    const explained = await client.query(`EXPLAIN (FORMAT JSON) EXECUTE probe (${literals.join(', ')})`);
    const indexes: string[] = [];
    const seqScans: string[] = [];
    const walk = (node: Record<string, unknown>) => {
      if (typeof node['Index Name'] === 'string') indexes.push(node['Index Name']);
      if (node['Node Type'] === 'Seq Scan') seqScans.push(String(node['Relation Name']));
      for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    walk(explained.rows[0]['QUERY PLAN'][0].Plan);
    return { indexes, seqScans };
  } finally {
    await client.query('DEALLOCATE probe');
  }
}

describe('PostgreSQL: generic plans of the sign-in path on a new database', () => {
  it('an answer and an expiry change one request through its primary key', async () => {
    for (const change of ['answer', 'expire'] as const) {
      const plan = await planOf(transitionStatement(change, false, undefined).text, [
        'r1',
        change === 'answer' ? 'approved' : 'expired',
        null,
        1_000,
        null,
        'pending',
        1_000,
      ]);
      expect(plan.indexes, change).toEqual(['sign_in_requests_pkey']);
      expect(plan.seqScans, change).toEqual([]);
    }
  });

  it("a user's pending requests are read by that user", async () => {
    const plan = await planOf(signInStatements.pendingForUser.text, ['tenant-1', 'user-1', 1_000, 'pending']);
    expect(plan.indexes).toEqual(['sign_in_requests_user']);
  });
});
