import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresStorage } from '../../server/storage/postgres/createPostgresStorage';
import { migrations as postgresMigrations } from '../../server/storage/postgres/migrations';
import { enrollPhone } from '../helpers/enrollPhone';
import { type NodRun, runNodAdmin } from '../helpers/nodCli';
import { envWith, exited, freePort, tempDirs } from '../helpers/processes';
import { fetchJson, startRelay } from '../helpers/startRelay';
import { createTestDatabase } from '../helpers/testDatabase';

const repo = fileURLToPath(new URL('../..', import.meta.url));
// Each CLI call and relay start is a fresh Node process (about a second on an idle machine); CI runs
// the browser tests beside these, so allow for a loaded machine.
const processTimeout = 120_000;
const tempDir = tempDirs('nod-cli-');

/** `nod …` from a shell, on a data directory (the first argument is `admin`). */
function nod(dataDir: string, ...args: string[]): Promise<NodRun> {
  expect(args[0]).toBe('admin');
  return runNodAdmin(dataDir, args.slice(1));
}

/** `nod admin …` that must succeed; its JSON output. */
async function nodJson(dataDir: string, ...args: string[]): Promise<any> {
  const run = await nod(dataDir, ...args);
  expect({ args: args.join(' '), code: run.code, stderr: run.stderr.split('\n').filter((l) => l.startsWith('nod:')) }).toEqual({
    args: args.join(' '),
    code: 0,
    stderr: [],
  });
  return JSON.parse(run.stdout);
}

/** What `npm start` runs: the relay's main through tsx. */
function startMain(env: Record<string, string>, cwd: string): ChildProcess {
  return spawn(process.execPath, [path.join(repo, 'node_modules/tsx/dist/cli.mjs'), path.join(repo, 'server/main.ts')], {
    cwd,
    env: envWith(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('done when: from a shell, the CLI sets up a tenant, and a phone enrolls with its TAP', () => {
  it(
    'CLI creates tenant, user in a group, policy targeting the group in any mode, and a TAP; a scripted enrollment with that TAP succeeds and survives a restart',
    async () => {
      const dataDir = tempDir();
      const alice = 'alice@contoso.example';

      const tenant = await nodJson(dataDir, 'admin', 'tenant', 'create', 'contoso', '--display-name', 'Contoso');
      expect(tenant).toEqual({
        name: 'contoso',
        displayName: 'Contoso',
        signInOrigins: [],
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(await nodJson(dataDir, 'admin', 'user', 'create', 'contoso', alice, '--display-name', 'Alice')).toMatchObject({
        username: alice,
        kind: 'member',
      });
      expect(await nodJson(dataDir, 'admin', 'group', 'create', 'contoso', 'Sales')).toMatchObject({ name: 'Sales' });
      const added = await nod(dataDir, 'admin', 'group', 'add', 'contoso', 'Sales', alice);
      expect(added.code).toBe(0);
      const policy = await nodJson(dataDir, 'admin', 'policy', 'set', 'contoso', '--enable', '--target', 'group:Sales=any');
      expect(policy).toMatchObject({ enabled: true, includeTargets: [{ kind: 'group', name: 'Sales', mode: 'any' }] });
      const tap = await nodJson(dataDir, 'admin', 'tap', 'issue', 'contoso', alice);
      expect(tap).toMatchObject({ temporaryAccessPass: expect.stringMatching(/^[A-Za-z0-9]{16}$/), oneTime: true });
      const { token } = await nodJson(dataDir, 'admin', 'token', 'create', 'contoso');
      expect(token).toMatch(/^nod_admin_/);

      // The relay starts on the data directory the CLI wrote.
      const relay = await startRelay({ dataDir });
      try {
        const phone = await enrollPhone(relay.url, { tenant: 'contoso', username: alice, temporaryAccessPass: tap.temporaryAccessPass });
        expect(phone.account).toMatchObject({ tenant: 'contoso', tenantDisplayName: 'Contoso', username: alice, displayName: 'Alice' });
        const enabled = await phone.call('PUT', `/api/registrations/${phone.account.registrationId}/phone-sign-in`, { enabled: true });
        expect(enabled.body).toEqual({ phoneSignInEnabled: true });

        await relay.restart();

        const listed = await fetchJson(`${relay.url}/admin/t/contoso/users/${alice}/registrations`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(listed.status).toBe(200);
        expect(listed.body.registrations).toEqual([
          expect.objectContaining({ id: phone.account.registrationId, phoneSignInEnabled: true }),
        ]);
        const mine = await phone.call('GET', '/api/device/registrations');
        expect(mine.body.registrations).toEqual([expect.objectContaining({ id: phone.account.registrationId, phoneSignInEnabled: true })]);
        // The pass was one-time: it does not start a second enrollment.
        const again = await fetchJson(`${relay.url}/api/enrollment/start`, {
          body: { tenant: 'contoso', username: alice, temporaryAccessPass: tap.temporaryAccessPass },
        });
        expect(again.body).toMatchObject({ code: 'tap_invalid' });
      } finally {
        await relay.close();
      }
    },
    processTimeout * 4,
  );
});

// Independent processes on their own directories: run them side by side.
describe.concurrent('the CLI says what went wrong', () => {
  it(
    'an unknown tenant exits 1 with one line',
    async () => {
      const run = await nod(tempDir(), 'admin', 'user', 'create', 'nosuchtenant', 'alice@contoso.example', '--init');
      expect(run.code).toBe(1);
      expect(run.stderr.split('\n').filter((l) => l.startsWith('nod:'))).toEqual(['nod: No tenant is named nosuchtenant.']);
    },
    processTimeout,
  );

  it(
    'a refused admin call exits 1 with its message',
    async () => {
      const dataDir = tempDir();
      await nodJson(dataDir, 'admin', 'tenant', 'create', 'contoso');
      const run = await nod(dataDir, 'admin', 'policy', 'set', 'contoso', '--enable', '--target', 'group:Nobody=any');
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('nod: --target (includeTargets[0].name): no group named Nobody');
    },
    processTimeout,
  );

  it(
    'an unknown command exits 2 with the usage',
    async () => {
      const run = await nod(tempDir(), 'admin', 'frobnicate');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('nod admin tap issue <tenant> <username>');
    },
    processTimeout,
  );
});

describe.concurrent('starting the relay from a shell (what npm start runs)', () => {
  it(
    'a bad NOD_PORT and NOD_PUBLIC_URL stop it with exit code 2 and one line each, before anything is written',
    async () => {
      const cwd = tempDir();
      const dataDir = path.join(cwd, 'data');
      const result = await exited(startMain({ NOD_PORT: 'eighty', NOD_PUBLIC_URL: 'nod.contoso.example', NOD_DATA_DIR: dataDir }, cwd));
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n').filter((l) => l.startsWith('nod:'))).toEqual([
        'nod: NOD_PORT: expected a port number from 0 to 65535, got "eighty"',
        'nod: NOD_PUBLIC_URL: expected an http or https URL such as https://nod.contoso.example, got "nod.contoso.example"',
      ]);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(fs.existsSync(dataDir)).toBe(false);
    },
    processTimeout,
  );

  it(
    'a VAPID subject push services would refuse stops it with exit code 2 and one line, before anything is written',
    async () => {
      const cwd = tempDir();
      const dataDir = path.join(cwd, 'data');
      const result = await exited(startMain({ NOD_VAPID_SUBJECT: 'ops@contoso.example', NOD_DATA_DIR: dataDir }, cwd));
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n').filter((l) => l.trim() !== '')).toEqual([
        'nod: NOD_VAPID_SUBJECT: expected a mailto: URL with an address (mailto:ops@contoso.example) or an https: URL, got "ops@contoso.example"',
      ]);
      expect(fs.existsSync(dataDir)).toBe(false);
    },
    processTimeout,
  );

  it(
    'a good configuration serves GET /health, makes its keys, and stops cleanly on SIGTERM',
    async () => {
      const cwd = tempDir();
      const port = await freePort();
      const child = startMain({ NOD_PORT: String(port), NOD_LOG_LEVEL: 'warn' }, cwd);
      const done = exited(child);
      try {
        let health: { status: number; body: any } | undefined;
        const deadline = Date.now() + processTimeout - 5_000;
        while (health?.status !== 200 && Date.now() < deadline) {
          health = await fetchJson(`http://127.0.0.1:${port}/health`).catch(() => undefined);
          if (health?.status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
        // The embedded default: SQLite and keys under ./data of where it was started.
        expect(fs.existsSync(path.join(cwd, 'data', 'nod.sqlite'))).toBe(true);
        expect(fs.readdirSync(path.join(cwd, 'data', 'keys'))).toEqual(expect.arrayContaining(['signing.json', 'vapid.json']));
      } finally {
        child.kill('SIGTERM');
      }
      expect((await done).code).toBe(0);
    },
    processTimeout,
  );
});

// After the concurrent ones above, not beside them: each starts processes of its own on a busy machine.
describe('starting the relay from a shell on PostgreSQL', () => {
  it(
    'a PostgreSQL it cannot reach stops it with exit code 2 and one line naming NOD_DATABASE_URL and where, without the password',
    async () => {
      // Port 1 on loopback: nothing listens there.
      const result = await exited(startMain({ NOD_DATABASE_URL: 'postgres://nod:s3cret@127.0.0.1:1/nod' }, tempDir()));
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n').filter((l) => l.trim() !== '')).toEqual([
        expect.stringMatching(/^nod: NOD_DATABASE_URL: PostgreSQL at 127\.0\.0\.1:1\/nod: .*\(ECONNREFUSED\)$/),
      ]);
      expect(result.stderr).not.toContain('s3cret');
    },
    processTimeout,
  );

  it(
    'a database migrated by a newer relay stops it with exit code 1 and one line saying so, and is left as it is',
    async () => {
      const database = await createTestDatabase();
      try {
        await (await createPostgresStorage(database.url)).close();
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        await client.query('INSERT INTO nod_schema_migrations (version) VALUES ($1)', [postgresMigrations.length + 1]);
        const result = await exited(startMain({ NOD_DATABASE_URL: database.url, NOD_PORT: String(await freePort()) }, tempDir()));
        const versions = await client.query('SELECT max(version) AS v FROM nod_schema_migrations');
        await client.end();
        expect(result.code).toBe(1);
        expect(result.stderr.split('\n').filter((l) => l.trim() !== '')).toEqual([
          `nod: the PostgreSQL database is at schema version ${postgresMigrations.length + 1}, newer than this relay knows (${postgresMigrations.length}): run the newer relay that migrated it, or restore a backup made before`,
        ]);
        expect(versions.rows[0].v).toBe(postgresMigrations.length + 1);
      } finally {
        await database.drop();
      }
    },
    processTimeout,
  );

  it(
    'on NOD_DATABASE_URL the CLI and the relay share PostgreSQL: no SQLite file, the keys in the data directory',
    async () => {
      const database = await createTestDatabase();
      const cwd = tempDir();
      const port = await freePort();
      const env = { NOD_DATABASE_URL: database.url };
      try {
        const created = await runNodAdmin(
          path.join(cwd, 'data'),
          ['tenant', 'create', 'contoso', '--origin', 'https://portal.contoso.example'],
          env,
        );
        expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
        const child = startMain({ ...env, NOD_PORT: String(port), NOD_LOG_LEVEL: 'warn' }, cwd);
        const done = exited(child);
        try {
          let tenants: { status: number; body: any } | undefined;
          const deadline = Date.now() + processTimeout - 5_000;
          while (tenants?.status !== 200 && Date.now() < deadline) {
            tenants = await fetchJson(`http://127.0.0.1:${port}/api/tenants`).catch(() => undefined);
            if (tenants?.status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
          }
          expect(tenants?.body.tenants).toEqual([expect.objectContaining({ name: 'contoso' })]);
          expect(fs.existsSync(path.join(cwd, 'data', 'nod.sqlite'))).toBe(false);
          expect(fs.readdirSync(path.join(cwd, 'data', 'keys'))).toEqual(expect.arrayContaining(['signing.json', 'vapid.json']));
        } finally {
          child.kill('SIGTERM');
        }
        expect((await done).code).toBe(0);
      } finally {
        await database.drop();
      }
    },
    processTimeout * 2,
  );
});
