/**
 * Delivery you can see: the phone's receipt turns the desktop's stage from "sent" to
 * "delivered" (for a browser that already knows the user: one where they signed in before, or
 * after a first factor) and goes in the sign-in log; to any other browser a real user's request
 * looks exactly like an unknown username's; pushes follow the push services' rules (TTL, urgency,
 * Topic); the daily health check finds a phone whose pushes no longer arrive within 24 hours.
 * The real relay with an injectable clock, the loopback push service, software phones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPushHealth, pushHealth } from '../../server/push/checkPushHealth';
import type { TestPhone } from '../helpers/enrollPhone';
import { knownBrowserOf } from '../helpers/hostedSignIn';
import { answer, createRequest, readRequest, watch } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';

const alice = 'alice@contoso.example';
const bob = 'bob@contoso.example';
const hour = 3600_000;

describe('delivery receipts and push health', () => {
  let world: SignInWorld;
  let alicePhone: TestPhone;
  let bobPhone: TestPhone;
  /** The Cookie header of a browser where Alice signed in before (its known-browser cookie). */
  let alicesBrowser: string;
  beforeAll(async () => {
    world = await startSignInWorld({ limits: { maxPendingPerUser: 20 } });
    alicePhone = await world.enroll(alice);
    bobPhone = await world.enroll(bob);
    alicesBrowser = (await knownBrowserOf(world.relay.url, 'contoso', alice, alicePhone)).cookie;
  });
  afterAll(() => world.close());

  const collectorState = async (created: { requestId: string; collectorSecret: string }) =>
    (
      await fetchJson(`${world.relay.url}/api/sign-in-requests/${created.requestId}`, {
        headers: { authorization: `Bearer ${created.collectorSecret}` },
      })
    ).body;
  const receipt = (phone: TestPhone, requestId: string, via: 'push' | 'app' = 'push') =>
    phone.call('POST', `/api/device/sign-in-requests/${requestId}/received`, { via });
  const deliveredAudits = async (requestId: string) =>
    (await world.contoso.admin('GET', '/audit?type=sign_in_request.delivered')).body.events.filter(
      (e: { detail: { requestId: string } }) => e.detail.requestId === requestId,
    );
  const device = async (phone: TestPhone) => (await world.relay.ctx.storage.devices.byId(phone.account.deviceId))!;

  it('a browser where the user signed in before sees "sent", then "delivered" once the phone acknowledges; the receipt is idempotent and logged once', async () => {
    const created = (await createRequest(world.relay.url, 'contoso', { username: alice }, { cookie: alicesBrowser })).body;
    expect(await collectorState(created)).toMatchObject({ status: 'pending', delivery: 'sent' });
    const stages: string[] = [];
    const watching = watch(world.relay.url, created.requestId, created.collectorSecret, (s) => s.delivery === 'delivered', {
      onState: (s) => stages.push(`${s.status}/${s.delivery}`),
    });
    await expect.poll(() => stages).toEqual(['pending/sent']);

    const before = (await device(alicePhone)).lastReceiptAt;
    expect((await receipt(alicePhone, created.requestId)).status).toBe(204);
    const watched = await watching;
    expect(stages).toEqual(['pending/sent', 'pending/delivered']);
    expect(watched.ids).toEqual(['1', '2']);
    expect(await collectorState(created)).toMatchObject({
      status: 'pending',
      delivery: 'delivered',
      message: expect.stringContaining('Delivered'),
    });
    expect((await device(alicePhone)).lastReceiptAt).toBeGreaterThan(before ?? 0);

    expect((await receipt(alicePhone, created.requestId, 'app')).status).toBe(204);
    const audits = await deliveredAudits(created.requestId);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      outcome: 'delivered',
      username: alice,
      deviceId: alicePhone.account.deviceId,
      detail: { via: 'push' },
    });

    // Answered: the stage is over, the state is the answer's.
    const details = (await readRequest(alicePhone, created.requestId)).body;
    expect((await answer(world.relay.url, alicePhone, details, 'deny')).status).toBe(200);
    expect((await collectorState(created)).delivery).toBeUndefined();
  });

  it('a receipt from the open app marks the request delivered but says nothing about push', async () => {
    const created = (
      await createRequest(world.relay.url, 'contoso', { username: alice }, { 'nod-collector-key': 'app-receipt', cookie: alicesBrowser })
    ).body;
    const before = (await device(alicePhone)).lastReceiptAt;
    expect((await receipt(alicePhone, created.requestId, 'app')).status).toBe(204);
    expect((await collectorState(created)).delivery).toBe('delivered');
    expect((await device(alicePhone)).lastReceiptAt).toBe(before);
  });

  it('a phone cannot acknowledge another user’s request, or one that does not exist; bad input names the field', async () => {
    const created = (
      await createRequest(world.relay.url, 'contoso', { username: alice }, { 'nod-collector-key': 'not-bob', cookie: alicesBrowser })
    ).body;
    const refused = await receipt(bobPhone, created.requestId);
    expect(refused).toMatchObject({ status: 404, body: { code: 'request_not_found' } });
    expect(await receipt(bobPhone, 'no-such-request')).toMatchObject({ status: 404, body: { code: 'request_not_found' } });
    expect((await collectorState(created)).delivery).toBe('sent');
    const bad = await bobPhone.call('POST', `/api/device/sign-in-requests/${created.requestId}/received`, { via: 'pigeon' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('via');
    const unsigned = await fetchJson(`${world.relay.url}/api/device/sign-in-requests/${created.requestId}/received`, {
      body: { via: 'push' },
    });
    expect(unsigned.status).toBe(401);
  });

  it('push MFA: after the password the browser knows the user, and sees "delivered"', async () => {
    const created = (
      await createRequest(
        world.relay.url,
        'contoso',
        { username: bob, kind: 'mfa', password: 'correct horse battery' },
        { 'nod-collector-key': 'bob-mfa' },
      )
    ).body;
    expect(await collectorState(created)).toMatchObject({ status: 'pending', delivery: 'sent' });
    expect((await receipt(bobPhone, created.requestId)).status).toBe(204);
    expect((await collectorState(created)).delivery).toBe('delivered');
  });

  /**
   * Think like an attacker who guesses usernames from a browser of their own: a real user's request
   * and an unknown username's must give the same states, messages and event ids from the first to
   * the last, even after the real user's phone acknowledged it (the old relay said "delivered").
   */
  it('to a browser that does not know the user, a real user’s request and an unknown username’s look alike to the end', async () => {
    const strangers = [
      { username: alice, key: 'stranger-real' },
      { username: 'alise@contoso.example', key: 'stranger-mistyped' },
    ];
    const created = await Promise.all(
      strangers.map(
        async ({ username, key }) => (await createRequest(world.relay.url, 'contoso', { username }, { 'nod-collector-key': key })).body,
      ),
    );
    const [real, decoy] = created;
    expect(Object.keys(real).sort()).toEqual(Object.keys(decoy).sort());
    expect(real.methods).toEqual(decoy.methods);
    const seen = created.map(() => [] as string[]);
    const watching = created.map((c, i) =>
      watch(world.relay.url, c.requestId, c.collectorSecret, (s) => s.status !== 'pending', {
        timeoutMs: 20_000,
        onState: (s) => seen[i].push(`${s.status}/${s.delivery}`),
      }),
    );
    await expect.poll(() => seen).toEqual([['pending/sent'], ['pending/sent']]);

    // Alice's phone gets her request and acknowledges it (the decoy reaches no phone at all).
    await world.push.waitFor((m) => m.payload?.type === 'sign_in_request' && m.payload.requestId === real.requestId);
    expect((await receipt(alicePhone, real.requestId)).status).toBe(204);
    expect(await deliveredAudits(real.requestId)).toHaveLength(1);
    const withoutIds = ({ requestId: _r, expiresAt: _e, ...rest }: Record<string, unknown>) => rest;
    const [realState, decoyState] = await Promise.all(created.map(collectorState));
    expect(realState).toMatchObject({ status: 'pending', delivery: 'sent' });
    expect(withoutIds(realState)).toEqual(withoutIds(decoyState));

    // Both time out the same way; each stream says the same things with the same ids.
    world.advance(121_000);
    const [afterReal, afterDecoy] = await Promise.all(created.map(collectorState));
    expect(afterReal.status).toBe('expired');
    expect(withoutIds(afterReal)).toEqual(withoutIds(afterDecoy));
    const [realStream, decoyStream] = await Promise.all(watching);
    expect(realStream.ids).toEqual(['1', '3']);
    expect(decoyStream.ids).toEqual(realStream.ids);
    expect(realStream.states.map(withoutIds)).toEqual(decoyStream.states.map(withoutIds));
    // Resuming after the first event: the same again.
    const resumed = await Promise.all(
      created.map((c) => watch(world.relay.url, c.requestId, c.collectorSecret, () => false, { lastEventId: '1' })),
    );
    expect(resumed[0].ids).toEqual(['3']);
    expect(resumed[1].ids).toEqual(resumed[0].ids);
  });

  it('a sign-in push is urgent, lives as long as the request, and has a Topic its withdrawal shares', async () => {
    const created = (await createRequest(world.relay.url, 'contoso', { username: alice }, { 'nod-collector-key': 'rules' })).body;
    const offered = await world.push.waitFor((m) => m.payload?.type === 'sign_in_request' && m.payload.requestId === created.requestId);
    expect(offered.headers.urgency).toBe('high');
    expect(offered.headers.ttl).toBeGreaterThan(100);
    expect(offered.headers.ttl).toBeLessThanOrEqual(120);
    expect(offered.headers.topic).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const cancelled = await fetchJson(`${world.relay.url}/api/sign-in-requests/${created.requestId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${created.collectorSecret}` },
    });
    expect(cancelled.status).toBe(204);
    const withdrawn = await world.push.waitFor(
      (m) => m.payload?.type === 'sign_in_request_closed' && m.payload.requestId === created.requestId,
    );
    // The same Topic: a withdrawal replaces the offer still queued for an offline phone.
    expect(withdrawn.headers.topic).toBe(offered.headers.topic);
    expect(withdrawn.headers.ttl).toBeGreaterThan(0);
  });

  it('the daily health check: a phone that answers stays subscribed; one that does not is flagged within 24 hours', async () => {
    const quiet = await world.enroll(alice, { phoneSignIn: false });
    const answering = await world.enroll(bob, { phoneSignIn: false });
    // A day without any receipt, on the relay's clock.
    world.advance(pushHealth.checkAfterMs + hour);
    const sent = await checkPushHealth(world.relay.ctx);
    expect(sent.checked).toBeGreaterThanOrEqual(2);
    for (const phone of [quiet, answering]) {
      const check = await world.push.waitFor(
        (m) => m.payload?.type === 'push_health_check' && m.payload.deviceId === phone.account.deviceId,
      );
      expect(check.headers).toMatchObject({ urgency: 'normal', ttl: pushHealth.answerWithinMs / 1000 });
    }
    expect((await answering.call('POST', '/api/device/push/received')).status).toBe(204);
    // A second round at once flags nobody and sends no second check while one is out.
    const again = await checkPushHealth(world.relay.ctx);
    expect(again.flagged).toEqual([]);
    const checksTo = (phone: TestPhone) =>
      world.push.received.filter((m) => m.payload?.type === 'push_health_check' && m.payload.deviceId === phone.account.deviceId).length;
    expect(checksTo(quiet)).toBe(1);

    world.advance(pushHealth.answerWithinMs + 1);
    const later = await checkPushHealth(world.relay.ctx);
    expect(later.flagged).toContain(quiet.account.deviceId);
    expect(later.flagged).not.toContain(answering.account.deviceId);
    expect((await device(quiet)).pushState).toBe('unreachable');
    expect((await device(answering)).pushState).toBe('subscribed');

    // The admin sees the device's delivery state and its last receipt.
    const registrations = (await world.contoso.admin('GET', `/users/${bob}/registrations`)).body.registrations;
    expect(registrations.find((r: { deviceId: string }) => r.deviceId === answering.account.deviceId)).toMatchObject({
      pushState: 'subscribed',
      lastReceiptAt: expect.any(String),
    });
    const flagged = (await world.contoso.admin('GET', `/users/${alice}/registrations`)).body.registrations;
    expect(flagged.find((r: { deviceId: string }) => r.deviceId === quiet.account.deviceId)).toMatchObject({
      pushState: 'unreachable',
      lastReceiptAt: null,
    });
    const log = (await world.contoso.admin('GET', '/audit?type=device.push_unreachable')).body.events;
    expect(log.map((e: { deviceId: string }) => e.deviceId)).toContain(quiet.account.deviceId);

    // The phone is opened again and answers: reachable once more.
    expect((await quiet.call('POST', '/api/device/push/received')).status).toBe(204);
    expect((await device(quiet)).pushState).toBe('subscribed');
  });
});
