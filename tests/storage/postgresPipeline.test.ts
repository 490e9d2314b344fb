import { setImmediate as nextTurn } from 'node:timers/promises';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../../server/storage/StorageUnavailableError';
import { classifyPostgresError } from '../../server/storage/postgres/classifyPostgresError';
import { createPostgresStorage } from '../../server/storage/postgres/createPostgresStorage';
import { sharedConnectionCount, statement } from '../../server/storage/postgres/database';
import { PipelinedConnection, wantOne } from '../../server/storage/postgres/pipelinedConnection';
import { type TestDatabase, createTestDatabase } from '../helpers/testDatabase';

/** The relay's statements outside transactions, on its shared pipelined connections (pipelinedConnection.ts). */
let fresh: TestDatabase;
let storage: Awaited<ReturnType<typeof createPostgresStorage>>;
let admin: pg.Client;
beforeEach(async () => {
  fresh = await createTestDatabase();
  storage = await createPostgresStorage(fresh.url);
  admin = new pg.Client({ connectionString: fresh.url });
  await admin.connect();
});
afterEach(async () => {
  await admin.end();
  await storage.close();
  await fresh.drop();
});

const settled = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

describe('PostgreSQL statements on the shared pipelined connections', () => {
  it("one statement's error or unsendable value fails it alone; the others written with it are answered, a large row too", async () => {
    const db = storage.database;
    const add = statement('test_pipeline_add', 'SELECT $1::int + 1 AS n, $2::text AS label, $3::bigint AS big');
    const divide = statement('test_pipeline_divide', 'SELECT 1 / $1::int AS n');
    const large = statement('test_pipeline_large', 'SELECT repeat($1::text, $2::int) AS text');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (let round = 0; round < 3; round++) {
      // All in one turn: written together on one connection.
      const answers = await Promise.all([
        settled(db.one(add, [1, 'é€😀', 2 ** 40])),
        settled(db.one(divide, [0])),
        settled(db.one(add, [2, null, null])),
        settled(db.one(add, [circular, 'x', 1])),
        settled(db.one(large, ['ab', 1_500_000])),
        settled(db.rows(add, [3, '', -5])),
        settled(db.one(divide, [1])),
      ]);
      expect(answers[0]).toEqual({ value: { n: 2, label: 'é€😀', big: 2 ** 40 } });
      expect(answers[1]).toMatchObject({ error: { code: '22012', message: 'division by zero' } });
      expect(answers[2]).toEqual({ value: { n: 3, label: null, big: null } });
      expect(answers[3]).toMatchObject({ error: { message: expect.stringMatching(/circular/i) } });
      expect((answers[4] as { value: { text: string } }).value.text).toBe('ab'.repeat(1_500_000));
      expect(answers[5]).toEqual({ value: [{ n: 4, label: '', big: -5 }] });
      expect(answers[6]).toEqual({ value: { n: 1 } });
    }
  });

  it('a statement the server refuses to parse is parsed again on its next run, and still refused; the others go on', async () => {
    const db = storage.database;
    const missing = statement('test_pipeline_missing', 'SELECT n FROM test_pipeline_later WHERE n = $1');
    const first = await Promise.all([settled(db.one(missing, [1])), settled(db.one(missing, [1]))]);
    for (const answer of first) expect(answer).toMatchObject({ error: { code: expect.stringMatching(/^(42P01|26000)$/) } });
    // The table comes: the same statement, parsed again, now answers.
    await admin.query('CREATE TABLE test_pipeline_later (n int); INSERT INTO test_pipeline_later VALUES (1)');
    expect(await Promise.all([db.one(missing, [1]), db.one(missing, [2])])).toEqual([{ n: 1 }, undefined]);
  });

  it('connections cut while statements wait (pg_terminate_backend): each waiting statement fails as storage trouble, and the next run on new connections', async () => {
    const db = storage.database;
    const wait = statement('test_pipeline_wait', 'SELECT pg_advisory_xact_lock(7) IS NULL AS waited, $1::int AS i');
    await admin.query('SELECT pg_advisory_lock(7)');
    // A batch per turn: each joins the connection with fewest waiting, opening every shared one.
    const waiting: Promise<{ value?: unknown; error?: unknown }>[] = [];
    for (let batch = 0; batch < 4; batch++) {
      for (let i = 0; i < 5; i++) waiting.push(settled(db.one(wait, [batch * 5 + i])));
      await nextTurn();
    }
    const blocked = async () =>
      (
        await admin.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'",
        )
      ).rows.map((r) => r.pid);
    let pids = await blocked();
    while (pids.length < sharedConnectionCount) {
      await nextTurn();
      pids = await blocked();
    }
    await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
    const answers = await Promise.all(waiting);
    expect(answers).toHaveLength(20);
    for (const answer of answers) {
      expect(answer.error).toBeDefined();
      expect(classifyPostgresError(answer.error)).toBeInstanceOf(StorageUnavailableError);
      expect(classifyPostgresError(answer.error)).toMatchObject({ kind: 'unreachable' });
    }
    await admin.query('SELECT pg_advisory_unlock(7)');
    // New connections carry the next statements, through the storage as through the database.
    expect(await Promise.all(Array.from({ length: 8 }, (_, i) => db.one(wait, [i])))).toEqual(
      Array.from({ length: 8 }, (_, i) => ({ waited: false, i })),
    );
    await storage.tenants.create({ id: 't1', name: 'contoso', displayName: 'Contoso', signInOrigins: [], createdAt: 1 });
    expect(await storage.tenants.byName('contoso')).toMatchObject({ id: 't1' });
  });

  it('closing waits for the statements already written to be answered', async () => {
    const db = storage.database;
    const wait = statement('test_pipeline_close', 'SELECT pg_advisory_xact_lock(8) IS NULL AS waited');
    await admin.query('SELECT pg_advisory_lock(8)');
    const answer = db.one(wait, []);
    let closed = false;
    const closing = db.close().then(() => {
      closed = true;
    });
    while (
      (await admin.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rowCount === 0
    ) {
      await nextTurn();
    }
    expect(closed).toBe(false);
    await admin.query('SELECT pg_advisory_unlock(8)');
    expect(await answer).toEqual({ waited: false });
    await closing;
    await expect(db.one(wait, [])).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  it("statements written while a connection's last write is unanswered wait, and leave together in one write once it is answered", async () => {
    const line = PipelinedConnection.open(
      { connectionString: fresh.url },
      (oid) => pg.types.getTypeParser(oid, 'text'),
      () => {},
    );
    try {
      await line.connected;
      const wait = statement('test_pipeline_held', 'SELECT pg_advisory_xact_lock(9) IS NULL AS waited');
      const quick = statement('test_pipeline_quick', 'SELECT $1::int AS i');
      // Alone, a statement leaves when its turn ends.
      const alone = line.send(quick, [0], wantOne);
      await nextTurn();
      expect(line.writes).toBe(1);
      expect(await alone).toEqual({ i: 0 });
      await admin.query('SELECT pg_advisory_lock(9)');
      const blocked = line.send(wait, [], wantOne);
      await nextTurn();
      expect(line.writes).toBe(2);
      // Three more turns, a statement each: held while the blocked one is unanswered.
      const later: Promise<unknown>[] = [];
      for (let i = 1; i <= 3; i++) {
        later.push(line.send(quick, [i], wantOne));
        await nextTurn();
      }
      expect(line.writes).toBe(2);
      expect(line.waiting).toBe(3);
      await admin.query('SELECT pg_advisory_unlock(9)');
      expect(await blocked).toEqual({ waited: false });
      expect(await Promise.all(later)).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }]);
      expect(line.writes).toBe(3);
      expect(line.waiting).toBe(0);
    } finally {
      await line.end();
    }
  });
});
