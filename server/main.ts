import { loadConfig } from './config';
import { exitOnStartFailure, listenRelay, openRelay } from './openRelay';
import { stopOnSignals } from './start/stopOnSignals';

/** Start the relay: SQLite under NOD_DATA_DIR (or PostgreSQL at NOD_DATABASE_URL), keys made on first start. */
async function main(): Promise<void> {
  const config = loadConfig();
  const relay = await openRelay(config);
  await listenRelay(relay, config);
  const { app } = relay;
  app.log.info(`Nod relay at ${config.publicUrl} (${config.databaseUrl ? 'PostgreSQL, keys' : 'data'} in ${config.dataDir})`);
  stopOnSignals(() => app.close(), app.log);
}

// A bad setting, a database migrated by a newer relay, anything else that stops the start: lines, not a stack.
main().catch(exitOnStartFailure);
