import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fatigueLimits } from '../../shared/schemas/policy';
import { totpCode } from '../../shared/totp';
import { hashPassword, verifyPassword } from '../../server/users/passwords';
import type { TestPhone } from '../helpers/enrollPhone';
import { createRequest } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';

/**
 * Issue 13: every guessable secret has attempt limits per account and per source, kept in
 * storage; refusals are 429 with Retry-After, alike for every username. The relay trusts
 * X-Forwarded-For here so that each test can speak from the addresses it needs.
 */
describe('guessing limits: codes, passwords and passes', () => {
  let world: SignInWorld;
  let alice: TestPhone;
  let bob: TestPhone;
  const codeSignIn = (body: Record<string, unknown>, ip = '198.51.100.1') =>
    fetchJson(`${world.relay.url}/api/t/contoso/code-sign-in`, { body, headers: { 'x-forwarded-for': ip } });
  /** A six-digit code that is none of the three the relay accepts now (±1 step). */
  const wrongCodes = async (phone: TestPhone, n: number) => {
    const valid = new Set(await Promise.all([-30_000, 0, 30_000].map((d) => totpCode(phone.account.totpSecret, world.now() + d))));
    return Array.from({ length: n + 3 }, (_, i) => String(100_000 + i))
      .filter((c) => !valid.has(c))
      .slice(0, n);
  };

  beforeAll(async () => {
    world = await startSignInWorld({ limits: fatigueLimits.parse({}) }, { config: { trustProxy: true } });
    alice = await world.enroll('alice@contoso.example');
    bob = await world.enroll('bob@contoso.example', { phoneSignIn: false });
  });
  afterAll(() => world.close());

  it('200 wrong codes for one user within a minute are refused once the back-off starts, and the right code is refused until it ends', async () => {
    const answers = [];
    for (const code of await wrongCodes(alice, 200)) answers.push(await codeSignIn({ username: 'alice@contoso.example', code }));
    const checked = answers.filter((a) => a.status === 400);
    const refused = answers.filter((a) => a.status === 429);
    expect(checked.length + refused.length).toBe(200);
    // The first five are checked; after that the doubling wait lets only a few more through in the time the loop takes.
    expect(answers.slice(0, 5).map((a) => a.body.code)).toEqual(Array(5).fill('code_invalid'));
    expect(answers[5].status).toBe(429);
    expect(checked.length).toBeLessThanOrEqual(10);
    for (const answer of refused) {
      expect(answer.body.code).toBe('too_many_attempts');
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }

    const right = await totpCode(alice.account.totpSecret, world.now());
    const early = await codeSignIn({ username: 'alice@contoso.example', code: right });
    expect(early.status).toBe(429);
    const wait = Number(early.headers.get('retry-after'));
    world.advance(wait * 1000 + 1000);
    const after = await codeSignIn({ username: 'alice@contoso.example', code: await totpCode(alice.account.totpSecret, world.now()) });
    expect(after.status).toBe(200);
    expect(after.body.amr).toEqual(['otp']);

    // An unknown username backs off the same way, with the same answer.
    const ghost = [];
    for (const code of await wrongCodes(alice, 6)) ghost.push(await codeSignIn({ username: 'ghost@contoso.example', code }));
    expect(ghost.map((a) => a.status)).toEqual([400, 400, 400, 400, 400, 429]);
    expect(Object.keys(ghost[5].body).sort()).toEqual(Object.keys(early.body).sort());
    expect(ghost[5].body.title).toBe(early.body.title);

    // The hits are audit events, and the admin sees the state and resets it.
    const audit = await world.contoso.admin('GET', '/audit?type=limit.hit');
    expect(audit.body.events.some((e: any) => e.outcome === 'back_off' && e.username === 'alice@contoso.example')).toBe(true);
    for (const code of await wrongCodes(alice, 5)) await codeSignIn({ username: 'alice@contoso.example', code });
    const status = await world.contoso.admin('GET', '/users/alice@contoso.example/limits');
    expect(status.body.failures).toEqual([expect.objectContaining({ factor: 'code', lane: 'elsewhere', count: 5, locked: false })]);
    expect(status.body.failures[0].waitUntil).not.toBeNull();
    const reset = await world.contoso.admin('POST', '/users/alice@contoso.example/reset-limits');
    expect(reset.body.failures).toEqual([]);
    expect((await world.contoso.admin('GET', '/audit?type=limits.reset')).body.events).toHaveLength(1);
  });

  it('a code spray across 50 users from one IP is stopped; the same users from elsewhere are not', async () => {
    const users = Array.from({ length: 50 }, (_, i) => `spray${i}@contoso.example`);
    for (const username of users) await world.contoso.admin('POST', '/users', { username, displayName: username });
    const [code] = await wrongCodes(alice, 1);
    const answers = [];
    for (const username of users) answers.push(await codeSignIn({ username, code }, '203.0.113.66'));
    // 20 failures per source in 10 minutes by default: the rest of the spray is refused unchecked.
    expect(answers.slice(0, 20).every((a) => a.status === 400)).toBe(true);
    expect(answers.slice(20).every((a) => a.status === 429 && a.body.code === 'too_many_attempts')).toBe(true);
    // Even a right code from that source waits; from another address it works.
    world.advance(31_000);
    const right = await totpCode(alice.account.totpSecret, world.now());
    expect((await codeSignIn({ username: 'alice@contoso.example', code: right }, '203.0.113.66')).status).toBe(429);
    expect((await codeSignIn({ username: 'alice@contoso.example', code: right }, '198.51.100.20')).status).toBe(200);
    const hit = (await world.contoso.admin('GET', '/audit?type=limit.hit')).body.events;
    expect(hit.some((e: any) => e.outcome === 'source_limited' && e.ip === '203.0.113.66')).toBe(true);
  });

  it('the password queue bound holds: a real sign-in completes within 5 password checks’ time while 50 guesses run', async () => {
    // One scrypt check on this machine now (the machine may be loaded): the unit of the bound.
    const measured = Date.now();
    await verifyPassword('Summer2025!', await hashPassword('correct horse battery'));
    const oneCheck = (Date.now() - measured) / 2;
    // By address: a name lookup per call would wait for the thread pool the hashes keep busy.
    const relay = world.relay.url.replace('localhost', '127.0.0.1');
    const guesses = Array.from({ length: 50 }, (_, i) =>
      createRequest(
        relay,
        'contoso',
        { username: `guess${i}@contoso.example`, kind: 'mfa', password: 'Summer2025!' },
        { 'x-forwarded-for': '203.0.113.99' },
      ),
    );
    const started = Date.now();
    const real = await createRequest(
      relay,
      'contoso',
      { username: 'bob@contoso.example', kind: 'mfa', password: 'correct horse battery' },
      { 'x-forwarded-for': '198.51.100.42' },
    );
    const took = Date.now() - started;
    const guessed = await Promise.all(guesses);
    expect(real.status).toBe(201);
    // Unbounded, the 50 guesses would run first, two at a time: 25 checks' time. Bounded, the real one waits behind at most 2.
    expect(took).toBeLessThan(5 * oneCheck + 500);
    // One source holds at most 2 places in the queue: the rest of its guesses are refused at once, not queued.
    const busy = guessed.filter((g) => g.status === 503 && (g.body as any).code === 'busy');
    expect(busy.length).toBeGreaterThanOrEqual(40);
    expect(guessed.filter((g) => g.status === 400).length).toBeLessThanOrEqual(10);
  });

  it('a wrong code never burns a one-time pass, and amr names a pass as a pass, never pwd', async () => {
    const tap = (await world.contoso.admin('POST', '/users/bob@contoso.example/temporary-access-pass', { oneTime: true })).body
      .temporaryAccessPass;
    const [wrong] = await wrongCodes(bob, 1);
    const refused = await codeSignIn({ username: 'bob@contoso.example', code: wrong, temporaryAccessPass: tap });
    expect(refused.body.code).toBe('code_invalid');
    world.advance(31_000);
    const right = await totpCode(bob.account.totpSecret, world.now());
    const signedIn = await codeSignIn({ username: 'bob@contoso.example', code: right, temporaryAccessPass: tap });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.amr).toEqual(['otp', 'tap', 'mfa']);
    // Used up now, once the code was right.
    const again = await fetchJson(`${world.relay.url}/api/t/contoso/temporary-access-pass-sign-in`, {
      body: { username: 'bob@contoso.example', temporaryAccessPass: tap },
    });
    expect(again.body.code).toBe('tap_invalid');
    const second = (await world.contoso.admin('POST', '/users/bob@contoso.example/temporary-access-pass', { oneTime: true })).body
      .temporaryAccessPass;
    const alone = await fetchJson(`${world.relay.url}/api/t/contoso/temporary-access-pass-sign-in`, {
      body: { username: 'bob@contoso.example', temporaryAccessPass: second },
    });
    expect(alone.body.amr).toEqual(['otp', 'tap']);
  });
});
