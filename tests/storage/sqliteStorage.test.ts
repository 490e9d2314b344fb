import fs from 'node:fs';
import Database from 'better-sqlite3';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SchemaTooNewError } from '../../server/storage/SchemaTooNewError';
import { createSqliteStorage } from '../../server/storage/sqlite/createSqliteStorage';
import { migrations } from '../../server/storage/sqlite/migrations';
import { openDatabase } from '../../server/storage/sqlite/openDatabase';
import { storageContract } from './storageContract';

const dirs: string[] = [];
const freshDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-storage-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

storageContract({ name: 'SQLite', open: async () => createSqliteStorage(freshDir()) });

describe('the SQLite schema version', () => {
  it('is the number of migrations once the file is opened', () => {
    const db = openDatabase(path.join(freshDir(), 'nod.sqlite'));
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    db.close();
  });

  it('a file migrated by a newer relay is refused with a line that says so, and left as it is', () => {
    const file = path.join(freshDir(), 'nod.sqlite');
    const db = openDatabase(file);
    db.pragma(`user_version = ${migrations.length + 3}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(SchemaTooNewError);
    expect(() => openDatabase(file)).toThrow(
      `the SQLite database is at schema version ${migrations.length + 3}, newer than this relay knows (${migrations.length})`,
    );
  });

  it('migration 13 counts the limit events a file already holds, and its triggers keep counting', () => {
    const file = path.join(freshDir(), 'nod.sqlite');
    const old = new Database(file);
    const twelve = migrations.findIndex((sql) => sql.includes('limit_event_counts'));
    for (const sql of migrations.slice(0, twelve)) old.exec(sql);
    old.pragma(`user_version = ${twelve}`);
    const add = old.prepare("INSERT INTO limit_events (key, kind, tenant_id, username, at) VALUES (?, 'pushes', 't', 'u', ?)");
    for (let i = 0; i < 3; i++) add.run('a', i);
    add.run('b', 0);
    old.close();
    const db = openDatabase(file);
    const counts = () => db.prepare('SELECT key, count FROM limit_event_counts ORDER BY key').all();
    expect(counts()).toEqual([
      { key: 'a', count: 3 },
      { key: 'b', count: 1 },
    ]);
    db.prepare("INSERT INTO limit_events (key, kind, tenant_id, username, at) VALUES ('b', 'pushes', 't', 'u', 5)").run();
    db.prepare("DELETE FROM limit_events WHERE key = 'a' AND at < 2").run();
    expect(counts()).toEqual([
      { key: 'a', count: 1 },
      { key: 'b', count: 2 },
    ]);
    db.close();
  });
});
