import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaTooNewError } from '../../server/storage/SchemaTooNewError';
import { createPostgresStorage } from '../../server/storage/postgres/createPostgresStorage';
import { migrations } from '../../server/storage/postgres/migrations';
import { type TestDatabase, createTestDatabase, emptyTables } from '../helpers/testDatabase';
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

  it('a database that cannot be reached is one message naming where, without the password', async () => {
    // Port 1 on loopback: nothing listens there.
    const refused = createPostgresStorage('postgres://nod:s3cret@127.0.0.1:1/nod');
    await expect(refused).rejects.toThrow(/^PostgreSQL at 127\.0\.0\.1:1\/nod: .*ECONNREFUSED/);
    await expect(createPostgresStorage('postgres://nod:s3cret@127.0.0.1:1/nod')).rejects.not.toThrow(/s3cret/);
  });
});
