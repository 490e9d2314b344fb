import { ConfigError, type RelayConfig } from './config';
import { type AppOptions, type RelayApp, createApp } from './createApp';
import { recordPublicUrl } from './publicUrlRecord';
import { startProblem } from './startProblem';

/** A start refused for reasons a line each tells (storage the relay cannot use): the process exits with code 2. */
export class StartRefused extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/**
 * Open the relay for `npm start`, the relay's own start and the CLI alike: createApp, with trouble
 * with the storage or the data directory refused in one line naming the setting behind it.
 */
export async function openRelay(config: RelayConfig, options: AppOptions = {}): Promise<RelayApp> {
  try {
    return await createApp(config, options);
  } catch (error) {
    const problem = startProblem(error, config);
    if (!problem) throw error;
    throw new StartRefused([problem]);
  }
}

/** Listen, and note the public URL in the data directory (the CLI prints issuers from it). */
export async function listenRelay({ app }: RelayApp, config: RelayConfig): Promise<void> {
  await app.listen({ port: config.port, host: config.host });
  try {
    recordPublicUrl(config.dataDir, config.publicUrl);
  } catch (error) {
    app.log.warn({ err: error }, 'the public URL could not be noted in the data directory (nod admin prints issuers from it)');
  }
}

/** The lines a refused start prints (a bad setting, storage it cannot use), or undefined for any other error. */
export function refusalLines(error: unknown): string[] | undefined {
  return error instanceof ConfigError || error instanceof StartRefused ? error.problems : undefined;
}

/** End a start that failed: a refusal's lines and exit code 2; anything else in one line (not a stack) and code 1. */
export function exitOnStartFailure(error: unknown): never {
  const lines = refusalLines(error);
  for (const line of lines ?? [(error as Error).message]) console.error(`nod: ${line}`);
  process.exit(lines ? 2 : 1);
}
