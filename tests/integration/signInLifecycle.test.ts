import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignInRequestCreated } from '../../shared/schemas/signInRequests';
import { expireDueSignInRequests } from '../../server/signin/requests/expireDueSignInRequests';
import { type DeviceStream, openDeviceStream } from '../helpers/deviceStream';
import type { TestPhone } from '../helpers/enrollPhone';
import { answer, createRequest, readRequest, watch } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { type TestRelay, fetchJson, startRelay } from '../helpers/startRelay';

const aliceName = 'alice@contoso.example';
const endingTypes = new Set(['sign_in_request.answered', 'sign_in_request.closed']);

/** The audit records that end this request (a refused late answer is not an ending). */
async function endingRecords(world: SignInWorld, requestId: string): Promise<any[]> {
  const { body } = await world.contoso.admin('GET', '/audit?limit=1000');
  return body.events.filter((e: any) => e.detail?.requestId === requestId && endingTypes.has(e.type) && e.outcome !== 'refused');
}

const storedStatus = async (relay: TestRelay, requestId: string) => (await relay.ctx.storage.signInRequests.byId(requestId))?.status;

const collectorGet = (world: SignInWorld, created: SignInRequestCreated) =>
  fetchJson(`${world.relay.url}/api/sign-in-requests/${created.requestId}`, {
    headers: { authorization: `Bearer ${created.collectorSecret}` },
  });

describe('one lifecycle: every ending of a sign-in request goes through the one close', () => {
  let world: SignInWorld;
  let alice: TestPhone;
  let tablet: TestPhone;
  const streams = new Map<TestPhone, DeviceStream>();

  beforeAll(async () => {
    // The scheduler looks at the due-time index often, so a clock moved forward is noticed soon.
    world = await startSignInWorld({}, { expiryRecheckMs: 100 });
    alice = await world.enroll(aliceName);
    tablet = await world.enroll(aliceName);
    for (const phone of [alice, tablet]) streams.set(phone, await openDeviceStream(world.relay.url, phone));
  });
  afterAll(async () => {
    for (const stream of streams.values()) stream.close();
    await world.close();
  });

  /** A new request, watched by its desktop, offered to both phones (live channel and push). */
  async function start(headers: Record<string, string> = {}) {
    const created = (await createRequest(world.relay.url, 'contoso', { username: aliceName }, headers)).body;
    let sawPending: () => void = () => undefined;
    const pendingSeen = new Promise<void>((resolve) => {
      sawPending = resolve;
    });
    const desktop = watch(world.relay.url, created.requestId, created.collectorSecret, (s) => s.status !== 'pending', {
      onState: (state) => state.status === 'pending' && sawPending(),
    });
    // The desktop is watching (it has seen pending) before anything may end the request.
    await pendingSeen;
    const subscriptions = new Map<TestPhone, string>();
    for (const phone of [alice, tablet]) {
      await streams.get(phone)!.waitFor((e) => e.type === 'request' && e.request.requestId === created.requestId);
      const offered = await world.push.waitFor(
        (m) =>
          m.payload?.type === 'sign_in_request' &&
          m.payload.requestId === created.requestId &&
          m.payload.registrationId === phone.account.registrationId,
      );
      subscriptions.set(phone, offered.subscriptionId);
    }
    return { created, desktop, subscriptions };
  }

  /** Storage, the desktop's event, each phone's closed notice, the pushes and exactly one audit record. */
  async function expectEnded(started: Awaited<ReturnType<typeof start>>, status: string, pushedTo: TestPhone[]) {
    const { created, desktop, subscriptions } = started;
    const id = created.requestId;
    const seen = await desktop;
    expect(seen.states.map((s) => s.status)).toEqual(['pending', status]);
    expect(await storedStatus(world.relay, id)).toBe(status);
    for (const phone of [alice, tablet]) {
      const stream = streams.get(phone)!;
      expect(await stream.waitFor((e) => e.type === 'closed' && e.requestId === id)).toMatchObject({ status });
    }
    for (const phone of pushedTo) {
      await world.push.waitFor(
        (m) => m.payload?.type === 'sign_in_request_closed' && m.payload.requestId === id && m.subscriptionId === subscriptions.get(phone),
      );
    }
    const closedPushes = world.push.received.filter((m) => m.payload?.type === 'sign_in_request_closed' && m.payload.requestId === id);
    expect(closedPushes.map((m) => m.subscriptionId).sort()).toEqual(pushedTo.map((phone) => subscriptions.get(phone)).sort());
    for (const phone of [alice, tablet]) {
      expect(streams.get(phone)!.events.filter((e) => e.type === 'closed' && e.requestId === id)).toHaveLength(1);
    }
    const records = await endingRecords(world, id);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: status, username: aliceName });
    return records[0];
  }

  it('approved on one phone: the desktop hears it, the other phone’s notification is replaced', async () => {
    const started = await start();
    const details = (await readRequest(alice, started.created.requestId)).body;
    expect((await answer(world.relay.url, alice, details, 'approve', { typedNumber: started.created.number })).status).toBe(200);
    const record = await expectEnded(started, 'approved', [tablet]);
    expect(record).toMatchObject({ type: 'sign_in_request.answered', deviceId: alice.account.deviceId });
  });

  it('denied on the phone', async () => {
    const started = await start();
    const details = (await readRequest(tablet, started.created.requestId)).body;
    expect((await answer(world.relay.url, tablet, details, 'deny')).status).toBe(200);
    await expectEnded(started, 'denied', [alice]);
  });

  it('a wrong number closes the request', async () => {
    const started = await start();
    const { number } = started.created;
    const details = (await readRequest(alice, started.created.requestId)).body;
    const result = await answer(world.relay.url, alice, details, 'approve', { typedNumber: number === 99 ? 10 : number + 1 });
    expect(result.body.code).toBe('wrong_number');
    const record = await expectEnded(started, 'wrong_number', [tablet]);
    expect(record.reason).toBe('wrong number');
  });

  it('an approval that fails verification closes the request', async () => {
    const started = await start();
    const details = (await readRequest(alice, started.created.requestId)).body;
    const result = await answer(world.relay.url, alice, details, 'approve', { typedNumber: started.created.number, userVerified: false });
    expect(result.body.code).toBe('approval_invalid');
    const record = await expectEnded(started, 'failed', [tablet]);
    expect(record.reason).toMatch(/user verification/i);
  });

  it('cancelled at the desktop: both phones are told', async () => {
    const started = await start();
    const cancel = await fetchJson(`${world.relay.url}/api/sign-in-requests/${started.created.requestId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${started.created.collectorSecret}` },
    });
    expect(cancel.status).toBe(204);
    const record = await expectEnded(started, 'cancelled', [alice, tablet]);
    expect(record.type).toBe('sign_in_request.closed');
  });

  it('a cancel is answered without waiting for the phones to be looked up (a decoy has none), and they are told after', async () => {
    const started = await start();
    // Hold the lookup of the user's phones: an answer that waited for it would never come.
    const registrations = world.relay.ctx.storage.registrations;
    const listForUser = registrations.listForUser;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    registrations.listForUser = async (...args) => {
      await held;
      return listForUser.apply(registrations, args);
    };
    try {
      const cancel = await fetchJson(`${world.relay.url}/api/sign-in-requests/${started.created.requestId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${started.created.collectorSecret}` },
      });
      expect(cancel.status).toBe(204);
    } finally {
      registrations.listForUser = listForUser;
      release();
    }
    await expectEnded(started, 'cancelled', [alice, tablet]);
  });

  it('superseded by a newer request from the same browser', async () => {
    const started = await start({ 'nod-collector-key': 'lifecycle-browser' });
    const newer = await createRequest(world.relay.url, 'contoso', { username: aliceName }, { 'nod-collector-key': 'lifecycle-browser' });
    expect(newer.body.status).toBe('pending');
    const record = await expectEnded(started, 'superseded', [alice, tablet]);
    expect(record.detail).toMatchObject({ supersededBy: newer.body.requestId });
    await fetchJson(`${world.relay.url}/api/sign-in-requests/${newer.body.requestId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${newer.body.collectorSecret}` },
    });
  });

  it('reported as not me', async () => {
    const started = await start();
    const details = (await readRequest(alice, started.created.requestId)).body;
    expect((await answer(world.relay.url, alice, details, 'report')).status).toBe(200);
    await expectEnded(started, 'reported', [tablet]);
    expect((await world.contoso.admin('POST', `/users/${aliceName}/unblock`)).status).toBeLessThan(300);
  });

  it('a bus that may have lost notices ends the phone’s live channel, which reconnects to a fresh list', async () => {
    const stream = await openDeviceStream(world.relay.url, alice);
    const pending = (await createRequest(world.relay.url, 'contoso', { username: aliceName })).body;
    await stream.waitFor((e) => e.type === 'request' && e.request.requestId === pending.requestId);
    await world.relay.ctx.events.publishDevice(alice.account.deviceId, { type: 'resync' });
    // Every live channel of this phone ends, the one the other tests read too: it starts over as well.
    await Promise.all([stream.ended, streams.get(alice)!.ended]);
    const again = await openDeviceStream(world.relay.url, alice);
    streams.set(alice, again);
    try {
      await again.waitFor((e) => e.type === 'request' && e.request.requestId === pending.requestId);
    } finally {
      await fetchJson(`${world.relay.url}/api/sign-in-requests/${pending.requestId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${pending.collectorSecret}` },
      });
    }
  });

  it('expired without any read: the scheduler closes it, the phones drop it, no push', async () => {
    const started = await start();
    // Only the clock moves: nobody reads the request, answers it or cancels it.
    world.advance(121_000);
    const record = await expectEnded(started, 'expired', []);
    expect(record).toMatchObject({ type: 'sign_in_request.closed', reason: 'nobody answered in time', ip: null });
  });

  it('under concurrent closes — reads, a cancel, answers and expiry runs — each request is expired exactly once', async () => {
    const requests = [];
    for (let i = 0; i < 5; i++) {
      const started = await start();
      requests.push({ ...started, details: (await readRequest(tablet, started.created.requestId)).body });
    }
    world.advance(121_000);
    const attempts = requests.flatMap(({ created, details }) => [
      collectorGet(world, created),
      collectorGet(world, created),
      fetchJson(`${world.relay.url}/api/sign-in-requests/${created.requestId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${created.collectorSecret}` },
      }),
      readRequest(alice, created.requestId),
      answer(world.relay.url, tablet, details, 'deny'),
    ]);
    await Promise.all([...attempts, expireDueSignInRequests(world.relay.ctx), expireDueSignInRequests(world.relay.ctx)]);
    for (const started of requests) await expectEnded(started, 'expired', []);
  });

  it('concurrent answers and a cancel: exactly one ending wins, told once to everyone', async () => {
    const requests = [];
    for (let i = 0; i < 5; i++) {
      const started = await start();
      const [onPhone, onTablet] = await Promise.all([alice, tablet].map((phone) => readRequest(phone, started.created.requestId)));
      requests.push({ ...started, onPhone: onPhone.body, onTablet: onTablet.body });
    }
    await Promise.all(
      requests.flatMap(({ created, onPhone, onTablet }) => [
        answer(world.relay.url, alice, onPhone, 'approve', { typedNumber: created.number }),
        answer(world.relay.url, tablet, onTablet, 'deny'),
        fetchJson(`${world.relay.url}/api/sign-in-requests/${created.requestId}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${created.collectorSecret}` },
        }),
      ]),
    );
    for (const started of requests) {
      const status = await storedStatus(world.relay, started.created.requestId);
      const pushedTo = status === 'approved' ? [tablet] : status === 'denied' ? [alice] : [alice, tablet];
      await expectEnded(started, status!, pushedTo);
    }
  });
});

describe('expiry per request: reads close only what they read, and nothing needs memory across a restart', () => {
  let world: SignInWorld;
  let alice: TestPhone;

  beforeAll(async () => {
    // A scheduler that would not look again for ten minutes: only reads and the start can expire.
    world = await startSignInWorld({}, { expiryRecheckMs: 600_000 });
    alice = await world.enroll(aliceName);
  });
  afterAll(() => world.close());

  it('GET of a request past its expiry that nothing closed yet answers expired, and expires only that one', async () => {
    const read = (await createRequest(world.relay.url, 'contoso', { username: aliceName })).body;
    const other = (await createRequest(world.relay.url, 'contoso', { username: aliceName })).body;
    world.advance(121_000);
    try {
      expect(await storedStatus(world.relay, read.requestId)).toBe('pending');
      const state = await collectorGet(world, read);
      expect(state.body.status).toBe('expired');
      expect(await storedStatus(world.relay, read.requestId)).toBe('expired');
      expect(await storedStatus(world.relay, other.requestId)).toBe('pending');
      expect(await endingRecords(world, read.requestId)).toHaveLength(1);
      expect(await endingRecords(world, other.requestId)).toHaveLength(0);
    } finally {
      world.advance(-121_000);
    }
  });

  it('the phone’s read of one request expires that request only', async () => {
    const read = (await createRequest(world.relay.url, 'contoso', { username: aliceName })).body;
    const other = (await createRequest(world.relay.url, 'contoso', { username: aliceName })).body;
    world.advance(121_000);
    try {
      expect((await readRequest(alice, read.requestId)).status).toBe(404);
      expect(await storedStatus(world.relay, read.requestId)).toBe('expired');
      expect(await storedStatus(world.relay, other.requestId)).toBe('pending');
    } finally {
      world.advance(-121_000);
    }
  });

  it('after a restart, requests that fell due meanwhile are expired without any read', async () => {
    const created = (await createRequest(world.relay.url, 'contoso', { username: aliceName })).body;
    world.advance(121_000);
    await world.relay.restart();
    await expect.poll(() => storedStatus(world.relay, created.requestId), { timeout: 10_000 }).toBe('expired');
    expect(await endingRecords(world, created.requestId)).toHaveLength(1);
  });
});

describe('two relays on one database expire each request exactly once', () => {
  let world: SignInWorld;
  let second: TestRelay;

  beforeAll(async () => {
    world = await startSignInWorld({}, { expiryRecheckMs: 20 });
    await world.enroll(aliceName);
    second = await startRelay({ dataDir: world.relay.dataDir }, { now: () => world.relay.ctx.now(), expiryRecheckMs: 20 });
  });
  afterAll(async () => {
    // The world removes the shared data directory; the second relay only stops.
    await second.app.close();
    await world.close();
  });

  it('both schedulers race for the same due requests; each is closed once', async () => {
    const created = [];
    for (let i = 0; i < 20; i++) created.push((await createRequest(world.relay.url, 'contoso', { username: aliceName })).body);
    world.advance(121_000);
    await Promise.all([expireDueSignInRequests(world.relay.ctx), expireDueSignInRequests(second.ctx)]);
    for (const request of created) {
      await expect.poll(() => storedStatus(second, request.requestId)).toBe('expired');
      expect(await endingRecords(world, request.requestId)).toHaveLength(1);
    }
  });
});
