/**
 * The traps a new admin fell into with `nod admin` (issue 15), each shown gone: from a shell, on
 * a data directory set up beforehand by the relay's own code (so each test runs few processes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAdminCall } from '../../server/cli/runAdminCall';
import { configFor } from '../../server/config';
import { createApp } from '../../server/createApp';
import { newId } from '../../server/ids';
import { repoRoot } from '../helpers/builds';
import { type NodRun, runNodAdmin } from '../helpers/nodCli';
import { freePort, tempDirs } from '../helpers/processes';
import { fetchJson } from '../helpers/startRelay';

// Each CLI call is a fresh Node process (about a second on an idle machine, far more on a loaded one).
const processTimeout = 120_000;
const alice = 'alice@contoso.example';
const tempDir = tempDirs('nod-cli-traps-');

/** The `nod:` lines of a run's stderr. */
const nodLines = (run: NodRun) => run.stderr.split('\n').filter((line) => line.startsWith('nod:'));

/** A relay data directory holding tenant contoso, Alice, groups Sales and Staff and a policy targeting Sales; made in-process. */
async function seeded(): Promise<{ dataDir: string }> {
  const dataDir = tempDir();
  const { app, ctx } = await createApp(configFor({ dataDir }));
  const call = async (method: any, adminPath: string, body?: unknown) => {
    const answer = await runAdminCall(app, ctx, 'contoso', method, adminPath, body);
    if (answer.status >= 400) throw new Error(`${method} ${adminPath}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  try {
    const { createTenant } = await import('../../server/tenants/createTenant');
    await createTenant(ctx, { name: 'contoso', displayName: 'Contoso', signInOrigins: [] });
    await call('POST', '/users', { username: alice, displayName: 'Alice' });
    await call('POST', '/groups', { name: 'Sales' });
    await call('POST', '/groups', { name: 'Staff' });
    await call('PUT', `/groups/Sales/members/${alice}`);
    await call('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'group', name: 'Sales', mode: 'any' }] });
  } finally {
    await app.close();
  }
  return { dataDir };
}

/** Work on a seeded data directory in-process again (between CLI runs, never beside one). */
async function inProcess<T>(dataDir: string, work: (relay: Awaited<ReturnType<typeof createApp>>) => Promise<T>): Promise<T> {
  const relay = await createApp(configFor({ dataDir }));
  try {
    return await work(relay);
  } finally {
    await relay.app.close();
  }
}

// One after the other: each runs Node processes, and CI runs browser tests beside these.
describe('nod admin without traps', () => {
  it(
    'policy target add keeps the seeded group, target remove takes one out, and policy set says it replaced the targets',
    async () => {
      const { dataDir } = await seeded();
      const added = await runNodAdmin(dataDir, ['policy', 'target', 'add', 'contoso', `user:${alice}=push`]);
      expect({ code: added.code, stderr: added.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(added.stdout).includeTargets).toEqual([
        { kind: 'group', name: 'Sales', mode: 'any' },
        { kind: 'user', name: alice, mode: 'push' },
      ]);
      const removed = await runNodAdmin(dataDir, ['policy', 'target', 'remove', 'contoso', 'group:Sales']);
      expect(JSON.parse(removed.stdout).includeTargets).toEqual([{ kind: 'user', name: alice, mode: 'push' }]);

      const replaced = await runNodAdmin(dataDir, ['policy', 'set', 'contoso', '--target', 'group:Staff=passwordless']);
      expect(replaced.code).toBe(0);
      expect(JSON.parse(replaced.stdout).includeTargets).toEqual([{ kind: 'group', name: 'Staff', mode: 'passwordless' }]);
      expect(replaced.stderr).toBe(`note: policy set replaced every target (they were: user:${alice}=push)\n`);
      const help = await runNodAdmin(dataDir, ['--help']);
      expect(help.stdout).toContain('--target and --exclude REPLACE every target');
    },
    processTimeout * 4,
  );

  it(
    'a data directory without relay data is refused with exit 2 and nothing written; --init starts one there',
    async () => {
      const dataDir = path.join(tempDir(), 'mistyped');
      const refused = await runNodAdmin(dataDir, ['user', 'list', 'contoso']);
      expect(refused.code).toBe(2);
      expect(nodLines(refused)).toEqual([
        `nod: NOD_DATA_DIR: ${dataDir} holds no relay data (no nod.sqlite): point it at the relay’s, or pass --init to start a new relay’s data there`,
      ]);
      expect(fs.existsSync(dataDir)).toBe(false);

      const started = await runNodAdmin(dataDir, ['tenant', 'list', '--init']);
      expect({ code: started.code, stdout: started.stdout.trim() }).toEqual({ code: 0, stdout: '[]' });
      expect(fs.existsSync(path.join(dataDir, 'nod.sqlite'))).toBe(true);
    },
    processTimeout * 2,
  );

  it(
    'usage errors exit 2 naming the flag or the missing argument, before anything is opened',
    async () => {
      const dataDir = path.join(tempDir(), 'data');
      const runs = {
        lifetime: await runNodAdmin(dataDir, ['tap', 'issue', 'contoso', alice, '--lifetime', 'abc']),
        unknownFlag: await runNodAdmin(dataDir, ['user', 'list', 'contoso', '--colour']),
        outcome: await runNodAdmin(dataDir, ['audit', 'contoso', '--outcome', 'bogus']),
        noTenant: await runNodAdmin(dataDir, ['user', 'list']),
        role: await runNodAdmin(dataDir, ['token', 'create', 'contoso', '--role', 'root']),
        target: await runNodAdmin(dataDir, ['policy', 'target', 'add', 'contoso', 'group:Sales=sometimes']),
      };
      expect(Object.fromEntries(Object.entries(runs).map(([name, run]) => [name, run.code]))).toEqual({
        lifetime: 2,
        unknownFlag: 2,
        outcome: 2,
        noTenant: 2,
        role: 2,
        target: 2,
      });
      expect(nodLines(runs.lifetime)).toEqual(['nod: --lifetime: a whole number of minutes, got "abc"']);
      expect(nodLines(runs.unknownFlag)).toEqual([expect.stringContaining("Unknown option '--colour'")]);
      expect(nodLines(runs.outcome)).toEqual([expect.stringMatching(/^nod: --outcome: one of success, .*approved.*, got "bogus"$/)]);
      expect(nodLines(runs.noTenant)).toEqual([expect.stringMatching(/^nod: missing <tenant>: nod admin user list <tenant>/)]);
      expect(nodLines(runs.role)).toEqual(['nod: --role: one of global, policy, helpdesk, got "root"']);
      expect(nodLines(runs.target)).toEqual([
        expect.stringMatching(/^nod: <target>: the mode after "=" is one of any, passwordless, push/),
      ]);
      expect(fs.existsSync(dataDir)).toBe(false);
    },
    processTimeout * 6,
  );

  it(
    'a value the relay refuses is named by its flag',
    async () => {
      const { dataDir } = await seeded();
      const run = await runNodAdmin(dataDir, ['tap', 'issue', 'contoso', alice, '--lifetime', '100000']);
      expect(run.code).toBe(1);
      expect(nodLines(run)).toEqual([expect.stringMatching(/^nod: --lifetime: .*43200/)]);
    },
    processTimeout,
  );

  it(
    'client list prints the issuer of the relay as it runs (its port), not the default, from a shell without its settings',
    async () => {
      const { dataDir } = await seeded();
      const created = await inProcess(dataDir, ({ app, ctx }) =>
        runAdminCall(app, ctx, 'contoso', 'POST', '/clients', {
          displayName: 'Portal',
          redirectUris: ['https://portal.contoso.example/cb'],
        }),
      );
      expect(created.status).toBe(201);
      const port = await freePort();
      const relay: ChildProcess = spawn(
        process.execPath,
        [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), path.join(repoRoot, 'server/main.ts')],
        {
          cwd: repoRoot,
          env: {
            ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('NOD_'))),
            NOD_DATA_DIR: dataDir,
            NOD_PORT: String(port),
            NOD_LOG_LEVEL: 'warn',
          },
          stdio: 'ignore',
        },
      );
      const exited = new Promise((resolve) => relay.on('exit', resolve));
      try {
        let ready = false;
        const deadline = Date.now() + processTimeout - 5_000;
        while (!ready && Date.now() < deadline) {
          ready = (await fetchJson(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.status === 200;
          if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(ready).toBe(true);
        const listed = await runNodAdmin(dataDir, ['client', 'list', 'contoso']);
        expect(JSON.parse(listed.stdout).clients).toEqual([expect.objectContaining({ issuer: `http://localhost:${port}/t/contoso` })]);
        // NOD_PUBLIC_URL, when the shell has it, is the issuer.
        const told = await runNodAdmin(dataDir, ['client', 'list', 'contoso'], { NOD_PUBLIC_URL: 'https://nod.contoso.example' });
        expect(JSON.parse(told.stdout).clients[0].issuer).toBe('https://nod.contoso.example/t/contoso');
      } finally {
        relay.kill('SIGTERM');
        await exited;
      }
    },
    processTimeout * 3,
  );

  it(
    'the missing verbs: devices, passes, groups, tokens and a user’s lifecycle',
    async () => {
      const { dataDir } = await seeded();
      const { deviceId, passId, tokenId } = await inProcess(dataDir, async ({ ctx }) => {
        const tenant = (await ctx.storage.tenants.byName('contoso'))!;
        const user = (await ctx.storage.users.byName(tenant.id, alice))!;
        const device = {
          id: newId(),
          tenantId: tenant.id,
          kind: 'phone' as const,
          name: 'Pixel 8',
          publicKey: { kty: 'EC' as const, crv: 'P-256' as const, x: 'x'.repeat(43), y: 'y'.repeat(43) },
          thumbprint: newId(),
          pushSubscription: null,
          pushState: 'none' as const,
          createdAt: Date.now(),
          lastSeenAt: null,
          lastReceiptAt: null,
          healthCheckSentAt: null,
        };
        await ctx.storage.enrollment.complete(device, {
          id: newId(),
          tenantId: tenant.id,
          userId: user.id,
          deviceId: device.id,
          credentialId: newId(),
          credentialPublicKey: 'pQECAyYgASFYIA',
          signCount: 0,
          transports: ['internal'],
          backupEligible: false,
          backupState: false,
          phoneSignInEnabled: true,
          totpSecret: 'JBSWY3DPEHPK3PXP',
          totpLastStep: 0,
          createdAt: Date.now(),
          lastUsedAt: null,
        });
        const { issueTemporaryAccessPass } = await import('../../server/tap/issueTemporaryAccessPass');
        const pass = await issueTemporaryAccessPass(ctx, tenant, user, { lifetimeMinutes: 60, oneTime: true });
        const { createAdminToken } = await import('../../server/admin/adminTokens');
        const token = await createAdminToken(ctx, tenant, 'helpdesk_administrator', 'helpdesk desk 3');
        return { deviceId: device.id, passId: pass.id, tokenId: token.id };
      });
      const nod = async (...args: string[]) => {
        const run = await runNodAdmin(dataDir, args);
        expect({ args: args.join(' '), code: run.code, stderr: run.stderr }).toEqual({ args: args.join(' '), code: 0, stderr: '' });
        return run.stdout.trim() ? JSON.parse(run.stdout) : undefined;
      };

      expect((await nod('device', 'list', 'contoso', alice)).devices).toEqual([
        expect.objectContaining({ id: deviceId, name: 'Pixel 8', registrations: [expect.objectContaining({ phoneSignInEnabled: true })] }),
      ]);
      await nod('device', 'remove', 'contoso', alice, deviceId);
      expect((await nod('pass', 'list', 'contoso', alice)).passes).toEqual([expect.objectContaining({ id: passId, state: 'usable' })]);
      await nod('pass', 'revoke', 'contoso', alice, passId);
      expect((await nod('token', 'list', 'contoso')).tokens).toEqual([
        expect.objectContaining({ id: tokenId, role: 'helpdesk_administrator', label: 'helpdesk desk 3' }),
      ]);
      await nod('token', 'revoke', 'contoso', tokenId);
      expect(await nod('group', 'rename', 'contoso', 'Sales', 'Sales-EU')).toMatchObject({ name: 'Sales-EU' });
      expect((await nod('group', 'list', 'contoso')).groups.map((g: any) => g.name)).toEqual(['Sales-EU', 'Staff']);
      expect(await nod('user', 'disable', 'contoso', alice)).toMatchObject({ disabled: true });
      expect(await nod('user', 'enable', 'contoso', alice)).toMatchObject({ disabled: false });
      await nod('user', 'delete', 'contoso', alice);

      // What the verbs did, read back in-process.
      await inProcess(dataDir, async ({ ctx }) => {
        const tenant = (await ctx.storage.tenants.byName('contoso'))!;
        expect(await ctx.storage.users.byName(tenant.id, alice)).toBeUndefined();
        expect((await ctx.storage.adminTokens.byId(tokenId))?.revokedAt).not.toBeNull();
        expect(await ctx.storage.registrations.listForDevice(deviceId)).toEqual([]);
        const types = (await ctx.storage.audit.list({ tenantId: tenant.id })).map((e) => e.type);
        expect(types).toEqual(
          expect.arrayContaining([
            'device.removed',
            'temporary_access_pass.revoked',
            'group.renamed',
            'user.disabled',
            'user.enabled',
            'user.deleted',
          ]),
        );
      });
    },
    processTimeout * 12,
  );
});
