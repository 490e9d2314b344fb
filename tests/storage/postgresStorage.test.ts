import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaTooNewError } from '../../server/storage/SchemaTooNewError';
import { StorageUnavailableError } from '../../server/storage/StorageUnavailableError';
import { createPostgresStorage } from '../../server/storage/postgres/createPostgresStorage';
import { statement } from '../../server/storage/postgres/database';
import { migrations } from '../../server/storage/postgres/migrations';
import { type TestDatabase, createTestDatabase, emptyTables, testServerUrl } from '../helpers/testDatabase';
import { storageContract } from './storageContract';

let database: TestDatabase;
let admin: pg.Client;
beforeAll(async () => {
  database = await createTestDatabase();
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await database?.drop();
});

storageContract({
  name: 'PostgreSQL',
  async open() {
    const storage = await createPostgresStorage(database.url);
    await emptyTables(admin);
    return storage;
  },
});

describe('PostgreSQL migrations', () => {
  const versions = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<{ version: number }>('SELECT version FROM nod_schema_migrations ORDER BY version')).rows.map(
        (r) => r.version,
      );
    } finally {
      await client.end();
    }
  };

  it('several relays starting at once on an empty database migrate it once, and all start', async () => {
    const fresh = await createTestDatabase();
    try {
      const relays = await Promise.all(Array.from({ length: 6 }, () => createPostgresStorage(fresh.url)));
      expect(await versions(fresh.url)).toEqual(migrations.map((_, i) => i + 1));
      // Every relay works on the one schema.
      await relays[0].tenants.create({ id: 't1', name: 'contoso', displayName: 'Contoso', signInOrigins: [], createdAt: 1 });
      expect(await relays[5].tenants.byName('contoso')).toMatchObject({ id: 't1' });
      await Promise.all(relays.map((r) => r.close()));
    } finally {
      await fresh.drop();
    }
  });

  it('a database migrated by a newer relay is refused with a line that says so, and left as it is', async () => {
    const fresh = await createTestDatabase();
    try {
      await (await createPostgresStorage(fresh.url)).close();
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      await client.query('INSERT INTO nod_schema_migrations (version) VALUES ($1)', [migrations.length + 1]);
      await client.end();
      const refused = createPostgresStorage(fresh.url);
      await expect(refused).rejects.toThrow(SchemaTooNewError);
      await expect(createPostgresStorage(fresh.url)).rejects.toThrow(
        `the PostgreSQL database is at schema version ${migrations.length + 1}, newer than this relay knows (${migrations.length})`,
      );
      expect(await versions(fresh.url)).toEqual([...migrations.map((_, i) => i + 1), migrations.length + 1]);
    } finally {
      await fresh.drop();
    }
  });

  it('a database that cannot be reached is storage trouble, one message naming where, without the password', async () => {
    // Port 1 on loopback: nothing listens there.
    const refused = createPostgresStorage('postgres://nod:s3cret@127.0.0.1:1/nod');
    await expect(refused).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(refused).rejects.toMatchObject({
      kind: 'unreachable',
      message: expect.stringMatching(/^PostgreSQL at 127\.0\.0\.1:1\/nod: .*ECONNREFUSED/),
    });
    await expect(refused).rejects.not.toThrow(/s3cret/);
  });

  it('a role the server does not know is storage trouble: the data cannot be opened', async () => {
    const url = new URL(testServerUrl);
    url.username = 'nod_no_such_role';
    url.password = 'x';
    await expect(createPostgresStorage(url.toString())).rejects.toMatchObject({
      kind: 'cannot_open',
      backendCode: expect.stringMatching(/^28/),
    });
  });
});

describe('PostgreSQL storage trouble while running', () => {
  it('a database migrated past this relay makes it not ready (schema), and it is ready again once back', async () => {
    const fresh = await createTestDatabase();
    const storage = await createPostgresStorage(fresh.url);
    const client = new pg.Client({ connectionString: fresh.url });
    await client.connect();
    try {
      await storage.ready(1);
      await client.query('INSERT INTO nod_schema_migrations (version) VALUES ($1)', [migrations.length + 1]);
      await expect(storage.ready(2)).rejects.toMatchObject({ kind: 'schema', name: 'StorageUnavailableError' });
      await client.query('DELETE FROM nod_schema_migrations WHERE version = $1', [migrations.length + 1]);
      await storage.ready(3);
    } finally {
      await client.end();
      await storage.close();
      await fresh.drop();
    }
  });

  it('a database that went away is storage trouble in every method, not a bug', async () => {
    const fresh = await createTestDatabase();
    const storage = await createPostgresStorage(fresh.url);
    try {
      await storage.tenants.create({ id: 't1', name: 'contoso', displayName: 'Contoso', signInOrigins: [], createdAt: 1 });
      await fresh.drop();
      for (const call of [() => storage.tenants.byName('contoso'), () => storage.ready(2), () => storage.audit.list({ tenantId: 't1' })]) {
        const failed = call();
        await expect(failed).rejects.toBeInstanceOf(StorageUnavailableError);
        await expect(failed).rejects.toMatchObject({ kind: expect.stringMatching(/^(unreachable|cannot_open)$/) });
      }
    } finally {
      await storage.close();
      await fresh.drop();
    }
  });
});

describe('PostgreSQL statements on the shared connections', () => {
  it('answer the same rows on their first run on a connection (described) and on every later one (not described again)', async () => {
    const fresh = await createTestDatabase();
    const storage = await createPostgresStorage(fresh.url);
    try {
      const tenant = { id: 't1', name: 'contoso', displayName: 'Contoso', signInOrigins: ['https://a.example'], createdAt: 2 ** 40 };
      await storage.tenants.create(tenant);
      // Rounds of several at once, so every shared connection runs the statement more than once.
      for (let round = 0; round < 4; round++) {
        const read = await Promise.all(Array.from({ length: 8 }, () => storage.tenants.byId('t1')));
        expect(read).toEqual(Array.from({ length: 8 }, () => tenant));
        const missing = await Promise.all(Array.from({ length: 8 }, () => storage.tenants.byId('none')));
        expect(missing).toEqual(Array.from({ length: 8 }, () => undefined));
      }
    } finally {
      await storage.close();
      await fresh.drop();
    }
  });

  it('a statement that failed before its columns came is described on its next run; one that answers no rows counts what it changed', async () => {
    const fresh = await createTestDatabase();
    const storage = await createPostgresStorage(fresh.url);
    const db = storage.database;
    try {
      const find = statement('test_bigint_param', 'SELECT $1::bigint + 1 AS n');
      // The value is refused at Bind, before any column list: nothing is learnt of the statement.
      await expect(db.one(find, ['not a number'])).rejects.toThrow(/bigint/);
      for (let round = 0; round < 3; round++) {
        expect(await Promise.all(Array.from({ length: 8 }, (_, i) => db.one(find, [i])))).toEqual(
          Array.from({ length: 8 }, (_, i) => ({ n: i + 1 })),
        );
      }
      await storage.tenants.create({ id: 't1', name: 'contoso', displayName: 'Contoso', signInOrigins: [], createdAt: 1 });
      const rename = statement('test_rename', 'UPDATE tenants SET display_name = $2 WHERE id = $1');
      for (let round = 0; round < 3; round++) {
        expect(await Promise.all(Array.from({ length: 8 }, (_, i) => db.run(rename, [i % 2 ? 't1' : 'none', `C${i}`])))).toEqual(
          Array.from({ length: 8 }, (_, i) => i % 2),
        );
      }
    } finally {
      await storage.close();
      await fresh.drop();
    }
  });
});
