/**
 * Group commit on SQLite: the storage calls of one event-loop turn run in one transaction. A
 * call's result arrives only after that transaction's COMMIT; a failing COMMIT (a full disk)
 * rejects every call of the batch and keeps none of it; a failing call undoes only its own changes.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../server/storage/Storage';
import { StorageUnavailableError } from '../../server/storage/StorageUnavailableError';
import { batchNotCommitted } from '../../server/storage/sqlite/classifySqliteError';
import { createSqliteStorage } from '../../server/storage/sqlite/createSqliteStorage';
import { groupCommit } from '../../server/storage/sqlite/groupCommit';
import { createSmallDisk } from '../helpers/smallDisk';
import { tenantFixture, userFixture } from './storageContract';

const dirs: string[] = [];
const freshDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-group-commit-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const tenant = (name: string) => tenantFixture(name);
const user = (tenantId: string, username: string) => userFixture(tenantId, username);
/** What another connection — another process on the file — sees committed. */
const committedUsernames = (file: string) => {
  const other = new Database(file, { readonly: true });
  try {
    return (other.prepare('SELECT username FROM users ORDER BY username').pluck().all() as string[]).join(',');
  } finally {
    other.close();
  }
};
const settled = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

describe('SQLite group commit, through the storage', () => {
  it("calls of one turn are one batch: each result arrives once all of the batch's changes are committed", async () => {
    const dir = freshDir();
    const storage = createSqliteStorage(dir);
    const file = path.join(dir, 'nod.sqlite');
    try {
      const contoso = tenant('contoso');
      await storage.tenants.create(contoso);
      const names = ['a', 'b', 'c', 'd', 'e'];
      const seenWhenFirstArrived = storage.users.create(user(contoso.id, 'a')).then(() => committedUsernames(file));
      const others = names.slice(1).map((name) => storage.users.create(user(contoso.id, name)));
      // A read in the same batch sees the batch's own writes, and is delivered after the COMMIT too.
      const read = storage.users.byName(contoso.id, 'e').then((found) => ({ found: found?.username, seen: committedUsernames(file) }));
      expect(await seenWhenFirstArrived).toBe('a,b,c,d,e');
      expect(await read).toEqual({ found: 'e', seen: 'a,b,c,d,e' });
      await Promise.all(others);
    } finally {
      await storage.close();
    }
  });

  it('a batch writes the pages its calls share to the log once, not once per call', async () => {
    const dir = freshDir();
    const storage = createSqliteStorage(dir);
    const db = (storage as Storage & { database: Database.Database }).database;
    /** Log frames the writes of `work` add; a reader of the empty log keeps any checkpoint from resetting it. */
    const framesOf = async (work: () => Promise<unknown>) => {
      db.pragma('wal_checkpoint(TRUNCATE)');
      const pin = new Database(db.name, { readonly: true });
      pin.exec('BEGIN');
      pin.prepare('SELECT count(*) FROM sqlite_master').get();
      await work();
      const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
      pin.close();
      return log;
    };
    try {
      const contoso = tenant('contoso');
      await storage.tenants.create(contoso);
      const names = (prefix: string) => Array.from({ length: 8 }, (_, i) => `${prefix}-${i}`);
      const oneByOne = await framesOf(async () => {
        for (const name of names('alone')) await storage.users.create(user(contoso.id, name));
      });
      const batched = await framesOf(() => Promise.all(names('batched').map((name) => storage.users.create(user(contoso.id, name)))));
      expect(batched).toBeGreaterThan(0);
      expect(batched * 4).toBeLessThanOrEqual(oneByOne);
    } finally {
      await storage.close();
    }
  });

  it('a call refused in a batch (a name taken) is refused alone; the calls around it commit', async () => {
    const storage = createSqliteStorage(freshDir());
    try {
      const results = await Promise.all([
        settled(storage.tenants.create(tenant('adatum'))),
        settled(storage.tenants.create(tenant('adatum'))),
        settled(storage.tenants.create(tenant('fabrikam'))),
      ]);
      expect(results.map((r) => r.ok)).toEqual([true, false, true]);
      const refused = results[1] as { error: unknown };
      expect(refused.error).not.toBeInstanceOf(StorageUnavailableError);
      expect((await storage.tenants.list()).map((t) => t.name).sort()).toEqual(['adatum', 'fabrikam']);
    } finally {
      await storage.close();
    }
  });

  it('another connection on the file (the nod command) gets the write lock between batches while the relay is busy', async () => {
    const dir = freshDir();
    const storage = createSqliteStorage(dir);
    const db = (storage as Storage & { database: Database.Database }).database;
    db.exec('CREATE TABLE other_writes (n INTEGER)');
    const contoso = tenant('contoso');
    await storage.tenants.create(contoso);
    let stop = false;
    let made = 0;
    const load = Array.from({ length: 32 }, async () => {
      while (!stop) {
        await storage.users.create(user(contoso.id, `load-${made++}`));
        await storage.users.byName(contoso.id, 'nobody');
      }
    });
    // Its own thread, so its busy wait does not stop the relay's event loop; 2 s to get the lock each time.
    const other = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
      const Database = require(workerData.module);
      const db = new Database(workerData.file);
      db.pragma('busy_timeout = 2000');
      const insert = db.prepare('INSERT INTO other_writes (n) VALUES (?)');
      let written = 0;
      try {
        for (let n = 0; n < 20; n++) { insert.run(n); written++; }
        parentPort.postMessage({ written });
      } catch (error) {
        parentPort.postMessage({ written, error: error.code });
      }
      db.close();`,
      { eval: true, workerData: { file: db.name, module: createRequire(import.meta.url).resolve('better-sqlite3') } },
    );
    try {
      const result = await new Promise((resolve) => other.once('message', resolve));
      expect(result).toEqual({ written: 20 });
      expect(made).toBeGreaterThan(32);
    } finally {
      stop = true;
      await Promise.all(load);
      await other.terminate();
      await storage.close();
    }
  });

  it('close() waits for the open batch and commits it', async () => {
    const dir = freshDir();
    const storage = createSqliteStorage(dir);
    const contoso = tenant('contoso');
    await storage.tenants.create(contoso);
    const pending = ['x', 'y'].map((name) => storage.users.create(user(contoso.id, name)));
    await storage.close();
    await Promise.all(pending);
    expect(committedUsernames(path.join(dir, 'nod.sqlite'))).toBe('x,y');
  });
});

describe('SQLite group commit on a full disk', () => {
  const disk = createSmallDisk();
  afterAll(() => disk.dispose());

  // The simulated full disk fails the statement, not the COMMIT: only a real one tests the COMMIT.
  it.skipIf(!disk.real)(
    'a COMMIT that fails rejects every call of its batch, reads included, as storage trouble, keeps none of it, and the connection works on',
    async () => {
      const storage = createSqliteStorage(disk.dir);
      const db = (storage as Storage & { database: Database.Database }).database;
      try {
        const contoso = tenant('contoso');
        await storage.tenants.create(contoso);
        await storage.users.create(user(contoso.id, 'before'));
        disk.fill(db);
        const results = await Promise.all([
          settled(storage.users.create(user(contoso.id, 'lost-1'))),
          settled(storage.users.byName(contoso.id, 'lost-1')),
          settled(storage.users.create(user(contoso.id, 'lost-2'))),
        ]);
        for (const result of results) {
          expect(result.ok).toBe(false);
          expect((result as { error: unknown }).error).toBeInstanceOf(StorageUnavailableError);
          expect((result as { error: StorageUnavailableError }).error.kind).toBe('full');
        }
        disk.free();
        expect(committedUsernames(db.name)).toBe('before');
        expect((await storage.users.list(contoso.id)).map((u) => u.username)).toEqual(['before']);
        await Promise.all([storage.users.create(user(contoso.id, 'after-1')), storage.users.create(user(contoso.id, 'after-2'))]);
        expect(committedUsernames(db.name)).toBe('after-1,after-2,before');
      } finally {
        await storage.close();
      }
    },
  );
});

describe('SQLite group commit, on a connection', () => {
  const open = () => {
    const db = new Database(path.join(freshDir(), 'batch.sqlite'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x INTEGER PRIMARY KEY)');
    return db;
  };
  const rows = (db: Database.Database) => (db.prepare('SELECT x FROM t ORDER BY x').pluck().all() as number[]).join(',');

  it('a call that fails after writing has its own writes undone; the others of the batch commit', async () => {
    const db = open();
    const batches = groupCommit(db, batchNotCommitted);
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    const results = await Promise.all([
      settled(batches.run(async () => insert.run(1))),
      // Two writes, then the key of the first call: the constraint fails the third statement.
      settled(
        batches.run(async () => {
          insert.run(2);
          insert.run(3);
          insert.run(1);
        }),
      ),
      settled(
        batches.run(async () => {
          insert.run(4);
          throw new Error('refused after writing');
        }),
      ),
      settled(batches.run(async () => insert.run(5))),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, false, true]);
    expect(((results[1] as { error: { code?: string } }).error as { code?: string }).code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    expect((results[2] as { error: Error }).error.message).toBe('refused after writing');
    expect(rows(db)).toBe('1,5');
    expect(db.inTransaction).toBe(false);
    await batches.close();
    db.close();
  });

  it('a batch holds at most maxCalls calls; the rest go in the next turn, after the first batch is committed and delivered', async () => {
    const db = open();
    const batches = groupCommit(db, batchNotCommitted, { maxCalls: 2, maxMs: 60_000 });
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    const other = new Database(db.name, { readonly: true });
    const seen: string[] = [];
    const calls = [1, 2, 3, 4, 5].map((x) => batches.run(async () => insert.run(x)).then(() => seen.push(rows(other))));
    await Promise.all(calls);
    expect(seen).toEqual(['1,2', '1,2', '1,2,3,4', '1,2,3,4', '1,2,3,4,5']);
    other.close();
    await batches.close();
    db.close();
  });
});
