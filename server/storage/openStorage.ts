import type { RelayConfig } from '../config';
import type { Storage } from './Storage';

/**
 * The storage the configuration names: PostgreSQL when NOD_DATABASE_URL is set, else the SQLite file
 * in the data directory. Only that one's driver is loaded (the CLI starts faster for it).
 */
export async function openStorage(config: RelayConfig, options: { onIdleError?: (error: Error) => void } = {}): Promise<Storage> {
  if (config.databaseUrl) return (await import('./postgres/createPostgresStorage')).createPostgresStorage(config.databaseUrl, options);
  return (await import('./sqlite/createSqliteStorage')).createSqliteStorage(config.dataDir);
}
