import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPhone } from '../helpers/enrollPhone';
import { answer, createRequest, readRequest, watch } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';

const aliceName = 'alice@contoso.example';
/** What no client could have seen, or is no event id at all: each counts as nothing seen. */
const badIds = ['abc', '1e999', '-1', '2.0', '0x2', ' 2', '4', '99999999999999999999', 'Infinity'];

describe('the collector’s event stream always ends, whatever Last-Event-ID says', () => {
  let world: SignInWorld;
  let alice: TestPhone;

  beforeAll(async () => {
    // Nothing expires behind the tests' back: only what they read.
    world = await startSignInWorld({}, { expiryRecheckMs: 600_000 });
    alice = await world.enroll(aliceName);
  });
  afterAll(() => world.close());

  const create = async () => (await createRequest(world.relay.url, 'contoso', { username: aliceName })).body;
  /** Read until the relay ends the stream; a stream that stays open is cut after a few seconds (`ended: false`). */
  const resume = (created: { requestId: string; collectorSecret: string }, lastEventId: string) =>
    watch(world.relay.url, created.requestId, created.collectorSecret, () => false, { lastEventId, timeoutMs: 4000 });

  it('an ended request sends its final state and closes, for every Last-Event-ID: seen, beyond, or not a number', async () => {
    const created = await create();
    const details = (await readRequest(alice, created.requestId)).body;
    expect((await answer(world.relay.url, alice, details, 'deny')).status).toBe(200);
    for (const lastEventId of ['1', '2', '3', '4', ...badIds]) {
      const resumed = await resume(created, lastEventId);
      expect({ lastEventId, ended: resumed.ended, states: resumed.states.map((s) => s.status), ids: resumed.ids }).toEqual({
        lastEventId,
        ended: true,
        states: ['denied'],
        ids: ['3'],
      });
    }
  });

  it('a redeemed request sends redeemed and closes, even to a client that saw it', async () => {
    const created = await create();
    const details = (await readRequest(alice, created.requestId)).body;
    expect((await answer(world.relay.url, alice, details, 'approve', { typedNumber: created.number })).status).toBe(200);
    const redeemed = await fetchJson(`${world.relay.url}/api/sign-in-requests/${created.requestId}/redeem`, {
      method: 'POST',
      headers: { authorization: `Bearer ${created.collectorSecret}` },
    });
    expect(redeemed.status).toBe(200);
    for (const lastEventId of ['3', '4', '1e999', '5']) {
      const resumed = await resume(created, lastEventId);
      expect({ lastEventId, ended: resumed.ended, states: resumed.states.map((s) => s.status) }).toEqual({
        lastEventId,
        ended: true,
        states: ['redeemed'],
      });
    }
  });

  it('a pending request resumed with an id it never sent gets its current state', async () => {
    const created = await create();
    for (const lastEventId of ['3', '4', ...badIds]) {
      const resumed = await watch(world.relay.url, created.requestId, created.collectorSecret, (s) => s.status === 'pending', {
        lastEventId,
        timeoutMs: 4000,
      });
      expect({ lastEventId, states: resumed.states.map((s) => s.status), ids: resumed.ids }).toEqual({
        lastEventId,
        states: ['pending'],
        ids: ['1'],
      });
    }
  });

  it('a stream resumed after the request’s time ran out gets expired and closes, though nothing expired it yet', async () => {
    const created = await create();
    world.advance(121_000);
    try {
      const resumed = await resume(created, '3');
      expect(resumed).toMatchObject({ ended: true, ids: ['3'] });
      expect(resumed.states.map((s) => s.status)).toEqual(['expired']);
    } finally {
      world.advance(-121_000);
    }
  });

  it('a watched request that expires ends the stream with expired', async () => {
    const created = await create();
    let sawPending: () => void = () => undefined;
    const pendingSeen = new Promise<void>((resolve) => {
      sawPending = resolve;
    });
    const watching = watch(world.relay.url, created.requestId, created.collectorSecret, () => false, {
      timeoutMs: 8000,
      onState: (state) => state.status === 'pending' && sawPending(),
    });
    await pendingSeen;
    world.advance(121_000);
    try {
      // Any read of the request closes it; the watching stream is told and ends.
      expect((await readRequest(alice, created.requestId)).status).toBe(404);
      const seen = await watching;
      expect(seen).toMatchObject({ ended: true, ids: ['1', '3'] });
      expect(seen.states.map((s) => s.status)).toEqual(['pending', 'expired']);
    } finally {
      world.advance(-121_000);
    }
  });
});
