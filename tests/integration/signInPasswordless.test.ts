import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPhone } from '../helpers/enrollPhone';
import { leafValues } from '../helpers/pushService';
import { answer, createRequest, readRequest, watch } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';
import { storages } from '../helpers/storages';

describe.each(storages)('journey 3: passwordless phone sign-in through the HTTP API, on $storage', ({ postgres }) => {
  let world: SignInWorld;
  let phone: TestPhone;

  beforeAll(async () => {
    world = await startSignInWorld({}, { postgres });
    phone = await world.enroll('alice@contoso.example');
  });
  afterAll(() => world.close());

  it('pushes an encrypted request without the number, and approval with the right number signs the desktop in once', async () => {
    // As the hosted page does (its own origin, in the Origin header); a name of the caller's own is ignored.
    const created = await createRequest(
      world.relay.url,
      'contoso',
      { username: 'alice@contoso.example', origin: world.relay.url, client: { applicationName: 'Contoso Portal' } },
      { origin: world.relay.url },
    );
    expect(created.status).toBe(201);
    expect(created.body.number).toBeGreaterThanOrEqual(10);
    expect(created.body.number).toBeLessThanOrEqual(99);
    expect(created.body.methods).toContain('phone_sign_in');

    const pushed = await world.push.waitFor((m) => m.payload?.requestId === created.body.requestId);
    expect(pushed.headers).toMatchObject({ urgency: 'high' });
    expect(Number(pushed.headers.ttl)).toBeGreaterThan(100);
    expect(pushed.headers.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    expect(pushed.payload).toMatchObject({
      type: 'sign_in_request',
      tenant: 'contoso',
      context: {
        browser: 'Chrome on Linux',
        location: 'This network', // a loopback caller (server/location)
        origin: world.relay.url,
        siteCheck: 'relay',
      },
    });
    expect(pushed.payload.context).not.toHaveProperty('applicationName');
    // The number is in no field, at any depth (a timestamp may well hold its digits).
    expect(leafValues(pushed.payload)).not.toContain(created.body.number);
    expect(leafValues(pushed.payload)).not.toContain(String(created.body.number));

    const details = await readRequest(phone, created.body.requestId);
    expect(details.status).toBe(200);
    expect(JSON.stringify(details.body)).not.toContain(`"number"`);

    const waiting = watch(world.relay.url, created.body.requestId, created.body.collectorSecret, (s) => s.status === 'approved');
    const approved = await answer(world.relay.url, phone, details.body, 'approve', { typedNumber: created.body.number });
    expect(approved.status).toBe(200);
    expect(approved.body).toEqual({ requestId: created.body.requestId, status: 'approved' });
    const seen = await waiting;
    expect(seen.states.map((s) => s.status)).toEqual(['pending', 'approved']);

    const redeem = () =>
      fetchJson(`${world.relay.url}/api/sign-in-requests/${created.body.requestId}/redeem`, {
        method: 'POST',
        headers: { authorization: `Bearer ${created.body.collectorSecret}` },
      });
    const first = await redeem();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ tenant: 'contoso', username: 'alice@contoso.example', method: 'phone_sign_in' });
    expect(first.body.grant).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const second = await redeem();
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('not_approved');
  });
});
