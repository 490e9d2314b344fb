import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDeviceStream } from '../helpers/deviceStream';
import type { TestPhone } from '../helpers/enrollPhone';
import { answer, createRequest, readRequest, watch } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';

describe('the desktop side: collector secret, live results, supersede, no enumeration', () => {
  let world: SignInWorld;
  let alice: TestPhone;
  let tablet: TestPhone;

  beforeAll(async () => {
    world = await startSignInWorld();
    alice = await world.enroll('alice@contoso.example');
    tablet = await world.enroll('alice@contoso.example');
  });
  afterAll(() => world.close());

  it('the event stream and the result need the collector secret', async () => {
    const created = (await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example' })).body;
    for (const authorization of [undefined, 'Bearer wrong-secret-wrong-secret-wrong', `Bearer ${created.collectorSecret}x`]) {
      const headers: Record<string, string> = authorization ? { authorization } : {};
      const events = await fetchJson(`${world.relay.url}/api/sign-in-requests/${created.requestId}/events`, { headers });
      expect(events.status).toBe(404);
      expect(events.body.code).toBe('request_not_found');
      const redeem = await fetchJson(`${world.relay.url}/api/sign-in-requests/${created.requestId}/redeem`, { method: 'POST', headers });
      expect(redeem.status).toBe(404);
    }
  });

  it('the stream resumes with Last-Event-ID without repeating what was seen', async () => {
    const created = (await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example' })).body;
    const first = await watch(world.relay.url, created.requestId, created.collectorSecret, (s) => s.status === 'pending');
    expect(first.ids).toEqual(['1']);
    const details = (await readRequest(alice, created.requestId)).body;
    await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number });
    const resumed = await watch(world.relay.url, created.requestId, created.collectorSecret, (s) => s.status === 'approved', {
      lastEventId: '1',
    });
    expect(resumed.states.map((s) => s.status)).toEqual(['approved']);
  });

  it('a new request from the same browser supersedes its older pending one; phone sign-in stays offered', async () => {
    const headers = { 'nod-collector-key': 'the-same-browser' };
    const older = (await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example' }, headers)).body;
    const waiting = watch(world.relay.url, older.requestId, older.collectorSecret, (s) => s.status !== 'pending');
    const newer = await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example' }, headers);
    expect(newer.body.status).toBe('pending');
    expect(newer.body.methods[0]).toBe('phone_sign_in');
    expect((await waiting).states.at(-1)!.status).toBe('superseded');
    const listed = await alice.call('GET', '/api/device/sign-in-requests');
    const ids = listed.body.requests.map((r: { requestId: string }) => r.requestId);
    expect(ids).toContain(newer.body.requestId);
    expect(ids).not.toContain(older.requestId);
  });

  it('another browser’s pending request does not block a new one, and the phone lists both', async () => {
    const one = (await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example' }, { 'nod-collector-key': 'a' })).body;
    const two = (await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example' }, { 'nod-collector-key': 'b' })).body;
    expect(two.status).toBe('pending');
    const ids = (await alice.call('GET', '/api/device/sign-in-requests')).body.requests.map((r: { requestId: string }) => r.requestId);
    expect(ids).toEqual(expect.arrayContaining([one.requestId, two.requestId]));
  });

  it('an unknown user gets an answer of the same shape and status, and nothing is pushed', async () => {
    const before = world.push.received.length;
    const real = await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example' });
    const unknown = await createRequest(world.relay.url, 'contoso', { username: 'mallory@contoso.example' });
    expect(unknown.status).toBe(real.status);
    expect(Object.keys(unknown.body).sort()).toEqual(Object.keys(real.body).sort());
    expect(unknown.body.status).toBe('pending');
    expect(unknown.body.collectorSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const state = await fetchJson(`${world.relay.url}/api/sign-in-requests/${unknown.body.requestId}`, {
      headers: { authorization: `Bearer ${unknown.body.collectorSecret}` },
    });
    expect(state.body.status).toBe('pending');
    await world.push.waitFor((m) => m.payload?.requestId === real.body.requestId);
    expect(world.push.received.slice(before).some((m) => m.payload?.requestId === unknown.body.requestId)).toBe(false);
  });

  it('when one phone answers, the other phone is told the request is closed', async () => {
    const stream = await openDeviceStream(world.relay.url, tablet);
    try {
      const created = (await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example' })).body;
      await stream.waitFor((e) => e.type === 'request' && e.request.requestId === created.requestId);
      const details = (await readRequest(alice, created.requestId)).body;
      await answer(world.relay.url, alice, details, 'deny');
      const closed = await stream.waitFor((e) => e.type === 'closed' && e.requestId === created.requestId);
      expect(closed).toMatchObject({ status: 'denied' });
      const pushed = await world.push.waitFor(
        (m) => m.payload?.type === 'sign_in_request_closed' && m.payload.requestId === created.requestId,
      );
      expect(pushed.headers.topic).toBeTruthy();
    } finally {
      stream.close();
    }
  });

  it('the collector can cancel its request, and the phones are told at once', async () => {
    const stream = await openDeviceStream(world.relay.url, tablet);
    const created = (await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example' })).body;
    const cancel = await fetchJson(`${world.relay.url}/api/sign-in-requests/${created.requestId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${created.collectorSecret}` },
    });
    expect(cancel.status).toBe(204);
    const details = await readRequest(alice, created.requestId);
    expect(details.status).toBe(404);
    try {
      expect(await stream.waitFor((e) => e.type === 'closed' && e.requestId === created.requestId)).toMatchObject({ status: 'cancelled' });
    } finally {
      stream.close();
    }
  });

  it('a page can only create requests for its own origin', async () => {
    const result = await createRequest(
      world.relay.url,
      'contoso',
      { username: 'alice@contoso.example', origin: 'https://portal.contoso.example' },
      {
        origin: 'https://evil.example',
      },
    );
    expect(result.status).toBe(400);
    expect(result.body.field).toBe('origin');
  });

  it('an approval survives a relay restart and redeems once', async () => {
    const created = (await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example' })).body;
    const details = (await readRequest(alice, created.requestId)).body;
    expect((await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number })).status).toBe(200);
    await world.relay.restart();
    const redeem = () =>
      fetchJson(`${world.relay.url}/api/sign-in-requests/${created.requestId}/redeem`, {
        method: 'POST',
        headers: { authorization: `Bearer ${created.collectorSecret}` },
      });
    expect((await redeem()).status).toBe(200);
    expect((await redeem()).status).toBe(409);
  });
});
