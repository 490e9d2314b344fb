import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminCenterRole } from '../../shared/schemas/adminCenter';
import { CookieJar } from '../helpers/cookieJar';
import type { TestPhone } from '../helpers/enrollPhone';
import { signInWithPhoneAt } from '../helpers/hostedSignIn';
import { runNodAdmin } from '../helpers/nodCli';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';

/** The admin center's sessions and roles over HTTP, without a browser: who gets in, and what each role may call. */
describe('admin center sessions and roles', () => {
  let world: SignInWorld;
  let alice: TestPhone;
  let dan: TestPhone;

  beforeAll(async () => {
    world = await startSignInWorld();
    await world.contoso.admin('POST', '/users', { username: 'dan@contoso.example', displayName: 'Dan' });
    await world.contoso.admin('PUT', '/groups/Sales/members/dan@contoso.example');
    alice = await world.enroll('alice@contoso.example');
    dan = await world.enroll('dan@contoso.example');
  });
  afterAll(async () => {
    await world?.close();
  });

  const userId = async (username: string) => (await world.contoso.admin('GET', `/users/${username}`)).body.id as string;
  const assign = async (username: string, role: AdminCenterRole) =>
    world.relay.ctx.storage.adminRoles.assign({
      tenantId: (await world.relay.ctx.storage.tenants.byName('contoso'))!.id,
      userId: await userId(username),
      role,
      createdAt: Date.now(),
    });

  /** Through /admin/sign-in, the tenant's hosted page with a phone approval, and back: the callback's answer. */
  const signIn = async (username: string, phone: TestPhone) => {
    const jar = new CookieJar();
    const toProvider = await jar.fetch(`${world.relay.url}/admin/sign-in?tenant=contoso`);
    expect(toProvider.location).toContain('/t/contoso/auth?');
    const toPage = await jar.fetch(toProvider.location!);
    const { redirectTo } = await signInWithPhoneAt(jar, world.relay.url, toPage.location!, 'contoso', username, phone);
    const { response } = await jar.follow(redirectTo, (url) => url.pathname === '/admin/');
    return { jar, callback: response };
  };
  const call = (jar: CookieJar, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    jar
      .fetch(`${world.relay.url}/admin/center/api/call${path}`, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: {
          'x-nod-admin-center': '1',
          origin: world.relay.url,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
      })
      .then((r) => ({ status: r.status, body: r.text ? JSON.parse(r.text) : undefined }));

  it('sign-in finds the organization from the username’s domain, or by its name; what is not found is said in words', async () => {
    const jar = new CookieJar();
    const signInAt = (query: Record<string, string>) => jar.fetch(`${world.relay.url}/admin/sign-in?${new URLSearchParams(query)}`);
    const unregistered = await signInAt({ username: 'alice@contoso.example' });
    expect(unregistered.status).toBe(404);
    expect(unregistered.text).toContain('We couldn’t find an organization for contoso.example.');
    expect(unregistered.text).toContain('"otherOrganization":true');
    const noDomain = await signInAt({ username: 'alice' });
    expect(noDomain.status).toBe(400);
    expect(noDomain.text).toContain('Enter your username with its domain');
    const byName = await signInAt({ username: 'alice@contoso.example', tenant: 'Contoso' });
    expect(byName.status).toBe(303);
    const toProvider = new URL(byName.location!);
    expect(toProvider.pathname).toBe('/t/contoso/auth');
    // The hosted page goes on with the username typed here.
    expect(toProvider.searchParams.get('login_hint')).toBe('alice@contoso.example');
    expect((await signInAt({ tenant: 'Contoso Ltd' })).text).toContain('No organization called “Contoso Ltd” uses Nod here.');
    expect((await world.contoso.admin('POST', '/domains', { domain: 'contoso.example' })).status).toBe(201);
    try {
      const byDomain = await signInAt({ username: 'alice@contoso.example' });
      expect(byDomain.status).toBe(303);
      expect(new URL(byDomain.location!).pathname).toBe('/t/contoso/auth');
    } finally {
      await world.contoso.admin('DELETE', '/domains/contoso.example');
    }
  });

  it('a user without an admin role signs in to the tenant but not to the admin center', async () => {
    const { jar, callback } = await signIn('dan@contoso.example', dan);
    expect(callback.status).toBe(403);
    expect(callback.text).toContain('holds no admin role in Contoso');
    expect((await call(jar, 'GET', '/users')).status).toBe(401);
    const denied = await world.contoso.admin('GET', '/audit?user=dan@contoso.example&type=admin_center.denied');
    expect(denied.body.events).toHaveLength(1);
  });

  it('a helpdesk administrator issues passes and reads users, and may not touch the policy, tokens or deletions', async () => {
    await assign('dan@contoso.example', 'helpdesk_administrator');
    const { jar } = await signIn('dan@contoso.example', dan);
    const session = await jar.fetch(`${world.relay.url}/admin/center/api/session`, { headers: { 'x-nod-admin-center': '1' } });
    expect(JSON.parse(session.text)).toMatchObject({ username: 'dan@contoso.example', roles: ['helpdesk_administrator'] });

    expect((await call(jar, 'GET', '/users')).body.users.length).toBeGreaterThan(0);
    const pass = await call(jar, 'POST', '/users/alice@contoso.example/temporary-access-pass', {});
    expect(pass.status).toBe(201);
    expect(pass.body.temporaryAccessPass).toMatch(/^[A-Za-z0-9]+$/);
    for (const [method, path, body] of [
      ['PUT', '/policy', { enabled: false }],
      ['GET', '/tokens', undefined],
      ['DELETE', '/users/alice@contoso.example', undefined],
      ['POST', '/users', { username: 'eve@contoso.example' }],
    ] as const) {
      const refused = await call(jar, method, path, body);
      expect(refused, `${method} ${path}`).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    }
    expect((await world.contoso.admin('GET', '/policy')).body.enabled).toBe(true);
    // From another origin, or without the page's header, nothing is called.
    expect((await call(jar, 'GET', '/users', undefined, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await call(jar, 'GET', '/users', undefined, { 'x-nod-admin-center': '0' })).status).toBe(403);
  });

  it('an authentication policy administrator changes the policy with a policy token, and nothing else', async () => {
    await assign('alice@contoso.example', 'authentication_policy_administrator');
    const { jar } = await signIn('alice@contoso.example', alice);
    const policy = await call(jar, 'GET', '/policy');
    expect(policy.status).toBe(200);
    const saved = await call(jar, 'PUT', '/policy', { ...policy.body, updatedAt: undefined, showLocation: false });
    expect(saved).toMatchObject({ status: 200, body: { showLocation: false } });
    expect((await call(jar, 'POST', '/users/dan@contoso.example/temporary-access-pass', {})).status).toBe(403);
    const tokens = (await world.contoso.admin('GET', '/tokens')).body.tokens;
    expect(tokens.find((t: any) => t.label === 'admin center: alice@contoso.example' && t.revokedAt === null)).toMatchObject({
      role: 'authentication_policy_administrator',
    });
  });

  it('an admin both Helpdesk and Authentication Policy Administrator makes each call with the role that has it', async () => {
    await assign('alice@contoso.example', 'authentication_policy_administrator');
    await assign('alice@contoso.example', 'helpdesk_administrator');
    const { jar } = await signIn('alice@contoso.example', alice);
    expect((await call(jar, 'POST', '/users/dan@contoso.example/temporary-access-pass', {})).status).toBe(201);
    const policy = await call(jar, 'GET', '/policy');
    expect((await call(jar, 'PUT', '/policy', { ...policy.body, updatedAt: undefined, showLocation: true })).status).toBe(200);
    expect((await call(jar, 'GET', '/tokens')).status).toBe(403);
  });

  it('losing the role, or signing out, ends the session at once; signing out revokes its token', async () => {
    const { jar } = await signIn('dan@contoso.example', dan);
    expect((await call(jar, 'GET', '/users')).status).toBe(200);
    const tenantId = (await world.relay.ctx.storage.tenants.byName('contoso'))!.id;
    await world.relay.ctx.storage.adminRoles.remove(tenantId, await userId('dan@contoso.example'), 'helpdesk_administrator');
    expect((await call(jar, 'GET', '/users')).status).toBe(401);

    await assign('dan@contoso.example', 'helpdesk_administrator');
    expect((await call(jar, 'GET', '/users')).status).toBe(200);
    const live = async () =>
      (await world.contoso.admin('GET', '/tokens')).body.tokens.filter(
        (t: any) => t.label === 'admin center: dan@contoso.example' && t.revokedAt === null,
      ).length;
    const before = await live();
    const out = await jar.fetch(`${world.relay.url}/admin/sign-out`);
    expect(out.location).toContain('/t/contoso/session/end?');
    expect(await live()).toBe(before - 1);
    expect((await call(jar, 'GET', '/users')).status).toBe(401);
  });

  it('`nod admin role assign` names a wrong role and exits 2, and changes nothing', async () => {
    const run = await runNodAdmin(world.relay.dataDir, ['role', 'assign', 'contoso', 'bob@contoso.example', 'superuser']);
    expect(run).toMatchObject({ code: 2, stderr: 'nod: <role>: one of global, policy, helpdesk, got "superuser"\n' });
    const tenantId = (await world.relay.ctx.storage.tenants.byName('contoso'))!.id;
    expect(await world.relay.ctx.storage.adminRoles.forUser(tenantId, await userId('bob@contoso.example'))).toEqual([]);
  });
});
