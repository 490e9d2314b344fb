import type { RelayConfig } from '../config';
import type { Storage } from './Storage';
import { createPostgresStorage } from './postgres/createPostgresStorage';
import { createSqliteStorage } from './sqlite/createSqliteStorage';

/** The storage the configuration names: PostgreSQL when NOD_DATABASE_URL is set, else the SQLite file in the data directory. */
export async function openStorage(config: RelayConfig, options: { onIdleError?: (error: Error) => void } = {}): Promise<Storage> {
  if (config.databaseUrl) return createPostgresStorage(config.databaseUrl, options);
  return createSqliteStorage(config.dataDir);
}
