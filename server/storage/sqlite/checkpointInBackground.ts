import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * Copy the write-ahead log back into the database from a worker thread with its own connection,
 * instead of SQLite's automatic checkpoints, which run on the relay's event loop with an fsync
 * and stalled it for tens of milliseconds under load. If the worker cannot run, automatic
 * checkpoints come back so the log never grows without bound.
 */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    if (result.log > 0) parentPort.postMessage(result);
  } catch {}
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export interface BackgroundCheckpoints {
  stop(): Promise<void>;
  /** Called after each checkpoint that found frames in the log: how many, and how many it copied. */
  onCheckpoint(listener: (result: { log: number; checkpointed: number }) => void): void;
}

export function checkpointInBackground(db: Database.Database, file: string, intervalMs = 1000): BackgroundCheckpoints {
  db.pragma('wal_autocheckpoint = 0');
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(workerSource, { eval: true, workerData: { module, file, intervalMs } });
  worker.unref();
  const fallback = () => {
    if (db.open) db.pragma('wal_autocheckpoint = 1000');
  };
  worker.on('error', fallback);
  return {
    onCheckpoint(listener) {
      worker.on('message', listener);
    },
    async stop() {
      worker.removeListener('error', fallback);
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('stop');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
      await worker.terminate();
    },
  };
}
