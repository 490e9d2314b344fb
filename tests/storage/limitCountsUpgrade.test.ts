import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../server/storage/Storage';
import type { LimitSubject } from '../../server/storage/model';
import { createPostgresStorage } from '../../server/storage/postgres/createPostgresStorage';
import { migrate } from '../../server/storage/postgres/migrate';
import { migrations as postgresMigrations } from '../../server/storage/postgres/migrations';
import { createSqliteStorage } from '../../server/storage/sqlite/createSqliteStorage';
import { migrations as sqliteMigrations } from '../../server/storage/sqlite/migrations';
import { createTestDatabase } from '../helpers/testDatabase';

/**
 * A window's count is kept by triggers in `limit_event_counts` (SQLite migration 13, PostgreSQL
 * migration 9) and read by every admission instead of counting the events. A relay upgraded onto
 * a store that already holds events must count them too: the migration fills the table from the
 * events there, or a user at the limit before the upgrade would get a fresh window after it.
 */
const countsMigration = (all: string[]) => all.findIndex((sql) => sql.includes('CREATE TABLE limit_event_counts'));

const subject = (key: string): LimitSubject => ({ key, kind: 'sign_in_source', tenantId: 'tenant-1', username: 'alice@contoso.example' });

/** Events already stored before the upgrade: for `full`, 3 older than the window and 5 in it; for `open`, 2 in it. */
const windowStart = 1_000_000;
const storedEvents = [
  ...[1, 2, 3].map((i) => ['full', windowStart - i * 10] as const),
  ...[1, 2, 3, 4, 5].map((i) => ['full', windowStart + i * 10] as const),
  ...[1, 2].map((i) => ['open', windowStart + i * 10] as const),
];

async function expectEventsCounted(storage: Storage) {
  const now = windowStart + 1_000;
  // Five in the window already: the sixth is refused, naming the oldest event in the window.
  expect(await storage.limits.admit([{ subject: subject('full'), limit: 5, since: windowStart }], now)).toEqual({
    admitted: false,
    key: 'full',
    oldest: windowStart + 10,
  });
  expect(await storage.limits.admit([{ subject: subject('open'), limit: 5, since: windowStart }], now)).toEqual({
    admitted: true,
    counts: [3],
  });
  // Later, the window has moved past three of the five: the older events drop out and the count follows.
  expect(await storage.limits.admit([{ subject: subject('full'), limit: 5, since: windowStart + 35 }], now + 1)).toEqual({
    admitted: true,
    counts: [3],
  });
  expect(await storage.limits.count('full', windowStart + 35)).toEqual({ count: 3, oldest: windowStart + 40 });
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('limit windows counted across the upgrade that started counting them', () => {
  it('SQLite (migration 13): events stored before it count after it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-limit-upgrade-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const upTo = countsMigration(sqliteMigrations);
    expect(upTo).toBeGreaterThan(0);
    const old = new Database(path.join(dir, 'nod.sqlite'));
    for (const [version, sql] of sqliteMigrations.slice(0, upTo).entries()) {
      old.exec(sql);
      old.pragma(`user_version = ${version + 1}`);
    }
    const insert = old.prepare('INSERT INTO limit_events (key, kind, tenant_id, username, at) VALUES (?, ?, ?, ?, ?)');
    for (const [key, at] of storedEvents) insert.run(key, 'sign_in_source', 'tenant-1', 'alice@contoso.example', at);
    old.close();

    const storage = createSqliteStorage(dir);
    cleanups.push(() => storage.close());
    await expectEventsCounted(storage);
  });

  it('PostgreSQL (migration 9): events stored before it count after it', async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const upTo = countsMigration(postgresMigrations);
    expect(upTo).toBeGreaterThan(0);
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    try {
      expect(await migrate(pool, postgresMigrations.slice(0, upTo))).toEqual({ from: 0, to: upTo });
      for (const [key, at] of storedEvents) {
        await pool.query('INSERT INTO limit_events (key, kind, tenant_id, username, at) VALUES ($1, $2, $3, $4, $5)', [
          key,
          'sign_in_source',
          'tenant-1',
          'alice@contoso.example',
          at,
        ]);
      }
    } finally {
      await pool.end();
    }

    const storage = await createPostgresStorage(database.url);
    cleanups.push(() => storage.close());
    await expectEventsCounted(storage);
  });
});
