import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminToken } from '../../server/admin/adminTokens';
import { type TestPhone, enrollPhone } from '../helpers/enrollPhone';
import { createDeviceKey } from '../helpers/softAuthenticator';
import { type TestRelay, type TestTenant, fetchJson, startRelay } from '../helpers/startRelay';

type RouteRole = 'policy' | 'global' | 'helpdesk' | 'reader';

/**
 * Every admin route, read from the admin route files themselves, so a route added there is
 * covered here without anyone remembering to list it.
 */
function adminRoutesFromSource(): { name: string; method: string; path: string; role: RouteRole }[] {
  const files = ['adminRoutes.ts', 'accountRoutes.ts', 'signInLogRoutes.ts'];
  const source = files.map((file) => fs.readFileSync(new URL(`../../server/admin/${file}`, import.meta.url), 'utf8')).join('\n');
  return [
    ...source.matchAll(/method:\s*'(GET|POST|PUT|PATCH|DELETE)',\s*path:\s*'([^']*)',\s*role:\s*'(policy|global|helpdesk|reader)'/g),
  ].map((m) => ({
    name: `${m[1]} /admin/t/:tenant${m[2]}`,
    method: m[1],
    path: m[2],
    role: m[3] as RouteRole,
  }));
}

/** Every row of every table: "nothing changed" means this is equal before and after. */
function snapshot(dataDir: string): Record<string, unknown[]> {
  const db = new Database(path.join(dataDir, 'nod.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
      name: string;
    }[];
    // Some tables are WITHOUT ROWID: rows are put in one order by their whole content.
    const sorted = (rows: unknown[]) =>
      rows
        .map((row) => [JSON.stringify(row), row] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, row]) => row);
    return Object.fromEntries(tables.map(({ name }) => [name, sorted(db.prepare(`SELECT * FROM "${name}"`).all())]));
  } finally {
    db.close();
  }
}

const routes = adminRoutesFromSource();

describe('tenants are isolated: nothing of tenant B is visible to or changeable by tenant A', () => {
  let relay: TestRelay;
  let contoso: TestTenant; // A
  let fabrikam: TestTenant; // B
  let fabrikamPhone: TestPhone;
  /** Bob's second phone: what the device route removes (the registration route removes the first's). */
  let fabrikamSecondPhone: TestPhone;
  let fabrikamPolicyAdmin: string;
  let fabrikamHelpdesk: string;
  let fabrikamSpareTokenId: string;
  let fabrikamBrowserId: string;
  const bob = 'bob@fabrikam.example';

  /** A real, valid request for each route in tenant B: only who is asking can be wrong. */
  const requestFor = (route: { method: string; path: string }) => {
    const url = route.path
      .replace(':username', bob)
      .replace(':name', 'Sales')
      .replace(':domain', 'fabrikam.example')
      .replace(
        ':id',
        route.path.startsWith('/tokens')
          ? fabrikamSpareTokenId
          : route.path.includes('/devices/')
            ? fabrikamSecondPhone.account.deviceId
            : route.path.includes('/temporary-access-passes/')
              ? livePassId
              : route.path.includes('/browsers/')
                ? fabrikamBrowserId
                : fabrikamPhone.account.registrationId,
      );
    const bodies: Record<string, unknown> = {
      'PATCH ': { displayName: 'Owned by A' },
      'POST /domains': { domain: 'fabrikam.example' },
      'POST /users': { username: 'mallory@fabrikam.example' },
      'PATCH /users/:username': { displayName: 'Owned by A', kind: 'guest' },
      'PUT /users/:username/password': { password: 'correct horse battery staple' },
      'POST /users/:username/temporary-access-pass': { lifetimeMinutes: 60 },
      'POST /groups': { name: 'Intruders' },
      'PATCH /groups/:name': { displayName: 'Sales team' },
      'PUT /policy': { enabled: true, includeTargets: [{ kind: 'all_users', mode: 'any' }] },
      'POST /tokens': { role: 'global_administrator', label: 'backdoor' },
    };
    return { url: `/admin/t/fabrikam${url}`, body: bodies[`${route.method} ${route.path}`] };
  };
  /** A usable pass of Bob's when the route names one (the latest pass issued revokes the others). */
  let livePassId = 'none';
  const call = async (route: { method: string; path: string }, token?: string, tenant = 'fabrikam') => {
    if (route.path.includes('/temporary-access-passes/')) {
      const passes = (await fabrikam.admin('GET', `/users/${bob}/temporary-access-passes`)).body.passes ?? [];
      livePassId = passes.find((p: { state: string }) => p.state === 'usable')?.id ?? 'none';
    }
    const { url, body } = requestFor(route);
    return fetchJson(`${relay.url}${url.replace('/admin/t/fabrikam', `/admin/t/${tenant}`)}`, {
      method: route.method,
      body,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  };

  beforeAll(async () => {
    relay = await startRelay();
    contoso = await relay.tenant('contoso');
    fabrikam = await relay.tenant('fabrikam');
    await fabrikam.admin('POST', '/users', { username: bob });
    await fabrikam.admin('POST', '/groups', { name: 'Sales' });
    await fabrikam.admin('PUT', `/groups/Sales/members/${bob}`);
    await fabrikam.admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'group', name: 'Sales', mode: 'push' }] });
    const tap = await fabrikam.admin('POST', `/users/${bob}/temporary-access-pass`, {});
    fabrikamPhone = await enrollPhone(relay.url, { tenant: 'fabrikam', username: bob, temporaryAccessPass: tap.body.temporaryAccessPass });
    const tenant = (await relay.ctx.storage.tenants.byName('fabrikam'))!;
    fabrikamPolicyAdmin = (await createAdminToken(relay.ctx, tenant, 'authentication_policy_administrator', 'policy admin')).token;
    fabrikamSpareTokenId = (await createAdminToken(relay.ctx, tenant, 'global_administrator', 'spare')).id;
    fabrikamHelpdesk = (await createAdminToken(relay.ctx, tenant, 'helpdesk_administrator', 'helpdesk')).token;
    const secondTap = await fabrikam.admin('POST', `/users/${bob}/temporary-access-pass`, {});
    fabrikamSecondPhone = await enrollPhone(relay.url, {
      tenant: 'fabrikam',
      username: bob,
      temporaryAccessPass: secondTap.body.temporaryAccessPass,
    });
    await fabrikam.admin('POST', `/users/${bob}/temporary-access-pass`, { oneTime: false });
    // A browser registered for Bob (as a Temporary Access Pass in the extension would register it).
    const key = await createDeviceKey();
    const browser = await fetchJson(`${relay.url}/api/t/fabrikam/browsers`, {
      body: { publicKey: key.publicJwk, name: 'Chrome on Linux' },
    });
    fabrikamBrowserId = browser.body.deviceId;
    const bobId = (await relay.ctx.storage.users.byName(tenant.id, bob))!.id;
    await relay.ctx.storage.devices.addBrowserUser(fabrikamBrowserId, bobId, Date.now());
  });
  afterAll(() => relay.close());

  it('the admin API has the routes this test walks', () => {
    expect(routes.length).toBeGreaterThanOrEqual(25);
    const names = routes.map((r) => r.name);
    expect(names).toContain('PUT /admin/t/:tenant/policy');
    expect(names).toContain('POST /admin/t/:tenant/users/:username/temporary-access-pass');
    expect(names).toContain('DELETE /admin/t/:tenant/users/:username/registrations/:id');
  });

  it.each(routes)("tenant A's global administrator gets 403 on B's $name, and nothing changes", async (route) => {
    const before = snapshot(relay.dataDir);
    const answer = await call(route, contoso.token);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ code: 'forbidden', status: 403 });
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(snapshot(relay.dataDir)).toEqual(before);
  });

  it.each(routes)('no token gets 401 on $name, and nothing changes', async (route) => {
    const before = snapshot(relay.dataDir);
    const answer = await call(route);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ code: 'unauthorized' });
    expect(snapshot(relay.dataDir)).toEqual(before);
  });

  it("A's token gets the same 403 for a tenant that does not exist: no way to probe tenant names", async () => {
    const existing = await call({ method: 'GET', path: '/users' }, contoso.token, 'fabrikam');
    const missing = await call({ method: 'GET', path: '/users' }, contoso.token, 'nosuchtenant');
    expect(missing.status).toBe(403);
    expect(missing.body).toEqual(existing.body);
  });

  it('a revoked token gets 401', async () => {
    const tenant = (await relay.ctx.storage.tenants.byName('fabrikam'))!;
    const made = await createAdminToken(relay.ctx, tenant, 'global_administrator', 'to revoke');
    expect((await fabrikam.admin('DELETE', `/tokens/${made.id}`)).status).toBe(204);
    const answer = await call({ method: 'GET', path: '/users' }, made.token);
    expect(answer.status).toBe(401);
  });

  it('a token with a wrong secret gets 401', async () => {
    const forged = `${fabrikam.token.slice(0, fabrikam.token.indexOf('.') + 1)}${'A'.repeat(43)}`;
    expect((await call({ method: 'GET', path: '/users' }, forged)).status).toBe(401);
  });

  describe('the authentication policy administrator manages the policy, and reads', () => {
    it.each(routes.filter((r) => r.role === 'policy' || r.role === 'reader'))('may use $name', async (route) => {
      const answer = await call(route, fabrikamPolicyAdmin);
      expect(answer.status).toBe(200);
    });

    it.each(routes.filter((r) => r.role === 'global' || r.role === 'helpdesk'))('gets 403 on $name, and nothing changes', async (route) => {
      const before = snapshot(relay.dataDir);
      const answer = await call(route, fabrikamPolicyAdmin);
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ code: 'forbidden', detail: expect.stringMatching(/^This needs a Global Administrator/) });
      expect(snapshot(relay.dataDir)).toEqual(before);
    });

    it('the policy routes are exactly the policy; reading is every role’s', () => {
      expect(routes.filter((r) => r.role === 'policy').map((r) => `${r.method} ${r.path}`)).toEqual(['PUT /policy']);
      expect(routes.filter((r) => r.role === 'reader').every((r) => r.method === 'GET')).toBe(true);
    });
  });

  describe('the helpdesk administrator manages passes, unblocking and devices, and reads', () => {
    it.each(routes.filter((r) => r.method === 'GET' && (r.role === 'helpdesk' || r.role === 'reader')))('may use $name', async (route) => {
      const answer = await call(route, fabrikamHelpdesk);
      expect(answer.status).toBe(200);
    });

    it.each(routes.filter((r) => r.role === 'global' || r.role === 'policy'))('gets 403 on $name, and nothing changes', async (route) => {
      const before = snapshot(relay.dataDir);
      const answer = await call(route, fabrikamHelpdesk);
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ code: 'forbidden' });
      expect(snapshot(relay.dataDir)).toEqual(before);
    });

    it('the helpdesk routes are passes, unblocking (clearing the risk), a user’s limits, registrations, devices and registered browsers', () => {
      expect(
        routes
          .filter((r) => r.role === 'helpdesk')
          .every((r) => /temporary-access-pass|unblock|clear-risk|limits|registrations|devices|browsers/.test(r.path)),
      ).toBe(true);
    });
  });

  it('the same requests are valid: tenant B’s own global administrator is served on every route', async () => {
    // Deletions last, the deeper path first, so each request still finds what it names.
    const deletions = routes.filter((r) => r.method === 'DELETE').sort((a, b) => b.path.length - a.path.length);
    const ordered = [...routes.filter((r) => r.method !== 'DELETE'), ...deletions];
    for (const route of ordered) {
      const answer = await call(route, fabrikam.token);
      expect({ route: route.name, status: answer.status, body: answer.body }).toEqual({
        route: route.name,
        status: expect.toSatisfy((s: number) => s >= 200 && s < 300),
        body: answer.body,
      });
    }
  });
});
