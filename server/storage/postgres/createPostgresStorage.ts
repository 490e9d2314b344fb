import type { Storage } from '../Storage';
import { SchemaTooNewError } from '../SchemaTooNewError';
import { StorageUnavailableError } from '../StorageUnavailableError';
import { mapStorageErrors } from '../mapStorageErrors';
import { adminRoleTable } from './adminRoleTable';
import { auditTable } from './auditTable';
import { classifyPostgresError } from './classifyPostgresError';
import { credentialTables } from './credentialTables';
import { type PostgresDatabase, postgresDatabase, statement } from './database';
import { identityTables } from './identityTables';
import { migrate } from './migrate';
import { limitTables } from './limitTables';
import { migrations } from './migrations';
import { oidcTables } from './oidcTables';
import { openPool } from './openPool';
import { signInTables } from './signInTables';
import { trustTables } from './trustTables';

/** Where the database is, for messages: never the password. */
const whereIs = (url: string) => {
  const { hostname, port, pathname } = new URL(url);
  return `${hostname || 'localhost'}${port ? `:${port}` : ''}${pathname.length > 1 ? pathname : ''}`;
};

const schemaVersion = statement('schema_version', 'SELECT max(version) AS version FROM nod_schema_migrations');
const probe = statement(
  'storage_probe',
  'INSERT INTO storage_probe (id, written_at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET written_at = excluded.written_at',
);

export interface PostgresStorageOptions {
  /** Told about a pooled connection lost while idle (the pool opens a new one when needed). */
  onIdleError?: (error: Error) => void;
}

/**
 * The relay's state in PostgreSQL (NOD_DATABASE_URL), shared by every relay pointed at it: a pool
 * of connections, the schema migrated (once, under a lock) before the first query. Storage
 * trouble — at opening or in any method — is thrown as StorageUnavailableError (see
 * classifyPostgresError); a database migrated by a newer relay, as SchemaTooNewError.
 */
export async function createPostgresStorage(
  url: string,
  options: PostgresStorageOptions = {},
): Promise<Storage & { database: PostgresDatabase }> {
  const pool = openPool(url, options.onIdleError ?? (() => {}));
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    if (error instanceof SchemaTooNewError) throw error;
    const trouble = classifyPostgresError(error);
    const detail = `PostgreSQL at ${whereIs(url)}: ${(error as Error).message}`;
    if (trouble instanceof StorageUnavailableError) {
      throw new StorageUnavailableError(trouble.kind, trouble.backendCode, { cause: error, detail });
    }
    throw new Error(detail, { cause: error });
  }
  const db = postgresDatabase(pool);
  const storage: Storage & { database: PostgresDatabase } = {
    database: db,
    ...identityTables(db),
    ...credentialTables(db),
    ...signInTables(db),
    ...limitTables(db),
    ...oidcTables(db),
    ...auditTable(db),
    ...trustTables(db),
    ...adminRoleTable(db),
    async ready(now) {
      // Another relay may have migrated the database past this one (a rolling upgrade).
      const version = Number((await db.one(schemaVersion, []))?.version ?? 0);
      if (version !== migrations.length) {
        throw new StorageUnavailableError('schema', `version ${version}`, {
          detail: `the data is at schema version ${version}; this relay knows ${migrations.length}`,
        });
      }
      await db.run(probe, [now]);
    },
    async close() {
      await db.close();
      await pool.end();
    },
  };
  return mapStorageErrors(storage, classifyPostgresError);
}
