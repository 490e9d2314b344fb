import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPhone } from '../helpers/enrollPhone';
import { answer, createRequest, readRequest } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';

describe('limits against push fatigue, and reporting fraud', () => {
  let world: SignInWorld;
  let alice: TestPhone;
  let n = 0;
  const request = async (username = 'alice@contoso.example') =>
    (await createRequest(world.relay.url, 'contoso', { username }, { 'nod-collector-key': `fatigue-${n++}` })).body;

  beforeAll(async () => {
    world = await startSignInWorld({
      limits: { maxPendingPerUser: 2, denialLimit: 2, denialWindowMinutes: 10, coolDownMinutes: 5, requestLifetimeSeconds: 60 },
    });
    alice = await world.enroll('alice@contoso.example');
  });
  afterAll(() => world.close());

  it('caps the pending requests per user; the answer says to wait and nothing more is pushed', async () => {
    const one = await request();
    const two = await request();
    expect([one.status, two.status]).toEqual(['pending', 'pending']);
    const before = world.push.received.length;
    const three = await request();
    expect(three.status).toBe('cool_down');
    expect(Date.parse(three.retryAt!)).toBeGreaterThan(Date.now());
    // Unknown users are capped the same way, so the cap tells nothing.
    const ghost = [await request('ghost@contoso.example'), await request('ghost@contoso.example'), await request('ghost@contoso.example')];
    expect(ghost.map((r) => r.status)).toEqual(['pending', 'pending', 'cool_down']);
    await world.push.waitFor((m) => m.payload?.requestId === two.requestId);
    expect(world.push.received.slice(before).some((m) => m.payload?.requestId === three.requestId)).toBe(false);
    // Once they expire, new requests go out again.
    world.advance(61_000);
    expect((await request()).status).toBe('pending');
  });

  it('after too many denials new pushes wait out a cool-down, then work again', async () => {
    world.advance(61_000);
    for (let i = 0; i < 2; i++) {
      const created = await request();
      expect(created.status).toBe('pending');
      const details = (await readRequest(alice, created.requestId)).body;
      expect((await answer(world.relay.url, alice, details, 'deny')).status).toBe(200);
    }
    const held = await request();
    expect(held.status).toBe('cool_down');
    expect((await readRequest(alice, held.requestId)).status).toBe(404);
    world.advance(5 * 60_000 + 1000);
    expect((await request()).status).toBe('pending');
  });

  it('a report blocks push and phone sign-in for the user until an admin clears it', async () => {
    world.advance(20 * 60_000);
    const created = await request();
    const details = (await readRequest(alice, created.requestId)).body;
    const reported = await answer(world.relay.url, alice, details, 'report');
    expect(reported.body.status).toBe('reported');

    const user = await world.contoso.admin('GET', '/users/alice@contoso.example');
    expect(user.body.blocked).toBe(true);
    const audit = await world.contoso.admin('GET', '/audit?type=fraud_report');
    expect(audit.body.events).toHaveLength(1);

    world.advance(20 * 60_000);
    const blocked = await request();
    expect(blocked.methods).not.toContain('phone_sign_in');
    expect((await readRequest(alice, blocked.requestId)).status).toBe(404);
    const enable = await alice.call('PUT', `/api/registrations/${alice.account.registrationId}/phone-sign-in`, { enabled: true });
    expect(enable.status).toBe(403);

    expect((await world.contoso.admin('POST', '/users/alice@contoso.example/unblock')).status).toBe(200);
    const after = await request();
    expect(after.methods).toContain('phone_sign_in');
    expect((await readRequest(alice, after.requestId)).status).toBe(200);
  });
});
