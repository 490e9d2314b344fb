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
  it('migration 14 keeps the rows of the tables it rebuilds, their keys and the event counting triggers', () => {
    const file = path.join(freshDir(), 'nod.sqlite');
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    for (const sql of migrations.slice(0, 13)) old.exec(sql);
    old.pragma('user_version = 13');
    old.exec(`
      INSERT INTO sign_in_requests (id, tenant_id, user_id, username, kind, origin, context, number, nonce, collector_hash,
        collector_key, status, deliverable, created_at, expires_at) VALUES
        ('r1', 't', 'u', 'alice', 'passwordless', 'o', '{}', 1, 'n', 'h', 'ck', 'pending', 1, 1, 100),
        ('r2', 't', 'u', 'alice', 'passwordless', 'o', '{}', 1, 'n', 'h', 'ck', 'denied', 1, 1, 100);
      UPDATE sign_in_requests SET answered_at = 50 WHERE id = 'r2';
      INSERT INTO sign_in_deliveries (request_id, device_id, delivered_at) VALUES ('r1', 'd', 5);
      INSERT INTO grants (id, secret_hash, tenant_id, user_id, request_id, method, amr, created_at, expires_at)
        VALUES ('g1', 's1', 't', 'u', 'r1', 'phone_sign_in', '[]', 1, 100);
      INSERT INTO used_device_signatures (device_id, input_hash, expires_at) VALUES ('d', 'h1', 100);
      INSERT INTO limit_counters (key, kind, tenant_id, username, count, first_at, last_at) VALUES ('k', 'unanswered', 't', 'alice', 2, 1, 2);
      INSERT INTO limit_events (key, kind, tenant_id, username, at) VALUES ('a', 'pushes', 't', 'alice', 1), ('a', 'pushes', 't', 'alice', 2);
    `);
    old.close();
    const db = openDatabase(file);
    const rows = (sql: string) => db.prepare(sql).all();
    expect(rows("SELECT id FROM sign_in_requests WHERE tenant_id = 't' AND username = 'alice' AND status = 'pending'")).toEqual([
      { id: 'r1' },
    ]);
    expect(rows("SELECT id FROM sign_in_requests WHERE collector_key = 'ck' AND status = 'pending'")).toEqual([{ id: 'r1' }]);
    expect(
      rows("SELECT answered_at FROM sign_in_requests WHERE tenant_id = 't' AND user_id = 'u' AND status IN ('denied', 'reported')"),
    ).toEqual([{ answered_at: 50 }]);
    expect(rows('SELECT request_id, device_id, delivered_at FROM sign_in_deliveries')).toEqual([
      { request_id: 'r1', device_id: 'd', delivered_at: 5 },
    ]);
    expect(rows('SELECT id, secret_hash FROM grants')).toEqual([{ id: 'g1', secret_hash: 's1' }]);
    expect(rows('SELECT * FROM used_device_signatures')).toEqual([{ device_id: 'd', input_hash: 'h1', expires_at: 100 }]);
    expect(rows('SELECT key, count FROM limit_counters')).toEqual([{ key: 'k', count: 2 }]);
    // The keys still hold: a second delivery, grant secret or signature use of the same key is refused.
    expect(() => db.prepare("INSERT INTO sign_in_deliveries (request_id, device_id, delivered_at) VALUES ('r1', 'd', 6)").run()).toThrow();
    expect(() =>
      db.prepare("INSERT INTO sign_in_deliveries (request_id, device_id, delivered_at) VALUES ('nope', 'd', 6)").run(),
    ).toThrow();
    expect(() =>
      db
        .prepare(
          "INSERT INTO grants (id, secret_hash, tenant_id, user_id, method, amr, created_at, expires_at) VALUES ('g2', 's1', 't', 'u', 'm', '[]', 1, 2)",
        )
        .run(),
    ).toThrow();
    expect(() =>
      db.prepare("INSERT INTO used_device_signatures (device_id, input_hash, expires_at) VALUES ('d', 'h1', 5)").run(),
    ).toThrow();
    const counts = () => db.prepare('SELECT key, count FROM limit_event_counts ORDER BY key').all();
    expect(counts()).toEqual([{ key: 'a', count: 2 }]);
    db.prepare("INSERT INTO limit_events (key, kind, tenant_id, username, at) VALUES ('a', 'pushes', 't', 'alice', 3)").run();
    db.prepare("DELETE FROM limit_events WHERE key = 'a' AND at < 2").run();
    expect(counts()).toEqual([{ key: 'a', count: 2 }]);
    db.close();
  });
});
