import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar } from '../helpers/cookieJar';
import type { TestPhone } from '../helpers/enrollPhone';
import { signInWithPhoneAt } from '../helpers/hostedSignIn';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';

/** Issue 17: My Sign-ins lists each sign-in once with where it came from, the devices, and Sign out everywhere. */
describe('My Sign-ins for people: each sign-in once, devices, Sign out everywhere, Lost device', () => {
  let world: SignInWorld;
  let alice: TestPhone;

  beforeAll(async () => {
    world = await startSignInWorld({}, { config: { trustProxy: true } });
    alice = await world.enroll('alice@contoso.example');
  });
  afterAll(() => world.close());

  /** Alice signs in to My Sign-ins with her phone, from `ip`; the jar then holds her session. */
  const signedIn = async (ip: string) => {
    const jar = new CookieJar();
    const { url } = await jar.follow(`${world.relay.url}/t/contoso/my-sign-ins`, (u) => u.pathname.includes('/interaction/'));
    // Every call of this browser comes through the proxy from `ip`.
    const fetchThrough = jar.fetch.bind(jar);
    jar.fetch = (input, init = {}) => fetchThrough(input, { ...init, headers: { ...init.headers, 'x-forwarded-for': ip } });
    const { redirectTo } = await signInWithPhoneAt(jar, world.relay.url, url, 'contoso', 'alice@contoso.example', alice);
    await jar.follow(redirectTo, (u) => u.pathname === '/t/contoso/my-sign-ins');
    return jar;
  };
  const summaryOf = async (jar: CookieJar) => {
    const answer = await jar.fetch(`${world.relay.url}/t/contoso/my-sign-ins/api/summary`);
    return { status: answer.status, body: answer.status === 200 ? JSON.parse(answer.text) : undefined };
  };

  it('lists each sign-in once, with its address and place, and the phone among the devices', async () => {
    const jar = await signedIn('81.2.69.142');
    const { body } = await summaryOf(jar);
    const signIns = body.recentSignIns.filter((s: { description: string }) => s.description.startsWith('Signed in'));
    expect(signIns).toHaveLength(1);
    expect(signIns[0]).toMatchObject({ ip: '81.2.69.142', location: 'United Kingdom', outcome: 'success' });
    expect(body.recentSignIns.some((s: { description: string }) => s.description.startsWith('Approved'))).toBe(false);
    expect(body.devices).toEqual([expect.objectContaining({ kind: 'phone', name: 'Test phone' })]);
    // The last use of each method: the phone just now; codes never yet.
    expect(body.methods.find((m: { kind: string }) => m.kind === 'verification_codes')).toHaveProperty('lastUsedAt', null);
    expect(body.methods.find((m: { kind: string }) => m.kind === 'authenticator').lastUsedAt).not.toBeNull();
  });

  it('a push-mode user is never told of phone sign-in, even with it on in the app', async () => {
    const jar = await signedIn('8.8.8.8');
    const authenticator = async () =>
      (await summaryOf(jar)).body.methods.find((m: { kind: string }) => m.kind === 'authenticator').phoneSignInEnabled;
    expect(await authenticator()).toBe(true);
    const policy = await world.contoso.admin('GET', '/policy');
    const push = await world.contoso.admin('PUT', '/policy', {
      ...policy.body,
      includeTargets: [
        { kind: 'group', name: 'Sales', mode: 'push' },
        { kind: 'group', name: 'Field', mode: 'push' },
      ],
    });
    expect(push.status).toBe(200);
    try {
      expect(await authenticator()).toBe(false);
    } finally {
      await world.contoso.admin('PUT', '/policy', policy.body);
    }
  });

  it('Sign out everywhere ends every session of the account, in every browser', async () => {
    const first = await signedIn('8.8.8.8');
    const second = await signedIn('8.8.4.4');
    expect((await summaryOf(second)).status).toBe(200);
    const out = await first.postJson(`${world.relay.url}/t/contoso/my-sign-ins/api/sign-out-everywhere`, {}, world.relay.url);
    expect(out.status).toBe(204);
    expect((await summaryOf(first)).status).toBe(401);
    expect((await summaryOf(second)).status).toBe(401);
  });

  it('an overlong id in the address is a 400 problem naming the field, for each of the user’s things', async () => {
    const jar = await signedIn('8.8.8.8');
    const long = 'x'.repeat(65);
    for (const kind of ['registrations', 'devices', 'browsers']) {
      const answer = await jar.fetch(`${world.relay.url}/t/contoso/my-sign-ins/api/${kind}/${long}`, {
        method: 'DELETE',
        headers: { origin: world.relay.url },
      });
      expect(answer.status, kind).toBe(400);
      expect(answer.headers.get('content-type'), kind).toContain('application/problem+json');
      expect(JSON.parse(answer.text).errors, kind).toEqual([expect.objectContaining({ field: 'id' })]);
    }
    // Nothing was touched: the session and the phone are still there.
    expect((await summaryOf(jar)).body.devices).toHaveLength(1);
  });

  it('Lost device removes the phone from the account and ends the sessions; another user’s device is refused', async () => {
    const jar = await signedIn('8.8.8.8');
    const { body } = await summaryOf(jar);
    const other = await fetchJson(`${world.relay.url}/t/contoso/my-sign-ins/api/devices/not-mine`, {
      method: 'DELETE',
      headers: { origin: world.relay.url, cookie: jar.cookieHeaderFor(new URL(`${world.relay.url}/t/contoso/my-sign-ins/api`)) },
    });
    expect(other.status).toBe(404);
    const removed = await jar.fetch(`${world.relay.url}/t/contoso/my-sign-ins/api/devices/${body.devices[0].id}`, {
      method: 'DELETE',
      headers: { origin: world.relay.url },
    });
    expect(removed.status).toBe(204);
    expect((await world.contoso.admin('GET', '/users/alice@contoso.example/registrations')).body.registrations).toEqual([]);
    expect((await summaryOf(jar)).status).toBe(401);
  });
});
