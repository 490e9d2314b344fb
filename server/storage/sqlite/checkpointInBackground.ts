import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * Copy most of the write-ahead log back into the database from a worker thread with its own
 * connection, so the relay's event loop seldom pays for the copy and its fsyncs (tens of
 * milliseconds per 4 MiB on a busy disk). SQLite's automatic checkpoint stays on: after the
 * commit that takes the log past its size it copies what the worker has not yet — the last
 * fraction of a second — which completes, and the next write starts the log over. A worker
 * alone never completes under steady load (something new is always committed meanwhile), so the
 * log grew without bound when it was the only checkpointer (issue 19).
 */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
// PASSIVE never waits; this only covers opening the file while the relay writes.
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {}
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export interface BackgroundCheckpoints {
  stop(): Promise<void>;
}

/** How often the worker copies what was committed since its last pass. */
const INTERVAL_MS = 100;

export function checkpointInBackground(db: Database.Database, intervalMs = INTERVAL_MS): BackgroundCheckpoints {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(workerSource, { eval: true, workerData: { module, file: db.name, intervalMs } });
  worker.unref();
  // Without the worker the automatic checkpoints do all of it, as SQLite does by default.
  worker.on('error', () => {});
  return {
    async stop() {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('stop');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
      await worker.terminate();
    },
  };
}
