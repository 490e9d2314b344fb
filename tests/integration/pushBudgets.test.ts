import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fatigueLimits } from '../../shared/schemas/policy';
import { totpCode } from '../../shared/totp';
import { CookieJar } from '../helpers/cookieJar';
import type { TestPhone } from '../helpers/enrollPhone';
import { signInWithPhoneAt } from '../helpers/hostedSignIn';
import { answer, createRequest, readRequest } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';

/** Follow My Sign-ins to the hosted sign-in page: the interaction a browser would be in. */
async function openInteraction(jar: CookieJar, relayUrl: string): Promise<string> {
  const { url } = await jar.follow(`${relayUrl}/t/contoso/my-sign-ins`, (u) => u.pathname.includes('/interaction/'));
  return url;
}

/** Finish an interaction with a grant and follow the browser back into My Sign-ins. */
async function finishInto(jar: CookieJar, relayUrl: string, interactionUrl: string, grant: string): Promise<void> {
  const finished = await jar.postJson(`${interactionUrl}/finish`, { grant }, relayUrl);
  expect(finished.status).toBe(200);
  await jar.follow(new URL(finished.body.redirectTo, relayUrl).href, (u) => u.pathname === '/t/contoso/my-sign-ins');
}

/**
 * Issue 13: pushes have budgets charged to whoever asks; a known browser is a source of its own,
 * so a flood or a report never locks the real person out of it; nothing tells who exists.
 */
describe('push budgets, known browsers and "No, it’s not me"', () => {
  let world: SignInWorld;
  let alice: TestPhone;
  /** Pushes that reached a phone for these requests. */
  const pushedFor = (ids: Set<string>) =>
    world.push.received.filter((m) => m.payload?.type === 'sign_in_request' && ids.has(m.payload.requestId)).length;

  beforeAll(async () => {
    world = await startSignInWorld({ limits: fatigueLimits.parse({}) });
    alice = await world.enroll('alice@contoso.example');
    await world.contoso.admin('POST', '/users', { username: 'carol@contoso.example', displayName: 'Carol' });
    await world.contoso.admin('PUT', '/groups/Sales/members/carol@contoso.example');
    await world.enroll('carol@contoso.example');
  });
  afterAll(() => world.close());

  it('superseding and cancelling do not refresh a user’s push budget', async () => {
    const ids = new Set<string>();
    const statuses: string[] = [];
    for (let i = 0; i < 8; i++) {
      // The same browser each time (each supersedes the last), and every other one cancelled.
      const created = (
        await createRequest(world.relay.url, 'contoso', { username: 'carol@contoso.example' }, { 'nod-collector-key': 'k'.repeat(30) })
      ).body;
      statuses.push(created.status);
      ids.add(created.requestId);
      if (i % 2 === 0) {
        await fetchJson(`${world.relay.url}/api/sign-in-requests/${created.requestId}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${created.collectorSecret}` },
        });
      }
    }
    // Three unanswered pushes start the back-off; the budget would stop at five in any case.
    expect(statuses.slice(0, 3)).toEqual(['pending', 'pending', 'pending']);
    expect(statuses.slice(3).every((s) => s === 'cool_down')).toBe(true);
    // A push whose request ended while it waited is dropped, so at most those three went out.
    expect(pushedFor(ids)).toBeLessThanOrEqual(3);
    const status = (await world.contoso.admin('GET', '/users/carol@contoso.example/limits')).body;
    expect(status.pushes).toEqual([expect.objectContaining({ lane: 'elsewhere', inWindow: 3, unanswered: 3 })]);
    expect(status.pushes[0].coolDownUntil).not.toBeNull();
  });

  it('1,000 create calls for one user deliver no more pushes than the budget', async () => {
    world.advance(60 * 60_000);
    const ids = new Set<string>();
    const statuses = new Map<string, number>();
    for (let batch = 0; batch < 50; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          createRequest(
            world.relay.url,
            'contoso',
            { username: 'alice@contoso.example' },
            { 'nod-collector-key': `flood-${batch}-${i}-xxxxxxxxxxxxxxxx` },
          ),
        ),
      );
      for (const { status, body } of answers) {
        expect(status).toBe(201);
        ids.add(body.requestId);
        statuses.set(body.status, (statuses.get(body.status) ?? 0) + 1);
      }
    }
    expect(ids.size).toBe(1000);
    const pending = statuses.get('pending') ?? 0;
    expect(pending).toBeGreaterThanOrEqual(1);
    expect(pending).toBeLessThanOrEqual(5);
    await world.push.waitFor(() => pushedFor(ids) >= pending);
    expect(pushedFor(ids)).toBe(pending);
    // A cool-down says when to try again.
    const more = await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example' });
    expect(more.body.status).toBe('cool_down');
    expect(Date.parse(more.body.retryAt!)).toBeGreaterThan(world.now());
    // 1,000 real HTTP calls, each a few writes: seconds on a quiet machine, tens of seconds on a loaded shared one.
  }, 120_000);

  let jar: CookieJar;
  it('a flood from one source leaves the user’s sign-in from a known browser working, approved end to end', async () => {
    // Alice signed in in this browser before (an hour ago, before the flood): a known browser now.
    world.advance(60 * 60_000);
    jar = new CookieJar();
    await signInWithPhoneAt(jar, world.relay.url, await openInteraction(jar, world.relay.url), 'contoso', 'alice@contoso.example', alice);
    // The flood, from the same address as this browser, but without its cookie.
    for (let i = 0; i < 40; i++)
      await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example', origin: world.relay.url });
    const flooded = await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example', origin: world.relay.url });
    expect(flooded.body.status).toBe('cool_down');
    const second = new CookieJar();
    // The known browser: its own budget, pushed, approved, redeemed and finished.
    const interaction = await openInteraction(jar, world.relay.url);
    const known = await jar.postJson(`${interaction}/username`, { username: 'alice@contoso.example' }, world.relay.url);
    expect(known.body.lastMethod).toBe('phone_sign_in');
    const signedIn = await signInWithPhoneAt(jar, world.relay.url, interaction, 'contoso', 'alice@contoso.example', alice);
    expect(signedIn.redirectTo).toContain('/t/contoso/');
    // Another browser does not learn what alice used last.
    const stranger = await second.postJson(
      `${await openInteraction(second, world.relay.url)}/username`,
      { username: 'alice@contoso.example' },
      world.relay.url,
    );
    expect(stranger.body.lastMethod).toBeNull();
  });

  it('a report closes the user’s pending requests, blocks the reporting source and holds new browsers, not the known browser', async () => {
    world.advance(60 * 60_000);
    const attacker = { 'x-forwarded-for': '203.0.113.5', 'nod-collector-key': 'attacker-browser-key-1234567890' };
    const first = (await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example' }, attacker)).body;
    const other = (
      await createRequest(
        world.relay.url,
        'contoso',
        { username: 'alice@contoso.example' },
        { 'nod-collector-key': 'another-browser-key-1234567890' },
      )
    ).body;
    expect([first.status, other.status]).toEqual(['pending', 'pending']);
    const details = (await readRequest(alice, first.requestId)).body;
    expect((await answer(world.relay.url, alice, details, 'report')).body.status).toBe('reported');
    // The other pending request is closed at once; the phone no longer sees it.
    const otherState = await fetchJson(`${world.relay.url}/api/sign-in-requests/${other.requestId}`, {
      headers: { authorization: `Bearer ${other.collectorSecret}` },
    });
    expect(otherState.body.status).toBe('cancelled');
    expect((await readRequest(alice, other.requestId)).status).toBe(404);

    // New requests from other browsers are held: accepted like any other, never delivered.
    const held = (
      await createRequest(
        world.relay.url,
        'contoso',
        { username: 'alice@contoso.example' },
        { 'nod-collector-key': 'fresh-browser-key-1234567890' },
      )
    ).body;
    expect(held.status).toBe('pending');
    expect((await readRequest(alice, held.requestId)).status).toBe(404);
    const admin = (await world.contoso.admin('GET', '/users/alice@contoso.example/limits')).body;
    expect(admin.atRisk).toBe(true);
    expect(admin.blockedSources.map((s: any) => s.source)).toContain('ip:127.0.0.1');
    expect(admin.reports).toEqual([expect.objectContaining({ browser: 'Chrome on Linux', location: 'This network' })]);
    expect((await world.contoso.admin('GET', '/audit?type=fraud_report')).body.events).toHaveLength(1);

    // Verification codes keep working, and so does the known browser; signing in there clears the hold.
    const code = await totpCode(alice.account.totpSecret, world.now());
    expect(
      (await fetchJson(`${world.relay.url}/api/t/contoso/code-sign-in`, { body: { username: 'alice@contoso.example', code } })).status,
    ).toBe(200);
    await signInWithPhoneAt(jar, world.relay.url, await openInteraction(jar, world.relay.url), 'contoso', 'alice@contoso.example', alice);
    expect((await world.contoso.admin('GET', '/users/alice@contoso.example')).body.blocked).toBe(false);
    // The reported source stays blocked for this user for the policy's period; an admin can clear it.
    const fromAttacker = (await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example' }, attacker)).body;
    expect((await readRequest(alice, fromAttacker.requestId)).status).toBe(404);
    expect((await world.contoso.admin('POST', '/users/alice@contoso.example/clear-risk')).status).toBe(200);
  });

  it('the methods answer is byte-for-byte the same for every kind of user in a browser that never signed them in', async () => {
    await world.contoso.admin('POST', '/users', { username: 'exa@contoso.example', displayName: 'Excluded' });
    await world.contoso.admin('POST', '/users', { username: 'nophone@contoso.example', displayName: 'No phone' });
    await world.contoso.admin('PUT', '/groups/Sales/members/nophone@contoso.example');
    const policy = (await world.contoso.admin('GET', '/policy')).body;
    await world.contoso.admin('PUT', '/policy', { ...policy, excludeTargets: [{ kind: 'user', name: 'exa@contoso.example' }] });
    // carol is at risk (reported), bob is in push mode, gail a guest, ghost unknown.
    await world.contoso.admin('POST', '/users/carol@contoso.example/clear-risk');
    const fresh = new CookieJar();
    const interaction = await openInteraction(fresh, world.relay.url);
    const texts: string[] = [];
    for (const username of ['alice', 'bob', 'gail', 'exa', 'nophone', 'ghost'].map((u) => `${u}@contoso.example`)) {
      const response = await fresh.fetch(`${interaction}/username`, {
        method: 'POST',
        body: JSON.stringify({ username: 'USERNAME' === username ? '' : username }),
        headers: { 'content-type': 'application/json', origin: world.relay.url },
      });
      expect(response.status).toBe(200);
      texts.push(response.text.replace(username, 'USERNAME'));
    }
    expect(new Set(texts).size).toBe(1);
    expect(JSON.parse(texts[0])).toEqual({
      username: 'USERNAME',
      methods: ['phone_sign_in', 'verification_code', 'password', 'temporary_access_pass'],
      lastMethod: null,
      codeNeedsFirstFactor: false,
    });
    // And creating a request answers alike, in status and shape.
    const created = await Promise.all(
      ['alice', 'bob', 'exa', 'ghost'].map((u) => createRequest(world.relay.url, 'contoso', { username: `${u}@contoso.example` })),
    );
    for (const c of created) {
      expect(c.status).toBe(201);
      expect(Object.keys(c.body).sort()).toEqual(Object.keys(created[0].body).sort());
      expect(c.body.methods).toEqual(created[0].body.methods);
    }
  });

  it('My Sign-ins refuses to add a method after a code-only sign-in, and allows it after phone sign-in', async () => {
    world.advance(60 * 60_000);
    const browser = new CookieJar();
    const interaction = await openInteraction(browser, world.relay.url);
    const code = await totpCode(alice.account.totpSecret, world.now());
    const grant = await fetchJson(`${world.relay.url}/api/t/contoso/code-sign-in`, { body: { username: 'alice@contoso.example', code } });
    expect(grant.status).toBe(200);
    await finishInto(browser, world.relay.url, interaction, grant.body.grant);
    const summary = await browser.fetch(`${world.relay.url}/t/contoso/my-sign-ins/api/summary`);
    expect(JSON.parse(summary.text).recentSignInRequired).toBe(true);
    const add = await browser.postJson(`${world.relay.url}/t/contoso/my-sign-ins/api/authenticator`, {}, world.relay.url);
    expect(add.status).toBe(401);
    expect(add.body.code).toBe('strong_sign_in_required');
    const registrations = (await world.contoso.admin('GET', '/users/alice@contoso.example/registrations')).body.registrations;
    const remove = await browser.fetch(`${world.relay.url}/t/contoso/my-sign-ins/api/registrations/${registrations[0].id}`, {
      method: 'DELETE',
      headers: { origin: world.relay.url },
    });
    expect(remove.status).toBe(401);

    // Signing in again with the phone (user verification) is strong enough.
    const again = await browser.follow(`${world.relay.url}/t/contoso/my-sign-ins/sign-in`, (u) => u.pathname.includes('/interaction/'));
    const { redirectTo } = await signInWithPhoneAt(browser, world.relay.url, again.url, 'contoso', 'alice@contoso.example', alice);
    await browser.follow(redirectTo, (u) => u.pathname === '/t/contoso/my-sign-ins');
    const added = await browser.postJson(`${world.relay.url}/t/contoso/my-sign-ins/api/authenticator`, {}, world.relay.url);
    expect(added.status).toBe(201);
  });
});
