import type { Storage } from '../Storage';
import { SchemaTooNewError } from '../SchemaTooNewError';
import { auditTable } from './auditTable';
import { credentialTables } from './credentialTables';
import { postgresDatabase } from './database';
import { identityTables } from './identityTables';
import { migrate } from './migrate';
import { oidcTables } from './oidcTables';
import { openPool } from './openPool';
import { signInTables } from './signInTables';

/** Where the database is, for messages: never the password. */
const whereIs = (url: string) => {
  const { hostname, port, pathname } = new URL(url);
  return `${hostname || 'localhost'}${port ? `:${port}` : ''}${pathname.length > 1 ? pathname : ''}`;
};

export interface PostgresStorageOptions {
  /** Told about a pooled connection lost while idle (the pool opens a new one when needed). */
  onIdleError?: (error: Error) => void;
}

/**
 * The relay's state in PostgreSQL (NOD_DATABASE_URL), shared by every relay pointed at it: a pool
 * of connections, the schema migrated (once, under a lock) before the first query.
 */
export async function createPostgresStorage(
  url: string,
  options: PostgresStorageOptions = {},
): Promise<Storage & { database: ReturnType<typeof postgresDatabase> }> {
  const pool = openPool(url, options.onIdleError ?? (() => {}));
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    if (error instanceof SchemaTooNewError) throw error;
    throw new Error(`PostgreSQL at ${whereIs(url)}: ${(error as Error).message}`, { cause: error });
  }
  const db = postgresDatabase(pool);
  return {
    database: db,
    ...identityTables(db),
    ...credentialTables(db),
    ...signInTables(db),
    ...oidcTables(db),
    ...auditTable(db),
    async close() {
      await pool.end();
    },
  };
}
