import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalChallenge, boundSite } from '../../shared/approvalChallenge';
import type { SignInRequestDetails } from '../../shared/schemas/signInRequests';
import type { TestPhone } from '../helpers/enrollPhone';
import { answer, createRequest, readRequest, watch } from '../helpers/signInFlow';
import type { AuthenticateOptions } from '../helpers/softAuthenticator';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';

/**
 * Each check the relay makes on an answer, one test each: a valid answer with one thing changed. The
 * phone hears only the public code (`approval_invalid` for every failed assertion check, so the answer
 * is no oracle); each test also reads which check refused, as an admin reads it in the sign-in log.
 */
describe('the relay checks every answer, in order', () => {
  let world: SignInWorld;
  let alice: TestPhone;
  let aliceTablet: TestPhone;
  let carol: TestPhone;
  let fabrikamDan: TestPhone;
  let n = 0;

  /** A fresh request for Alice, from a fresh browser (so nothing supersedes), read by her phone. */
  const fresh = async (phone = alice, username = 'alice@contoso.example', tenant = 'contoso') => {
    const created = await createRequest(world.relay.url, tenant, { username }, { 'nod-collector-key': `browser-${n++}` });
    expect(created.status).toBe(201);
    const details = await readRequest(phone, created.body.requestId);
    expect(details.status).toBe(200);
    return { created: created.body, details: details.body };
  };
  const state = async (requestId: string, secret: string) =>
    (await fetchJson(`${world.relay.url}/api/sign-in-requests/${requestId}`, { headers: { authorization: `Bearer ${secret}` } })).body
      .status;
  /** The answers to this request in the tenant's sign-in log, oldest first: their outcome and private reason. */
  const recorded = async (requestId: string) => {
    const log = await world.contoso.admin('GET', '/audit?type=sign_in_request.answered&limit=1000');
    expect(log.status).toBe(200);
    return (log.body.events as Array<{ outcome: string; reason: string | null; detail?: { requestId?: string } }>)
      .filter((event) => event.detail?.requestId === requestId)
      .map(({ outcome, reason }) => ({ outcome, reason }))
      .reverse();
  };
  /** The reason @simplewebauthn/server gives when the assertion signed another challenge than this approval's. */
  const challengeMismatch = async (signed: Parameters<typeof approvalChallenge>[0], expected: Parameters<typeof approvalChallenge>[0]) =>
    `assertion rejected: Unexpected authentication response challenge "${await approvalChallenge(signed)}", expected "${await approvalChallenge(expected)}"`;
  /** The assertion the PWA makes to approve with the right number, from `phone`'s authenticator, with `change` made to it. */
  const assertionFor = async (
    phone: TestPhone,
    details: SignInRequestDetails,
    typedNumber: number,
    change: AuthenticateOptions & { rpId?: string } = {},
  ) => {
    const challenge = await approvalChallenge({
      requestId: details.requestId,
      nonce: details.nonce,
      site: boundSite(details.context),
      typedNumber,
      decision: 'approve',
    });
    const { rpId = details.webauthn.rpId, ...options } = change;
    return phone.authenticator.authenticate(
      { challenge, rpId, allowCredentials: details.webauthn.allowCredentials },
      { userVerified: true, ...options },
    );
  };

  beforeAll(async () => {
    world = await startSignInWorld();
    alice = await world.enroll('alice@contoso.example');
    aliceTablet = await world.enroll('alice@contoso.example');
    await world.contoso.admin('POST', '/users', { username: 'carol@contoso.example' });
    await world.contoso.admin('PUT', '/groups/Sales/members/carol@contoso.example');
    carol = await world.enroll('carol@contoso.example');
    const fabrikam = await world.relay.tenant('fabrikam');
    await fabrikam.admin('POST', '/users', { username: 'alice@contoso.example' });
    await fabrikam.admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'all_users', mode: 'any' }] });
    fabrikamDan = await world.enroll('alice@contoso.example', { tenant: fabrikam });
  });
  afterAll(() => world.close());

  it('a wrong number closes the request as wrong_number on both sides', async () => {
    const { created, details } = await fresh();
    const wrong = created.number === 99 ? 98 : created.number + 1;
    const result = await answer(world.relay.url, alice, details, 'approve', { typedNumber: wrong });
    expect(result.status).toBe(409);
    expect(result.body.code).toBe('wrong_number');
    expect(await state(created.requestId, created.collectorSecret)).toBe('wrong_number');
    const retry = await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number });
    expect(retry.body.code).toBe('already_answered');
    expect(await recorded(created.requestId)).toEqual([
      { outcome: 'wrong_number', reason: 'wrong number' },
      { outcome: 'refused', reason: 'already wrong_number' },
    ]);
  });

  it('a replayed answer is refused: the request was consumed', async () => {
    const { created, details } = await fresh();
    const first = await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number });
    expect(first.status).toBe(200);
    const replay = await fetchJson(`${world.relay.url}/api/sign-in-requests/${created.requestId}/answer`, { body: first.sent });
    expect(replay.status).toBe(409);
    expect(replay.body.code).toBe('already_answered');
    expect(await recorded(created.requestId)).toEqual([
      { outcome: 'approved', reason: null },
      { outcome: 'refused', reason: 'already approved' },
    ]);
  });

  it('two concurrent approvals from two phones: exactly one wins', async () => {
    const { created, details } = await fresh();
    const tabletDetails = (await readRequest(aliceTablet, created.requestId)).body;
    const results = await Promise.all([
      answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number }),
      answer(world.relay.url, aliceTablet, tabletDetails, 'approve', { typedNumber: created.number }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)!.body.code).toBe('already_answered');
    // The loser either saw the request already approved or lost the compare-and-set: never a second approval.
    const log = await recorded(created.requestId);
    expect(log.map((e) => e.outcome).sort()).toEqual(['approved', 'refused']);
    expect(log.find((e) => e.outcome === 'refused')!.reason).toMatch(/^(already approved|lost the race)$/);
  });

  it('an assertion made for another request fails and closes this one', async () => {
    const one = await fresh();
    const other = await fresh();
    const result = await answer(world.relay.url, alice, one.details, 'approve', {
      typedNumber: one.created.number,
      challengeFor: { requestId: other.details.requestId, nonce: other.details.nonce, typedNumber: other.created.number },
    });
    expect(result.status).toBe(400);
    expect(result.body.code).toBe('approval_invalid');
    expect(await state(one.created.requestId, one.created.collectorSecret)).toBe('failed');
    const sent = {
      requestId: one.details.requestId,
      nonce: one.details.nonce,
      site: boundSite(one.details.context),
      typedNumber: one.created.number,
      decision: 'approve' as const,
    };
    const signed = {
      requestId: other.details.requestId,
      nonce: other.details.nonce,
      site: boundSite(other.details.context),
      typedNumber: other.created.number,
      decision: 'approve' as const,
    };
    expect(await recorded(one.created.requestId)).toEqual([{ outcome: 'failed', reason: await challengeMismatch(signed, sent) }]);
  });

  // The assertion's challenge binds the request id, the nonce, the site, the typed number and the decision: each on its own.
  for (const [field, changed] of [
    ['nonce', (d: SignInRequestDetails) => ({ nonce: `${d.nonce}A` })],
    ['site', () => ({ site: 'https://contoso-login.example' })],
    ['typed number', (_: SignInRequestDetails, number: number) => ({ typedNumber: number === 99 ? 10 : number + 1 })],
    ['decision', () => ({ decision: 'deny' as const })],
  ] as const) {
    it(`an assertion bound to a different ${field} fails`, async () => {
      const { created, details } = await fresh();
      const challengeFor = changed(details, created.number);
      const result = await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number, challengeFor });
      expect(result.status).toBe(400);
      expect(result.body.code).toBe('approval_invalid');
      const sent = {
        requestId: details.requestId,
        nonce: details.nonce,
        site: boundSite(details.context),
        typedNumber: created.number,
        decision: 'approve' as const,
      };
      expect(await recorded(created.requestId)).toEqual([
        { outcome: 'failed', reason: await challengeMismatch({ ...sent, ...challengeFor }, sent) },
      ]);
    });
  }

  it("another account's registration cannot answer: the request is not found for it", async () => {
    const { created, details } = await fresh();
    const asCarol = {
      ...details,
      webauthn: { ...details.webauthn, allowCredentials: [{ id: carol.account.credentialId, type: 'public-key' as const }] },
    };
    const result = await answer(world.relay.url, carol, asCarol, 'approve', { typedNumber: created.number });
    expect(result.status).toBe(404);
    expect(result.body.code).toBe('request_not_found');
    expect(await state(created.requestId, created.collectorSecret)).toBe('pending');
  });

  it("another tenant's registration of the same username cannot answer", async () => {
    const { created, details } = await fresh();
    const asOther = {
      ...details,
      webauthn: { ...details.webauthn, allowCredentials: [{ id: fabrikamDan.account.credentialId, type: 'public-key' as const }] },
    };
    const result = await answer(world.relay.url, fabrikamDan, asOther, 'approve', { typedNumber: created.number });
    expect(result.status).toBe(404);
    expect(result.body.code).toBe('request_not_found');
  });

  it('an assertion by another credential of the same user is refused', async () => {
    const { created, details } = await fresh();
    // The tablet's authenticator signs this very approval, but the answer names the phone's registration.
    const tabletAssertion = await assertionFor(aliceTablet, details, created.number, { credentialId: aliceTablet.account.credentialId });
    const result = await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number, assertion: tabletAssertion });
    expect(result.body.code).toBe('approval_invalid');
    expect(await recorded(created.requestId)).toEqual([{ outcome: 'failed', reason: 'assertion from another credential' }]);
  });

  it('an assertion made for another origin is refused', async () => {
    const { created, details } = await fresh();
    const assertion = await assertionFor(alice, details, created.number, { originOverride: 'https://evil.example' });
    const result = await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number, assertion });
    expect(result.body.code).toBe('approval_invalid');
    expect(await recorded(created.requestId)).toEqual([
      {
        outcome: 'failed',
        reason: `assertion rejected: Unexpected authentication response origin "https://evil.example", expected "${world.relay.url}"`,
      },
    ]);
  });

  it('an assertion for another relying party is refused', async () => {
    const { created, details } = await fresh();
    const assertion = await assertionFor(alice, details, created.number, { rpId: 'evil.example' });
    const result = await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number, assertion });
    expect(result.body.code).toBe('approval_invalid');
    expect(await recorded(created.requestId)).toEqual([{ outcome: 'failed', reason: 'assertion rejected: Unexpected RP ID hash' }]);
  });

  it('an assertion whose signature is not over its own data is refused', async () => {
    const { created, details } = await fresh();
    // Two assertions for this approval; the second carries the first's (well-formed, genuine) signature.
    const first = await assertionFor(alice, details, created.number);
    const second = await assertionFor(alice, details, created.number);
    const assertion = { ...second, response: { ...second.response, signature: first.response.signature } };
    const result = await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number, assertion });
    expect(result.body.code).toBe('approval_invalid');
    expect(await recorded(created.requestId)).toEqual([{ outcome: 'failed', reason: 'assertion signature invalid' }]);
  });

  it('user verification missing fails a passwordless approval', async () => {
    const { created, details } = await fresh();
    const result = await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number, userVerified: false });
    expect(result.status).toBe(400);
    expect(result.body.code).toBe('approval_invalid');
    expect(await state(created.requestId, created.collectorSecret)).toBe('failed');
    expect(await recorded(created.requestId)).toEqual([
      { outcome: 'failed', reason: 'assertion rejected: User verification required, but user could not be verified' },
    ]);
  });

  it('a sign counter going back fails (WebAuthn L3 §7.2 step 21)', async () => {
    const ok = await fresh();
    expect((await answer(world.relay.url, alice, ok.details, 'approve', { typedNumber: ok.created.number })).status).toBe(200);
    const stored = (await world.relay.ctx.storage.registrations.byId(alice.account.registrationId))!.signCount;
    expect(stored).toBeGreaterThan(1);
    const { created, details } = await fresh();
    const result = await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number, signCount: 1 });
    expect(result.body.code).toBe('approval_invalid');
    expect(await recorded(created.requestId)).toEqual([
      { outcome: 'failed', reason: `assertion rejected: Response counter value 1 was lower than expected ${stored}` },
    ]);
  });

  it('an expired request cannot be approved', async () => {
    const { created, details } = await fresh();
    world.advance(121_000);
    try {
      const result = await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number });
      expect(result.status).toBe(409);
      expect(result.body.code).toBe('request_expired');
      expect(await state(created.requestId, created.collectorSecret)).toBe('expired');
      expect(await recorded(created.requestId)).toEqual([{ outcome: 'refused', reason: 'expired' }]);
    } finally {
      world.advance(-121_000);
    }
  });

  it('an answer not signed by the phone is refused and the request stays pending', async () => {
    const { created, details } = await fresh();
    const result = await answer(world.relay.url, alice, details, 'deny', { signer: carol });
    expect(result.status).toBe(401);
    expect(result.body.code).toBe('device_signature_invalid');
    expect(await state(created.requestId, created.collectorSecret)).toBe('pending');
  });

  it('an approval without an assertion is refused', async () => {
    const { created, details } = await fresh();
    const result = await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number, noAssertion: true });
    expect(result.body.code).toBe('approval_invalid');
    expect(await recorded(created.requestId)).toEqual([{ outcome: 'failed', reason: 'no assertion' }]);
  });

  it('deny closes the request as denied and the collector hears it', async () => {
    const { created, details } = await fresh();
    const waiting = watch(world.relay.url, created.requestId, created.collectorSecret, (s) => s.status !== 'pending');
    const result = await answer(world.relay.url, alice, details, 'deny');
    expect(result.body).toEqual({ requestId: created.requestId, status: 'denied' });
    const seen = await waiting;
    expect(seen.states.at(-1)).toMatchObject({ status: 'denied', message: expect.stringContaining('denied') });
    expect(await recorded(created.requestId)).toEqual([{ outcome: 'denied', reason: null }]);
  });
});
