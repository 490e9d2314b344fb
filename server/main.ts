import { ConfigError, loadConfig } from './config';
import { createApp } from './createApp';
import { recordPublicUrl } from './publicUrlRecord';
import { stopOnSignals } from './start/stopOnSignals';
import { startProblem } from './startProblem';

/** Start the relay: SQLite under NOD_DATA_DIR (or PostgreSQL at NOD_DATABASE_URL), keys made on first start. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const line of error.problems) console.error(`nod: ${line}`);
      process.exit(2);
    }
    throw error;
  }
  let app: Awaited<ReturnType<typeof createApp>>['app'];
  try {
    ({ app } = await createApp(config));
  } catch (error) {
    const problem = startProblem(error, config);
    if (!problem) throw error;
    console.error(`nod: ${problem}`);
    process.exit(2);
  }
  await app.listen({ port: config.port, host: config.host });
  try {
    recordPublicUrl(config.dataDir, config.publicUrl);
  } catch (error) {
    app.log.warn({ err: error }, 'the public URL could not be noted in the data directory (nod admin prints issuers from it)');
  }
  app.log.info(`Nod relay at ${config.publicUrl} (${config.databaseUrl ? 'PostgreSQL, keys' : 'data'} in ${config.dataDir})`);
  stopOnSignals(() => app.close(), app.log);
}

main().catch((error) => {
  // A database migrated by a newer relay, or anything else that stops the start: one line, not a stack.
  console.error(`nod: ${(error as Error).message}`);
  process.exit(1);
});
