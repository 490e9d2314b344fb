import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SchemaTooNewError } from '../SchemaTooNewError';
import { migrations } from './migrations';

/**
 * Pages in the write-ahead log after which a commit copies it back into the database (SQLite's
 * automatic checkpoint; about 14 MiB, under the journal size limit so the log is reused in place
 * rather than cut and grown again). It runs on the committing connection right after a commit,
 * when no newer frame can be in the way, so it completes and the next write starts the log over
 * from the beginning: the log stays near this size under steady load instead of growing without
 * bound. A worker copies most of it beforehand, off the event loop (see checkpointInBackground),
 * but each of these checkpoints still blocks the event loop for the rest and two fsyncs: at
 * SQLite's default of 1000 pages that was several times a second under load, and cost the relay
 * about 8% of its throughput (figure 1 of the bench, against checkpoints as before issue 19).
 */
export const walAutocheckpointPages = 3500;

/**
 * When the log starts over, a file left larger than this (by a burst, or while a reader held an
 * old snapshot and no checkpoint could finish) is cut back to it.
 */
export const journalSizeLimitBytes = 16 * 1024 * 1024;

/** Open (creating when needed) the relay's SQLite file in WAL mode and bring its schema up to date. */
export function openDatabase(file: string): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  try {
    // It holds TOTP secrets and credential keys: only the relay's user may read it (SQLite gives
    // the -wal and -shm files the same mode).
    fs.chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma(`wal_autocheckpoint = ${walAutocheckpointPages}`);
    db.pragma(`journal_size_limit = ${journalSizeLimitBytes}`);
    const all = migrations;
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > all.length) throw new SchemaTooNewError('SQLite', current, all.length);
    for (let version = current; version < all.length; version++) {
      db.transaction(() => {
        db.exec(all[version]);
        db.pragma(`user_version = ${version + 1}`);
      })();
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
