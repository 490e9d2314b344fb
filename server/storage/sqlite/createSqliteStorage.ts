import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Storage } from '../Storage';
import { auditTable } from './auditTable';
import { credentialTables } from './credentialTables';
import { identityTables } from './identityTables';
import { oidcTables } from './oidcTables';
import { openDatabase } from './openDatabase';
import { signInTables } from './signInTables';

/** The embedded default: one SQLite file (WAL) under the data directory. */
export function createSqliteStorage(dataDir: string): Storage & { database: Database.Database } {
  const file = path.join(dataDir, 'nod.sqlite');
  const db = openDatabase(file);
  return {
    database: db,
    ...identityTables(db),
    ...credentialTables(db),
    ...signInTables(db),
    ...oidcTables(db),
    ...auditTable(db),
    async close() {
      db.close();
    },
  };
}
