import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from './migrations';

/** Open (creating when needed) the relay's SQLite file in WAL mode and bring its schema up to date. */
export function openDatabase(file: string): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  // It holds TOTP secrets and credential keys: only the relay's user may read it (SQLite gives
  // the -wal and -shm files the same mode).
  fs.chmodSync(file, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const all = migrations;
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < all.length; version++) {
    db.transaction(() => {
      db.exec(all[version]);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return db;
}
