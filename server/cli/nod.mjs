#!/usr/bin/env node
// `npx nod …`: run the TypeScript CLI in a child process with tsx's loader (what the relay runs on
// too), passing SIGINT, SIGTERM and SIGHUP on to it and ending with its exit code, so a signal to
// `nod` reaches the work it started instead of leaving it running.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const loader = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;
const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), 'nodAdmin.ts');
const child = spawn(process.execPath, ['--import', loader, cli, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  // Ended by a signal: end the same way, so whoever started `nod` sees it.
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
});
