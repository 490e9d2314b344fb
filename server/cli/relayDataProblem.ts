import fs from 'node:fs';
import path from 'node:path';
import type { RelayConfig } from '../config';

/**
 * Why this configuration does not point at a relay's data, or undefined when it does: a mistyped
 * or missing NOD_DATA_DIR (or NOD_DATABASE_URL) must not quietly become a new, empty relay with
 * new keys. A relay's data is the SQLite file in the data directory, or the keys there and a
 * migrated PostgreSQL database. A database that cannot be reached is for the start to report.
 */
export async function relayDataProblem(config: RelayConfig): Promise<string | undefined> {
  const advice = 'point it at the relay’s, or pass --init to start a new relay’s data there';
  if (!config.databaseUrl) {
    if (fs.existsSync(path.join(config.dataDir, 'nod.sqlite'))) return undefined;
    return `NOD_DATA_DIR: ${config.dataDir} holds no relay data (no nod.sqlite): ${advice}`;
  }
  if (!fs.existsSync(path.join(config.dataDir, 'keys', 'signing.json'))) {
    return `NOD_DATA_DIR: ${config.dataDir} holds no relay keys (no keys/signing.json): ${advice}`;
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: config.databaseUrl });
  try {
    await client.connect();
    const { rows } = await client.query<{ table: string | null }>("SELECT to_regclass('nod_schema_migrations')::text AS table");
    if (rows[0]?.table) return undefined;
    return `NOD_DATABASE_URL: the database holds no relay data (never migrated): point it at the relay’s, or pass --init`;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}
