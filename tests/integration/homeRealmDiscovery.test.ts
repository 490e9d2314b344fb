import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverTenant } from '../../shared/relay/discoverTenant';
import { CookieJar } from '../helpers/cookieJar';
import { runNodAdmin } from '../helpers/nodCli';
import { type TestRelay, type TestTenant, fetchJson, startRelay } from '../helpers/startRelay';

describe('home realm discovery: the organization of a username, from its domain', () => {
  let relay: TestRelay;
  let contoso: TestTenant;
  let fabrikam: TestTenant;

  beforeAll(async () => {
    relay = await startRelay();
    contoso = await relay.tenant('contoso', { displayName: 'Contoso Ltd' });
    fabrikam = await relay.tenant('fabrikam', { displayName: 'Fabrikam' });
    await contoso.admin('POST', '/users', { username: 'alice@contoso.example', displayName: 'Alice' });
  });
  afterAll(() => relay.close());

  const discover = (username: string) => fetchJson(`${relay.url}/api/discovery?${new URLSearchParams({ username })}`);

  it('an admin registers domains; each domain belongs to one organization (409 for a second)', async () => {
    expect(await contoso.admin('POST', '/domains', { domain: 'Contoso.Example' })).toEqual({
      status: 201,
      body: { domains: ['contoso.example'] },
    });
    const again = await contoso.admin('POST', '/domains', { domain: 'contoso.example' });
    expect(again.status).toBe(409);
    const taken = await fabrikam.admin('POST', '/domains', { domain: 'contoso.example' });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'conflict', field: 'domain' });
    expect(taken.body.detail).not.toContain('contoso.example is registered for contoso');
    const bad = await fabrikam.admin('POST', '/domains', { domain: 'not a domain' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'validation_failed', field: 'domain' });
    expect((await fabrikam.admin('GET', '/domains')).body).toEqual({ domains: [] });
  });

  it('answers the organization for every username of a registered domain alike, whether the user exists or not', async () => {
    const known = await discover('alice@contoso.example');
    const unknown = await discover('nobody-at-all@CONTOSO.example');
    expect(known.status).toBe(200);
    expect(known.body).toEqual({ tenant: 'contoso', displayName: 'Contoso Ltd' });
    expect(unknown.status).toBe(known.status);
    expect(unknown.body).toEqual(known.body);
    expect(known.headers.get('cache-control')).toBe('no-store');
  });

  it('a domain no organization registered is a 404 problem, the same for a user who exists elsewhere', async () => {
    const answer = await discover('alice@fabrikam.example');
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ code: 'tenant_not_found' });
  });

  it('a username without a domain is a 400 naming the field, never a 500', async () => {
    for (const username of ['alice', 'alice@', 'alice@localhost', '']) {
      const answer = await discover(username);
      expect(answer.status, username).toBe(400);
      expect(answer.body, username).toMatchObject({ code: 'validation_failed', field: 'username' });
    }
    const none = await fetchJson(`${relay.url}/api/discovery`);
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ field: 'username' });
  });

  it('the shared relay client answers the organization, or undefined for an unregistered domain', async () => {
    expect(await discoverTenant(relay.url, 'alice@contoso.example')).toEqual({ tenant: 'contoso', displayName: 'Contoso Ltd' });
    expect(await discoverTenant(relay.url, 'alice@elsewhere.example')).toBeUndefined();
  });

  it('the hosted page of one organization answers otherOrganization for every username of a domain another registered', async () => {
    expect((await fabrikam.admin('POST', '/domains', { domain: 'fabrikam.example' })).status).toBe(201);
    await contoso.admin('POST', '/users', { username: 'gina@fabrikam.example', kind: 'guest', displayName: 'Gina' });
    try {
      const jar = new CookieJar();
      const { url } = await jar.follow(`${relay.url}/t/contoso/my-sign-ins`, (u) => u.pathname.includes('/interaction/'));
      const step = (username: string) => jar.postJson(`${url}/username`, { username }, relay.url);
      const guest = await step('gina@fabrikam.example');
      const stranger = await step('nobody@FABRIKAM.example');
      expect(guest.status).toBe(200);
      expect(guest.body.otherOrganization).toEqual({ tenant: 'fabrikam', displayName: 'Fabrikam' });
      // A guest here and nobody at all get the same answer: the domain alone decides, no user is told apart.
      expect({ ...stranger.body, username: 'x' }).toEqual({ ...guest.body, username: 'x' });
      // The organization's own domain, and a domain nobody registered, are no other organization.
      expect((await step('alice@contoso.example')).body.otherOrganization).toBeUndefined();
      expect((await step('someone@elsewhere.example')).body.otherOrganization).toBeUndefined();
    } finally {
      await fabrikam.admin('DELETE', '/domains/fabrikam.example');
    }
  });

  it('a removed domain is no longer discovered, and may then be registered by another organization', async () => {
    expect(await contoso.admin('DELETE', '/domains/contoso.example')).toEqual({ status: 200, body: { domains: [] } });
    expect((await contoso.admin('DELETE', '/domains/contoso.example')).status).toBe(404);
    expect((await discover('alice@contoso.example')).status).toBe(404);
    expect((await fabrikam.admin('POST', '/domains', { domain: 'contoso.example' })).status).toBe(201);
    expect((await discover('alice@contoso.example')).body).toEqual({ tenant: 'fabrikam', displayName: 'Fabrikam' });
    expect((await fabrikam.admin('DELETE', '/domains/contoso.example')).status).toBe(200);
  });
});

describe('nod admin tenant domain add|remove|list', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startRelay();
    await relay.tenant('contoso');
    await relay.tenant('fabrikam');
  });
  afterAll(() => relay.close());

  it('registers, lists and removes domains; a domain of another tenant is refused with exit 1', async () => {
    const added = await runNodAdmin(relay.dataDir, ['tenant', 'domain', 'add', 'contoso', 'contoso.example']);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toEqual({ domains: ['contoso.example'] });
    const listed = await runNodAdmin(relay.dataDir, ['tenant', 'domain', 'list', 'contoso']);
    expect(JSON.parse(listed.stdout)).toEqual({ domains: ['contoso.example'] });
    const taken = await runNodAdmin(relay.dataDir, ['tenant', 'domain', 'add', 'fabrikam', 'contoso.example']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/registered/);
    const bad = await runNodAdmin(relay.dataDir, ['tenant', 'domain', 'add', 'fabrikam', 'fabrikam']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^nod: <domain>: a domain such as contoso\.example/);
    expect((await fetchJson(`${relay.url}/api/discovery?username=a%40contoso.example`)).body).toEqual({
      tenant: 'contoso',
      displayName: 'contoso',
    });
    const removed = await runNodAdmin(relay.dataDir, ['tenant', 'domain', 'remove', 'contoso', 'contoso.example']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual({ domains: [] });
    // Each run starts a relay process of its own: slow on a busy machine.
  }, 300_000);
});
