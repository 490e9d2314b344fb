import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../shared/totp';
import { createStorageAdapter } from '../../server/oidc/createStorageAdapter';
import { type TestPhone, enrollPhone } from '../helpers/enrollPhone';
import { runNodAdmin } from '../helpers/nodCli';
import { type TestRelay, type TestTenant, fetchJson, startRelay } from '../helpers/startRelay';

const alice = 'alice@contoso.example';

/** Issue 14 item 7: TOTP seeds and client secrets are sealed at rest; OIDC tokens are stored by hash. */
describe('secrets at rest: the SQLite file holds no TOTP seed, client secret or token in clear', () => {
  let relay: TestRelay;
  let contoso: TestTenant;
  let tokenEndpoint: string;

  const sqliteBytes = () =>
    Buffer.concat(
      fs
        .readdirSync(relay.dataDir)
        .filter((name) => name.startsWith('nod.sqlite'))
        .map((name) => fs.readFileSync(path.join(relay.dataDir, name))),
    );
  const database = () => (relay.ctx.storage as unknown as { database: Database.Database }).database;
  const enroll = async () => {
    const tap = (await contoso.admin('POST', `/users/${alice}/temporary-access-pass`, {})).body.temporaryAccessPass;
    return enrollPhone(relay.url, { tenant: 'contoso', username: alice, temporaryAccessPass: tap });
  };
  /** A verification code from the phone's seed signs in: the relay opened the sealed seed. */
  const codeSignsIn = async (phone: TestPhone) => {
    const code = await totpCode(phone.account.totpSecret, Date.now());
    const answer = await fetchJson(`${relay.url}/api/t/contoso/code-sign-in`, { body: { username: alice, code } });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  };
  /** The token endpoint tells a wrong client secret (invalid_client) from a right one with a bad code (invalid_grant). */
  const tokenError = async (clientId: string, secret: string) => {
    const response = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'no-such-code',
        redirect_uri: 'https://portal.contoso.example/cb',
      }),
    });
    return ((await response.json()) as { error: string }).error;
  };
  const createClient = async (clientId: string) => {
    const created = await contoso.admin('POST', '/clients', {
      clientId,
      displayName: 'Contoso Portal',
      redirectUris: ['https://portal.contoso.example/cb'],
    });
    expect(created.status).toBe(201);
    return created.body.clientSecret as string;
  };

  beforeAll(async () => {
    relay = await startRelay();
    contoso = await relay.tenant('contoso');
    await contoso.admin('POST', '/users', { username: alice });
    await contoso.admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'all_users', mode: 'any' }] });
    tokenEndpoint = (await fetchJson(`${relay.url}/t/contoso/.well-known/openid-configuration`)).body.token_endpoint;
  });
  afterAll(() => relay.close());

  it('the SQLite file contains no TOTP seed or client secret in clear, and both still work', async () => {
    const phone = await enroll();
    const clientSecret = await createClient('portal');
    const stored = sqliteBytes();
    expect(stored.includes(Buffer.from(phone.account.totpSecret))).toBe(false);
    expect(stored.includes(Buffer.from(clientSecret))).toBe(false);
    expect(stored.includes(Buffer.from('nod-sealed:v1:'))).toBe(true);
    await codeSignsIn(phone);
    expect(await tokenError('portal', clientSecret)).toBe('invalid_grant');
    expect(await tokenError('portal', `${clientSecret}x`)).toBe('invalid_client');
  });

  it('rows an older relay stored in clear are sealed at start, and still work', async () => {
    const phone = await enroll();
    const clientSecret = await createClient('legacy-portal');
    // As a relay from before sealing left them.
    database().prepare('UPDATE registrations SET totp_secret = ? WHERE id = ?').run(phone.account.totpSecret, phone.account.registrationId);
    const row = database().prepare(`SELECT metadata FROM oidc_clients WHERE client_id = 'legacy-portal'`).get() as { metadata: string };
    database()
      .prepare(`UPDATE oidc_clients SET metadata = ? WHERE client_id = 'legacy-portal'`)
      .run(JSON.stringify({ ...JSON.parse(row.metadata), client_secret: clientSecret }));
    expect(sqliteBytes().includes(Buffer.from(phone.account.totpSecret))).toBe(true);

    await relay.restart();
    const seed = database().prepare('SELECT totp_secret FROM registrations WHERE id = ?').get(phone.account.registrationId) as {
      totp_secret: string;
    };
    expect(seed.totp_secret).toMatch(/^nod-sealed:v1:/);
    database().pragma('wal_checkpoint(TRUNCATE)');
    database().exec('VACUUM');
    const stored = sqliteBytes();
    expect(stored.includes(Buffer.from(phone.account.totpSecret))).toBe(false);
    expect(stored.includes(Buffer.from(clientSecret))).toBe(false);
    await codeSignsIn(phone);
    expect(await tokenError('legacy-portal', clientSecret)).toBe('invalid_grant');
  });

  it('a new key from `nod admin secrets rotate-key` re-seals every secret; the running relay reads them on', async () => {
    const phone = await enroll();
    const clientSecret = await createClient('rotated-portal');
    const keyIdOf = (value: string) => /^nod-sealed:v1:([^:]+):/.exec(value)?.[1];
    const before = keyIdOf(
      (database().prepare('SELECT totp_secret FROM registrations WHERE id = ?').get(phone.account.registrationId) as any).totp_secret,
    );

    const run = await runNodAdmin(relay.dataDir, ['secrets', 'rotate-key']);
    expect(run.code, run.stderr).toBe(0);
    const { keyId, resealed } = JSON.parse(run.stdout);
    expect(keyId).not.toBe(before);
    expect(resealed).toBeGreaterThanOrEqual(2);
    const seeds = database().prepare('SELECT totp_secret FROM registrations').all() as { totp_secret: string }[];
    expect(seeds.map((s) => keyIdOf(s.totp_secret))).toEqual(seeds.map(() => keyId));
    const keys = JSON.parse(fs.readFileSync(path.join(relay.dataDir, 'keys', 'secrets.json'), 'utf8')).keys;
    expect(keys.map((k: { kid: string }) => k.kid)).toEqual([before, keyId]);
    expect(fs.statSync(path.join(relay.dataDir, 'keys', 'secrets.json')).mode & 0o777).toBe(0o600);

    // The relay that was running all along opens what the new key sealed.
    await codeSignsIn(phone);
    expect(await tokenError('rotated-portal', clientSecret)).toBe('invalid_grant');
  });

  it('a sealed seed copied into another registration does not open there', async () => {
    const mine = await enroll();
    const other = await enroll();
    const sealedOf = (id: string) => (database().prepare('SELECT totp_secret FROM registrations WHERE id = ?').get(id) as any).totp_secret;
    database()
      .prepare('UPDATE registrations SET totp_secret = ? WHERE id = ?')
      .run(sealedOf(mine.account.registrationId), other.account.registrationId);
    // The seed is opened where it is read: the row itself still reads, its seed does not open.
    const moved = await relay.ctx.storage.registrations.byId(other.account.registrationId);
    expect(moved?.id).toBe(other.account.registrationId);
    expect(() => moved?.totpSecret).toThrow();
    expect(() => ({ ...moved })).toThrow();
  });

  it('OIDC records are stored by the hash of their id: no token is in the file, and the provider finds it by the token', async () => {
    const tenant = await relay.ctx.storage.tenants.byName('contoso');
    const tokens = createStorageAdapter(relay.ctx, tenant!, 'AccessToken');
    const token = 'at-Xk3mQ9vTq2Lr8WzYp5NcB7hJ4dF6sG1a';
    await tokens.upsert(token, { jti: token, accountId: 'alice', grantId: 'g-1', kind: 'AccessToken' }, 60);
    expect(await tokens.find(token)).toEqual({ jti: token, accountId: 'alice', grantId: 'g-1', kind: 'AccessToken' });
    expect(sqliteBytes().includes(Buffer.from(token))).toBe(false);
    await tokens.destroy(token);
    expect(await tokens.find(token)).toBeUndefined();
  });
});
