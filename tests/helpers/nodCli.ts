/**
 * `nod admin …` as an operator runs it from a shell (`node server/cli/nod.mjs`), on a relay's data
 * directory: the relay may be running on it meanwhile, as on a real machine.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './builds';
import { envWith } from './processes';

export interface NodRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `nod admin <args>` (with `env`, e.g. NOD_DATABASE_URL); never throws for a refusal (see `code` and `stderr`). */
export function runNodAdmin(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<NodRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(repoRoot, 'server/cli/nod.mjs'), 'admin', ...args],
      { cwd: repoRoot, env: envWith({ NOD_DATA_DIR: dataDir, ...env }) },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** `nod admin` on one data directory: each call must succeed, and answers its JSON output. */
export function nodAdmin(dataDir: string): (...args: string[]) => Promise<any> {
  return async (...args) => {
    const run = await runNodAdmin(dataDir, args);
    if (run.code !== 0) throw new Error(`nod admin ${args.join(' ')}: exit ${run.code}: ${run.stderr.trim()}`);
    return run.stdout.trim() ? JSON.parse(run.stdout) : undefined;
  };
}
