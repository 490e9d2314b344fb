import type { RelayConfig } from './config';
import { dataDirProblem } from './dataDirProblem';
import { StorageUnavailableError } from './storage/StorageUnavailableError';

/**
 * The line a start on storage it cannot use prints before exiting with code 2, as a bad setting
 * does: it names the setting behind the storage — NOD_DATABASE_URL for trouble with PostgreSQL
 * (unreachable, wrong credentials, no such database, read-only), NOD_DATA_DIR for the SQLite file
 * and the keys. Undefined when the error is something else.
 */
export function startProblem(error: unknown, config: Pick<RelayConfig, 'dataDir' | 'databaseUrl'>): string | undefined {
  if (config.databaseUrl && error instanceof StorageUnavailableError) return `NOD_DATABASE_URL: ${error.message}`;
  return dataDirProblem(error, config.dataDir);
}
