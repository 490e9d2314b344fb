import { Agent } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPushHosts } from '../../server/push/pushHosts';
import { enrollPhone } from '../helpers/enrollPhone';
import { type PushService, startPushService } from '../helpers/pushService';
import { createRequest } from '../helpers/signInFlow';
import { type TestRelay, type TestTenant, startRelay } from '../helpers/startRelay';

const alice = 'alice@contoso.example';

/** Issue 14 item 7: the relay sends pushes only to the push services on its list (no blind SSRF). */
describe('push subscriptions must name an allowed push service', () => {
  let push: PushService;
  let relay: TestRelay;
  let contoso: TestTenant;
  const pass = async () => (await contoso.admin('POST', `/users/${alice}/temporary-access-pass`, {})).body.temporaryAccessPass as string;
  const otherHost = (subscription: { endpoint: string }) => ({
    ...subscription,
    endpoint: subscription.endpoint.replace('127.0.0.1', '127.0.0.2'),
  });

  beforeAll(async () => {
    push = await startPushService();
    // The real push services and the loopback one on 127.0.0.1 only: 127.0.0.2 is "another host".
    relay = await startRelay({ pushHosts: [...defaultPushHosts, '127.0.0.1'] }, { pushAgent: new Agent({ ca: push.ca }) });
    contoso = await relay.tenant('contoso');
    await contoso.admin('POST', '/users', { username: alice });
    await contoso.admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'all_users', mode: 'any' }] });
  });
  afterAll(async () => {
    await relay.close();
    await push.close();
  });

  it('a push subscription to a non-allowed host is refused at enrollment, naming the field, and nothing is stored', async () => {
    const before = (await contoso.admin('GET', `/users/${alice}/registrations`)).body.registrations.length;
    for (const endpoint of [
      'https://169.254.169.254/latest/meta-data/iam',
      otherHost(push.createSubscription().subscription).endpoint,
      'https://fcm.googleapis.com.attacker.example/send/1',
    ]) {
      const subscription = { ...push.createSubscription().subscription, endpoint };
      await expect(
        enrollPhone(
          relay.url,
          { tenant: 'contoso', username: alice, temporaryAccessPass: await pass() },
          { pushSubscription: subscription },
        ),
      ).rejects.toThrow(/enrollment finish: 400 .*"field":"pushSubscription.endpoint"/);
    }
    expect((await contoso.admin('GET', `/users/${alice}/registrations`)).body.registrations).toHaveLength(before);
  });

  it('a push subscription to a non-allowed host is refused when the phone updates it, and the old one stays', async () => {
    const allowed = push.createSubscription().subscription;
    const phone = await enrollPhone(
      relay.url,
      { tenant: 'contoso', username: alice, temporaryAccessPass: await pass() },
      { pushSubscription: allowed },
    );
    const refused = await phone.call('PUT', '/api/device/push', { subscription: otherHost(push.createSubscription().subscription) });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'validation_failed', field: 'subscription.endpoint' });
    expect((await relay.ctx.storage.devices.byId(phone.account.deviceId))?.pushSubscription).toEqual(allowed);
    // An allowed one is taken.
    const next = push.createSubscription().subscription;
    expect((await phone.call('PUT', '/api/device/push', { subscription: next })).status).toBe(200);
  });

  it('a subscription stored before the list (or whose host was taken off it) is never contacted', async () => {
    const lines: { msg?: string; error?: string }[] = [];
    let logged: () => void = () => {};
    const strict = await startRelay(
      { logLevel: 'warn', pushHosts: [...defaultPushHosts] },
      {
        pushAgent: new Agent({ ca: push.ca }),
        logStream: {
          write(line) {
            lines.push(JSON.parse(line));
            logged();
          },
        },
      },
    );
    try {
      const tenant = await strict.tenant('contoso');
      await tenant.admin('POST', '/users', { username: alice });
      await tenant.admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'all_users', mode: 'any' }] });
      const tap = (await tenant.admin('POST', `/users/${alice}/temporary-access-pass`, {})).body.temporaryAccessPass;
      const phone = await enrollPhone(strict.url, { tenant: 'contoso', username: alice, temporaryAccessPass: tap });
      await phone.call('PUT', `/api/registrations/${phone.account.registrationId}/phone-sign-in`, { enabled: true });
      // As an older relay stored it, with no list to check against.
      const { id, subscription } = push.createSubscription();
      await strict.ctx.storage.devices.setPush(phone.account.deviceId, subscription, 'subscribed');

      expect((await createRequest(strict.url, 'contoso', { username: alice })).status).toBe(201);
      const refusal = () => lines.find((l) => l.msg === 'push not delivered' && /not on the allowed list/.test(l.error ?? ''));
      await new Promise<void>((resolve) => {
        logged = () => refusal() && resolve();
        logged();
      });
      expect(push.received.filter((m) => m.subscriptionId === id)).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});
