import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Storage } from '../Storage';
import { StorageUnavailableError } from '../StorageUnavailableError';
import { mapStorageErrors, wrapMethods } from '../mapStorageErrors';
import { adminRoleTable } from './adminRoleTable';
import { auditTable } from './auditTable';
import { checkpointInBackground } from './checkpointInBackground';
import { batchNotCommitted, classifySqliteError } from './classifySqliteError';
import { credentialTables } from './credentialTables';
import { groupCommit } from './groupCommit';
import { identityTables } from './identityTables';
import { limitTables } from './limitTables';
import { migrations } from './migrations';
import { oidcTables } from './oidcTables';
import { openDatabase } from './openDatabase';
import { signInTables } from './signInTables';
import { trustTables } from './trustTables';

/**
 * The embedded default: one SQLite file (WAL) under the data directory, its writes committed in
 * batches, one per event-loop turn (see groupCommit). Storage trouble — at
 * opening or in any method — is thrown as StorageUnavailableError (see classifySqliteError).
 */
export function createSqliteStorage(dataDir: string): Storage & { database: Database.Database } {
  const file = path.join(dataDir, 'nod.sqlite');
  let db: Database.Database;
  try {
    db = openDatabase(file);
  } catch (error) {
    throw classifySqliteError(error);
  }
  const checkpoints = checkpointInBackground(db);
  const probe = db.prepare(
    'INSERT INTO storage_probe (id, written_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET written_at = excluded.written_at',
  );
  const batches = groupCommit(db, batchNotCommitted);
  const tables = {
    ...identityTables(db),
    ...credentialTables(db),
    ...signInTables(db),
    ...limitTables(db),
    ...oidcTables(db),
    ...auditTable(db),
    ...trustTables(db),
    ...adminRoleTable(db),
  };
  const storage: Storage & { database: Database.Database } = {
    database: db,
    // Every method joins the batch of its event-loop turn (see groupCommit).
    ...wrapMethods(
      tables,
      (method, self) =>
        (...args) =>
          batches.run(() => method.apply(self, args) as Promise<unknown>),
    ),
    ready(now) {
      return batches.run(async () => {
        const version = db.pragma('user_version', { simple: true }) as number;
        if (version !== migrations.length) {
          throw new StorageUnavailableError('schema', `user_version ${version}`, {
            detail: `the data is at schema version ${version}; this relay knows ${migrations.length}`,
          });
        }
        probe.run(now);
      });
    },
    async close() {
      await batches.close();
      await checkpoints.stop();
      db.close();
    },
  };
  return mapStorageErrors(storage, classifySqliteError);
}
