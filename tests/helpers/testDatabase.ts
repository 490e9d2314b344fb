/**
 * A fresh PostgreSQL database for a test: created on the server at NOD_TEST_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres), dropped again by `drop()`. Each name carries the
 * process id and random bytes, so parallel Vitest workers and other runs on the same server never
 * share one.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const testServerUrl = process.env.NOD_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  /** The URL of the new database (the server's URL with its path replaced). */
  url: string;
  drop(): Promise<void>;
}

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testServerUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at NOD_TEST_DATABASE_URL (${testServerUrl.replace(/:[^:@/]*@/, ':***@')}): ` +
        `${(error as Error).message}. Start it, or point NOD_TEST_DATABASE_URL at one (.ci/run does both).`,
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `nod_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  // template0: a copy of nothing, whatever someone added to template1 on this server.
  await onServer(async (client) => {
    await client.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
    // A test needs no commit to outlive a crash of the server: not waiting for each one's disk
    // write keeps a loaded machine fast. Visibility and locking, what the tests check, are unchanged.
    await client.query(`ALTER DATABASE ${name} SET synchronous_commit TO off`);
  });
  const url = new URL(testServerUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      // FORCE: a relay that did not close its pool must not leave the database behind.
      await onServer((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * Delete every row of every table but the migration record, so a test starts from nothing on the
 * migrated schema. DELETE in foreign-key order, not TRUNCATE: the tables hold a few rows, and
 * TRUNCATE makes new files for each table and index (slow on a busy disk).
 */
export async function emptyTables(client: pg.Client): Promise<void> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'nod_schema_migrations'`,
  );
  const { rows: references } = await client.query<{ child: string; parent: string }>(
    `SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint k
     JOIN pg_class child ON child.oid = k.conrelid JOIN pg_class parent ON parent.oid = k.confrelid
     WHERE k.contype = 'f' AND k.conrelid <> k.confrelid`,
  );
  // Referencing tables first: a table is emptied once every table that points at it is.
  const left = new Set(tables.map((t) => t.name));
  const order: string[] = [];
  while (left.size > 0) {
    const ready = [...left].filter((name) => !references.some((r) => r.parent === name && left.has(r.child)));
    if (ready.length === 0) throw new Error(`foreign keys form a cycle among ${[...left].join(', ')}`);
    for (const name of ready) {
      left.delete(name);
      order.push(name);
    }
  }
  await client.query(order.map((name) => `DELETE FROM "${name}";`).join(' '));
}
