import type pg from 'pg';
import { SchemaTooNewError } from '../SchemaTooNewError';
import { migrations } from './migrations';

/**
 * Bring the schema up to date, once, however many relays start together: the whole check and
 * every missing migration run in one transaction that first takes a database-wide advisory lock,
 * so the relays that wait behind it find the work done. PostgreSQL's DDL is transactional: a
 * migration that fails leaves nothing half-applied.
 */
export async function migrate(pool: pg.Pool, all: string[] = migrations): Promise<{ from: number; to: number }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('nod schema migrations', 0))`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS nod_schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM nod_schema_migrations');
    const from = rows[0].version ?? 0;
    if (from > all.length) throw new SchemaTooNewError('PostgreSQL', from, all.length);
    for (let version = from; version < all.length; version++) {
      await client.query(all[version]);
      await client.query('INSERT INTO nod_schema_migrations (version) VALUES ($1)', [version + 1]);
    }
    await client.query('COMMIT');
    client.release();
    return { from, to: Math.max(from, all.length) };
  } catch (error) {
    await client.query('ROLLBACK').then(
      () => client.release(),
      (rollbackError: Error) => client.release(rollbackError),
    );
    throw error;
  }
}
