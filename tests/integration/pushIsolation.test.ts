/**
 * Issue 19: with 300 pushes hanging on one push service, a push to a healthy subscription there
 * took 19.7 s. The sender keeps a hanging push service's trouble to its own backlog: bounded
 * lanes per origin, one push at a time per subscription, one deadline over waiting and sending,
 * and pushes nobody wants any more are dropped. Against the loopback push service, made to hang
 * for some subscriptions.
 */
import { Agent } from 'node:https';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPushSender, type PushResult, type PushSender, type PushSenderOptions } from '../../server/push/createPushSender';
import type { TestPhone } from '../helpers/enrollPhone';
import { type PushService, startPushService } from '../helpers/pushService';
import { createRequest } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';

const vapid = webpush.generateVAPIDKeys();
const subject = 'mailto:ops@nod.example';

describe('push isolation in the sender', () => {
  let service: PushService;
  let agent: Agent;
  const senders: PushSender[] = [];

  beforeAll(async () => {
    service = await startPushService();
    // As the sender's own agent: keep-alive, at most 128 sockets per origin.
    agent = new Agent({ ca: service.ca, keepAlive: true, maxSockets: 128 });
  });
  afterAll(async () => {
    for (const sender of senders) sender.close();
    agent?.destroy();
    await service?.close();
  });

  const sender = (options: Partial<PushSenderOptions> = {}) => {
    const created = createPushSender({ vapid, subject, agent, ...options });
    senders.push(created);
    return created;
  };
  const timed = async (sending: Promise<PushResult>) => {
    const start = performance.now();
    const result = await sending;
    return { result, ms: performance.now() - start };
  };

  it('300 pushes hanging for 20 subscriptions: a push to another subscription on the same service goes out at once', async () => {
    const deadlineMs = 4000;
    const push = sender({ deadlineMs });
    const healthy = service.createSubscription();
    const baseline = await timed(push.send(healthy.subscription, 'before', { ttlSeconds: 60 }));
    expect(baseline.result).toEqual({ outcome: 'delivered' });

    const hanging = Array.from({ length: 20 }, () => service.createSubscription());
    for (const { id } of hanging) service.hang(id);
    const stuck = hanging.flatMap(({ subscription }) =>
      Array.from({ length: 15 }, (_, i) => timed(push.send(subscription, `stuck ${i}`, { ttlSeconds: 60 }))),
    );
    // Every hanging subscription has its one push in flight at the service; the rest wait their turn.
    await Promise.all(hanging.map(({ id }) => service.waitForHeld(id, 1)));

    const during = await timed(push.send(healthy.subscription, 'during', { ttlSeconds: 60 }));
    expect(during.result).toEqual({ outcome: 'delivered' });
    // Its normal time, give or take a loaded machine; the old sender took the whole timeout (or more).
    expect(during.ms).toBeLessThan(Math.max(2000, baseline.ms * 10));

    // The deadline covers waiting: every stuck push fails by its own deadline, none hangs on.
    const results = await Promise.all(stuck);
    expect(results.every((r) => r.result.outcome === 'failed')).toBe(true);
    expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(deadlineMs + 2000);
    for (const { id } of hanging) service.release(id);
  });

  it('a push service that hangs for everyone fills its lane; more pushes to it are refused at once, another service is not affected', async () => {
    const elsewhere = await startPushService('nod-test-push-service-2');
    const both = new Agent({ ca: [service.ca, elsewhere.ca], keepAlive: true });
    try {
      const push = sender({ agent: both, deadlineMs: 3000, maxInFlightPerOrigin: 4, maxWaitingPerOrigin: 8 });
      const hanging = Array.from({ length: 6 }, () => service.createSubscription());
      for (const { id } of hanging) service.hang(id);
      const sending = hanging.flatMap(({ subscription }) => [
        push.send(subscription, 'a', { ttlSeconds: 60 }),
        push.send(subscription, 'b', { ttlSeconds: 60 }),
      ]);
      // 4 in flight, 8 waiting: the lane is full.
      await Promise.all(hanging.slice(0, 4).map(({ id }) => service.waitForHeld(id, 1)));
      const refused = await timed(push.send(service.createSubscription().subscription, 'c', { ttlSeconds: 60 }));
      expect(refused.result).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/already wait/) });
      expect(refused.ms).toBeLessThan(1000);
      // The same sender, another push service: its own lane.
      const other = await timed(push.send(elsewhere.createSubscription().subscription, 'd', { ttlSeconds: 60 }));
      expect(other.result).toEqual({ outcome: 'delivered' });
      expect(other.ms).toBeLessThan(2000);
      await Promise.all(sending);
      for (const { id } of hanging) service.release(id);
    } finally {
      both.destroy();
      await elsewhere.close();
    }
  });

  it('a push whose caller no longer wants it after waiting for its turn is dropped, never sent', async () => {
    const push = sender();
    const { id, subscription } = service.createSubscription();
    service.hang(id);
    const first = push.send(subscription, 'first', { ttlSeconds: 60 });
    await service.waitForHeld(id, 1);
    let wanted = true;
    const second = push.send(subscription, 'second', { ttlSeconds: 60, stillWanted: () => wanted });
    wanted = false;
    service.release(id);
    expect(await first).toEqual({ outcome: 'delivered' });
    expect(await second).toEqual({ outcome: 'dropped' });
    expect(service.received.filter((m) => m.subscriptionId === id).map((m) => m.payloadText)).toEqual(['first']);
  });
});

describe('push isolation in the relay', () => {
  let world: SignInWorld;
  let phone: TestPhone;
  let subscriptionId: string;

  beforeAll(async () => {
    world = await startSignInWorld();
    phone = await world.enroll('alice@contoso.example');
    const device = await world.relay.ctx.storage.devices.byId(phone.account.deviceId);
    subscriptionId = device!.pushSubscription!.endpoint.split('/').pop()!;
  });
  afterAll(() => world?.close());

  it('a sign-in request cancelled while its push waited behind a hanging push is never pushed; its close is', async () => {
    world.push.hang(subscriptionId);
    const url = world.relay.url;
    const first = (await createRequest(url, 'contoso', { username: 'alice@contoso.example' }, { 'nod-collector-key': 'one' })).body;
    await world.push.waitForHeld(subscriptionId, 1);
    const second = (await createRequest(url, 'contoso', { username: 'alice@contoso.example' }, { 'nod-collector-key': 'two' })).body;
    const cancelled = await fetchJson(`${url}/api/sign-in-requests/${second.requestId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${second.collectorSecret}` },
    });
    expect(cancelled.status).toBe(204);
    world.push.release(subscriptionId);
    // The close of the second request is pushed (after it, in order); the request itself never was.
    await world.push.waitFor((m) => m.payload?.type === 'sign_in_request_closed' && m.payload.requestId === second.requestId);
    const pushed = world.push.received
      .filter((m) => m.subscriptionId === subscriptionId)
      .map((m) => [m.payload?.type, m.payload?.requestId]);
    expect(pushed).toEqual([
      ['sign_in_request', first.requestId],
      ['sign_in_request_closed', second.requestId],
    ]);
  });
});
