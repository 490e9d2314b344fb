import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPhone } from '../helpers/enrollPhone';
import { answer, createRequest, readRequest, watch } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';

/** Each check the relay makes on an answer, one test each: a valid answer with one thing changed. */
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

  beforeAll(async () => {
    world = await startSignInWorld({ limits: { maxPendingPerUser: 20, denialLimit: 50 } });
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
  });

  it('a replayed answer is refused: the request was consumed', async () => {
    const { created, details } = await fresh();
    const first = await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number });
    expect(first.status).toBe(200);
    const replay = await fetchJson(`${world.relay.url}/api/sign-in-requests/${created.requestId}/answer`, { body: first.sent });
    expect(replay.status).toBe(409);
    expect(replay.body.code).toBe('already_answered');
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
  });

  it('an assertion bound to a different typed number or decision fails', async () => {
    const { created, details } = await fresh();
    const result = await answer(world.relay.url, alice, details, 'approve', {
      typedNumber: created.number,
      challengeFor: { decision: 'deny' },
    });
    expect(result.body.code).toBe('approval_invalid');
  });

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
    // The tablet's authenticator signs, but the answer names the phone's registration.
    const tabletAssertion = await aliceTablet.authenticator.authenticate({
      challenge: 'AAAA',
      rpId: details.webauthn.rpId,
    });
    const result = await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number, assertion: tabletAssertion });
    expect(result.body.code).toBe('approval_invalid');
  });

  it('user verification missing fails a passwordless approval', async () => {
    const { created, details } = await fresh();
    const result = await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number, userVerified: false });
    expect(result.status).toBe(400);
    expect(result.body.code).toBe('approval_invalid');
    expect(await state(created.requestId, created.collectorSecret)).toBe('failed');
  });

  it('a sign counter going back fails (WebAuthn L3 §7.2 step 21)', async () => {
    const ok = await fresh();
    expect((await answer(world.relay.url, alice, ok.details, 'approve', { typedNumber: ok.created.number })).status).toBe(200);
    const { created, details } = await fresh();
    const result = await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number, signCount: 1 });
    expect(result.body.code).toBe('approval_invalid');
  });

  it('an expired request cannot be approved', async () => {
    const { created, details } = await fresh();
    world.advance(121_000);
    try {
      const result = await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number });
      expect(result.status).toBe(409);
      expect(result.body.code).toBe('request_expired');
      expect(await state(created.requestId, created.collectorSecret)).toBe('expired');
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
  });

  it('deny closes the request as denied and the collector hears it', async () => {
    const { created, details } = await fresh();
    const waiting = watch(world.relay.url, created.requestId, created.collectorSecret, (s) => s.status !== 'pending');
    const result = await answer(world.relay.url, alice, details, 'deny');
    expect(result.body).toEqual({ requestId: created.requestId, status: 'denied' });
    const seen = await waiting;
    expect(seen.states.at(-1)).toMatchObject({ status: 'denied', message: expect.stringContaining('denied') });
  });
});
