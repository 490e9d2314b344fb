import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestPhone, enrollPhone } from '../helpers/enrollPhone';
import { type TestRelay, type TestTenant, fetchJson, startRelay } from '../helpers/startRelay';
import { storages } from '../helpers/storages';

describe.each(storages)('a restart of the relay keeps its data and its keys, on $storage', ({ postgres }) => {
  let relay: TestRelay;
  let contoso: TestTenant;
  let phone: TestPhone;
  const alice = 'alice@contoso.example';
  const before = {} as { vapidPublicKey: string; kid: string; users: unknown; policy: unknown; registrations: unknown; groups: unknown };

  beforeAll(async () => {
    relay = await startRelay({}, { postgres });
    contoso = await relay.tenant('contoso', { displayName: 'Contoso', signInOrigins: ['https://portal.contoso.example'] });
    await contoso.admin('POST', '/users', { username: alice, displayName: 'Alice' });
    await contoso.admin('POST', '/users', { username: 'guest@partner.example', kind: 'guest' });
    await contoso.admin('POST', '/groups', { name: 'Sales' });
    await contoso.admin('PUT', `/groups/Sales/members/${alice}`);
    await contoso.admin('PUT', '/policy', {
      enabled: true,
      includeTargets: [{ kind: 'group', name: 'Sales', mode: 'any' }],
      excludeTargets: [{ kind: 'user', name: 'guest@partner.example' }],
      showLocation: false,
    });
    const tap = await contoso.admin('POST', `/users/${alice}/temporary-access-pass`, {});
    phone = await enrollPhone(relay.url, { tenant: 'contoso', username: alice, temporaryAccessPass: tap.body.temporaryAccessPass });
    await phone.call('PUT', `/api/registrations/${phone.account.registrationId}/phone-sign-in`, { enabled: true });

    before.vapidPublicKey = relay.ctx.keys.vapid.publicKey;
    before.kid = String(relay.ctx.keys.signing[0].publicJwk.kid);
    before.users = (await contoso.admin('GET', '/users')).body;
    before.groups = (await contoso.admin('GET', '/groups/Sales/members')).body;
    before.policy = (await contoso.admin('GET', '/policy')).body;
    before.registrations = (await contoso.admin('GET', `/users/${alice}/registrations`)).body;
    await relay.restart();
  });
  afterAll(() => relay.close());

  it('the keys are files under dataDir/keys that only the relay’s user can read (mode 0600)', () => {
    const dir = path.join(relay.dataDir, 'keys');
    const files = fs.readdirSync(dir).sort();
    expect(files).toEqual(expect.arrayContaining(['signing.json', 'vapid.json']));
    for (const file of files) {
      expect({ file, mode: (fs.statSync(path.join(dir, file)).mode & 0o777).toString(8) }).toEqual({ file, mode: '600' });
    }
    expect((fs.statSync(dir).mode & 0o077).toString(8)).toBe('0');
  });

  it('the same VAPID public key after the restart', () => {
    expect(relay.ctx.keys.vapid.publicKey).toBe(before.vapidPublicKey);
    expect(relay.ctx.keys.vapid.publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
  });

  it('the same token-signing key id after the restart', () => {
    expect(relay.ctx.keys.signing.map((k) => k.publicJwk.kid)).toEqual([before.kid]);
  });

  it('a relay on a new data directory makes new keys (so the two checks above can tell)', async () => {
    const other = await startRelay();
    try {
      expect(other.ctx.keys.vapid.publicKey).not.toBe(before.vapidPublicKey);
      expect(other.ctx.keys.signing[0].publicJwk.kid).not.toBe(before.kid);
    } finally {
      await other.close();
    }
  });

  it('users, groups, the policy and registrations are intact', async () => {
    expect((await contoso.admin('GET', '/users')).body).toEqual(before.users);
    expect((await contoso.admin('GET', '/groups/Sales/members')).body).toEqual(before.groups);
    expect((await contoso.admin('GET', '/policy')).body).toEqual(before.policy);
    expect((await contoso.admin('GET', `/users/${alice}/registrations`)).body).toEqual(before.registrations);
    expect((await contoso.admin('GET', `/users/${alice}/policy`)).body).toMatchObject({ allowed: true, mode: 'any' });
  });

  it('the tenant and its sign-in origins are still published', async () => {
    const discovery = await fetchJson(`${relay.url}/api/tenants`);
    expect(discovery.body.tenants).toEqual([
      expect.objectContaining({ name: 'contoso', signInOrigins: [relay.url, 'https://portal.contoso.example'] }),
    ]);
  });

  it('the phone’s device key still authenticates, with phone sign-in still on', async () => {
    const mine = await phone.call('GET', '/api/device/registrations');
    expect(mine.status).toBe(200);
    expect(mine.body.registrations).toEqual([expect.objectContaining({ id: phone.account.registrationId, phoneSignInEnabled: true })]);
  });
});
