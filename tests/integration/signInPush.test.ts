import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leafValues } from '../helpers/pushService';
import { createRequest } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';

describe('Web Push delivery of sign-in requests', () => {
  let world: SignInWorld;
  beforeAll(async () => {
    world = await startSignInWorld();
  });
  afterAll(() => world.close());

  it('a 410 from the push service removes the subscription and marks the device unreachable', async () => {
    const phone = await world.enroll('alice@contoso.example');
    const device = await world.relay.ctx.storage.devices.byId(phone.account.deviceId);
    const subscriptionId = device!.pushSubscription!.endpoint.split('/').pop()!;
    world.push.setResponse(subscriptionId, 410);
    const created = (await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example' })).body;
    expect(created.status).toBe('pending');
    await world.push.waitFor((m) => m.subscriptionId === subscriptionId && m.status === 410);
    await expect.poll(async () => (await world.relay.ctx.storage.devices.byId(phone.account.deviceId))!.pushState).toBe('unreachable');
    expect((await world.relay.ctx.storage.devices.byId(phone.account.deviceId))!.pushSubscription).toBeNull();
    // The request still reaches the phone over its live channel or by listing.
    expect((await phone.call('GET', '/api/device/sign-in-requests')).body.requests.length).toBeGreaterThan(0);
  });

  it('every push is VAPID-signed, encrypted, and never carries the number', async () => {
    await world.enroll('bob@contoso.example');
    const numbers: number[] = [];
    for (let i = 0; i < 5; i++) {
      const created = (
        await createRequest(
          world.relay.url,
          'contoso',
          { username: 'bob@contoso.example', kind: 'mfa', password: 'correct horse battery' },
          { 'nod-collector-key': `p${i}` },
        )
      ).body;
      numbers.push(created.number);
      const message = await world.push.waitFor((m) => m.payload?.requestId === created.requestId);
      expect(message.status).toBe(201);
      expect(message.vapid?.sub).toBe('mailto:admin@nod.invalid');
      // The number is in no field of the payload, at any depth (as a number or as text).
      const values = leafValues(message.payload);
      expect(values).not.toContain(created.number);
      expect(values).not.toContain(String(created.number));
      expect(Object.keys(message.payload.context).sort()).toEqual(
        ['applicationName', 'browser', 'location', 'origin', 'siteCheck', 'signedBy'].filter((k) => k in message.payload.context).sort(),
      );
      expect(message.payload).not.toHaveProperty('number');
    }
    // One VAPID JWT per push-service origin, reused rather than signed per message.
    const jwts = new Set(world.push.received.filter((m) => m.vapid).map((m) => m.vapid!.jwt));
    expect(jwts.size).toBe(1);
  });
});
