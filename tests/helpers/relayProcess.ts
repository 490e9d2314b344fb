/**
 * The relay as an operator runs it: `server/main.ts` (through tsx's loader) in a child process,
 * configured by NOD_* variables only. For tests that need a real process: an exit code, a start-up line,
 * a SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './builds';
import { fetchJson } from './startRelay';
import { envWith, outputOf } from './processes';

export interface RelayProcess {
  child: ChildProcess;
  /** Everything it wrote so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves when the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once GET /health/ready answers 200; rejects if the process ends first or after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
}

export function startRelayProcess(env: Record<string, string>): RelayProcess {
  // tsx as a loader, not its CLI: the CLI runs the relay in a child of its own, which a SIGKILL
  // to the CLI would leave running.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'server/main.ts')], {
    cwd: repoRoot,
    env: envWith(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = outputOf(child);
  let ended = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      ended = true;
      resolve({ code, signal });
    }),
  );
  return {
    child,
    output,
    exited,
    async ready(timeoutMs = 60_000) {
      const url = `http://127.0.0.1:${env.NOD_PORT}/health/ready`;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (ended) throw new Error(`relay exited before it was ready: ${output().stderr.trim()}`);
        const answer = await fetchJson(url).catch(() => undefined);
        if (answer?.status === 200) return;
        if (Date.now() > deadline) throw new Error(`relay not ready within ${timeoutMs} ms: ${output().stderr.trim()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
