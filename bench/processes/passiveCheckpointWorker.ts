/**
 * How the relay copied its write-ahead log back before issue 19, kept here only so figure 1 can
 * measure it beside today's automatic checkpoints in the same run: automatic checkpoints off,
 * and a worker thread with its own connection running a PASSIVE checkpoint every second — which
 * under steady load never catches a moment to restart the log, so the log grows without bound.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {}
}, 1000);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export function startPassiveCheckpointWorker(db: Database.Database): () => Promise<void> {
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('journal_size_limit = -1');
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(workerSource, { eval: true, workerData: { module, file: db.name } });
  worker.unref();
  return async () => {
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('stop');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
    await worker.terminate();
  };
}
