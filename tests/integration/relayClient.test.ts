/**
 * The one relay client (shared/relay) against a running relay: answers validated by their schemas
 * from shared/schemas, refusals read as RelayProblems naming the field, device-signed calls, and
 * event streams followed across a relay restart with Last-Event-ID.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deviceAuthorizationHeader } from '../../shared/deviceSignature';
import { callRelay } from '../../shared/relay/callRelay';
import { callRelayAsDevice } from '../../shared/relay/callRelayAsDevice';
import { followEventStream } from '../../shared/relay/followEventStream';
import { RelayAnswerInvalid, RelayProblem, RelayUnreachable } from '../../shared/relay/relayErrors';
import { noContent } from '../../shared/schemas/common';
import { deviceEvents, deviceRegistrations } from '../../shared/schemas/devices';
import { health, tenantDiscovery, userView } from '../../shared/schemas/directory';
import { signInRequestCreated, signInRequestEvents } from '../../shared/schemas/signInRequests';
import type { TestPhone } from '../helpers/enrollPhone';
import { answer, readRequest } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';

let world: SignInWorld;
let alice: TestPhone;

beforeAll(async () => {
  world = await startSignInWorld();
  alice = await world.enroll('alice@contoso.example');
});
afterAll(async () => world?.close());

const aliceDevice = () => ({ relayUrl: world.relay.url, deviceId: alice.account.deviceId, deviceKey: alice.deviceKey.privateKey });

/** A sign-in request for Alice, created the way the hosted page does. */
const createForAlice = () =>
  callRelay(`${world.relay.url}/api/t/contoso/sign-in-requests`, {
    body: { username: 'alice@contoso.example', origin: world.relay.url },
    headers: { origin: world.relay.url },
    answer: signInRequestCreated,
  });

/** Collect events until `until` holds for one, then stop following. */
async function collect<T>(events: AsyncGenerator<T>, until: (event: T) => boolean, onEach?: (event: T) => Promise<void>): Promise<T[]> {
  const seen: T[] = [];
  for await (const event of events) {
    seen.push(event);
    if (until(event)) break;
    await onEach?.(event);
  }
  return seen;
}

describe('calls', () => {
  it('an answer is handed over as its schema parses it', async () => {
    const discovery = await callRelay(`${world.relay.url}/api/tenants`, { answer: tenantDiscovery });
    expect(discovery).toEqual({
      relay: world.relay.url,
      tenants: [{ name: 'contoso', displayName: 'Contoso', signInOrigins: [world.relay.url], issuer: `${world.relay.url}/t/contoso` }],
    });
  });

  it('an answer that does not match its schema is refused, not used', async () => {
    const call = callRelay(`${world.relay.url}/health`, { answer: tenantDiscovery });
    await expect(call).rejects.toBeInstanceOf(RelayAnswerInvalid);
    await expect(call).rejects.toMatchObject({ status: 200, issues: expect.arrayContaining([expect.stringMatching(/^relay: /)]) });
    // The same answer with its own schema is fine.
    expect(await callRelay(`${world.relay.url}/health`, { answer: health })).toEqual({ status: 'ok' });
  });

  it('a refusal is a RelayProblem with the stable code and the field at fault', async () => {
    const refused = await callRelay(`${world.relay.url}/admin/t/contoso/users`, {
      body: { username: 42 },
      headers: { authorization: `Bearer ${world.contoso.token}` },
      answer: userView,
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RelayProblem);
    expect(refused).toMatchObject({
      status: 400,
      code: 'validation_failed',
      field: 'username',
      errors: [expect.objectContaining({ field: 'username' })],
      detail: expect.stringContaining('username'),
    });
  });

  it('a 204 answers nothing, and nothing is what noContent expects', async () => {
    const created = await createForAlice();
    const cancelled = await callRelay(`${world.relay.url}/api/sign-in-requests/${created.requestId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${created.collectorSecret}` },
      answer: noContent,
    });
    expect(cancelled).toBeUndefined();
  });

  it('a relay that cannot be reached is RelayUnreachable; an aborted call rejects with its reason', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await expect(callRelay(`http://127.0.0.1:${port}/api/tenants`, { answer: tenantDiscovery })).rejects.toBeInstanceOf(RelayUnreachable);

    const controller = new AbortController();
    const reason = new Error('the page was left');
    controller.abort(reason);
    await expect(callRelay(`${world.relay.url}/api/tenants`, { answer: tenantDiscovery, signal: controller.signal })).rejects.toBe(reason);
  });

  it('an error answer that is not problem+json still reads as a problem, with Retry-After', async () => {
    // What a proxy in front of the relay says while the relay restarts.
    const proxy: Server = createServer((_request, response) => {
      response.writeHead(503, { 'content-type': 'text/html', 'retry-after': '7' });
      response.end('<html><body>Service Unavailable</body></html>');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = proxy.address() as AddressInfo;
      const refused = await callRelay(`http://127.0.0.1:${port}/api/tenants`, { answer: tenantDiscovery }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(RelayProblem);
      expect(refused).toMatchObject({ status: 503, code: 'unknown', detail: undefined, retryAfterSeconds: 7 });
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('device-signed calls are signed afresh each time (the relay takes each signature once)', async () => {
    for (let i = 0; i < 2; i++) {
      const mine = await callRelayAsDevice(aliceDevice(), '/api/device/registrations', { answer: deviceRegistrations });
      expect(mine).toMatchObject({ deviceId: alice.account.deviceId, registrations: [{ id: alice.account.registrationId }] });
    }
    // Unsigned (the signer has no key for this relay), the same call is refused.
    const unsigned = callRelayAsDevice({ relayUrl: world.relay.url, sign: async () => undefined }, '/api/device/registrations', {
      answer: deviceRegistrations,
    });
    await expect(unsigned).rejects.toMatchObject({ status: 401, code: 'device_signature_invalid' });
  });
});

describe('event streams', () => {
  it('follows a request to its end, each event validated', async () => {
    const created = await createForAlice();
    const states = followEventStream(`${world.relay.url}/api/sign-in-requests/${created.requestId}/events`, {
      events: signInRequestEvents,
      headers: { authorization: `Bearer ${created.collectorSecret}` },
    });
    const seen = await collect(
      states,
      (event) => event.data.status !== 'pending',
      async () => {
        const details = await readRequest(alice, created.requestId);
        await answer(world.relay.url, alice, details.body, 'deny');
      },
    );
    expect(seen.map((e) => [e.event, e.data.status, e.id])).toEqual([
      ['state', 'pending', '1'],
      ['state', 'denied', '3'],
    ]);
  });

  it('resumes after the last event it saw: a dropped stream comes back across a relay restart without repeating', async () => {
    const created = await createForAlice();
    let opened = 0;
    const states = followEventStream(`${world.relay.url}/api/sign-in-requests/${created.requestId}/events`, {
      events: signInRequestEvents,
      headers: { authorization: `Bearer ${created.collectorSecret}` },
      reconnect: { firstMs: 50, maxMs: 200 },
      onOpen: () => opened++,
    });
    const first = await states.next();
    expect(first.value).toMatchObject({ data: { status: 'pending' }, id: '1' });
    // The relay goes away under the open stream and comes back; the follower connects again by itself.
    const next = states.next();
    await world.relay.restart();
    await vi.waitFor(() => expect(opened).toBe(2), { timeout: 10_000, interval: 20 });
    // Connected again while still pending: with Last-Event-ID 1 the relay has nothing new to say, so the cancel is next.
    await callRelay(`${world.relay.url}/api/sign-in-requests/${created.requestId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${created.collectorSecret}` },
      answer: noContent,
    });
    // Ids follow the states' order (1 sent, 2 delivered, 3 ended, 4 redeemed), so an ending is 3.
    expect((await next).value).toMatchObject({ data: { status: 'cancelled' }, id: '3' });
    await states.return(undefined);
  });

  it('starting from a Last-Event-ID skips what came before it', async () => {
    const created = await createForAlice();
    let opened = false;
    const states = followEventStream(`${world.relay.url}/api/sign-in-requests/${created.requestId}/events`, {
      events: signInRequestEvents,
      headers: { authorization: `Bearer ${created.collectorSecret}` },
      lastEventId: '1',
      onOpen: () => {
        opened = true;
      },
    });
    // Still pending, and the follower has seen event 1 already: the relay says nothing until the cancel.
    const first = states.next();
    await vi.waitFor(() => expect(opened).toBe(true), { timeout: 10_000, interval: 20 });
    await callRelay(`${world.relay.url}/api/sign-in-requests/${created.requestId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${created.collectorSecret}` },
      answer: noContent,
    });
    expect((await first).value).toMatchObject({ data: { status: 'cancelled' }, id: '3' });
    await states.return(undefined);
  });

  it('a refusal ends following with its problem (a wrong collector secret is no such request)', async () => {
    const created = await createForAlice();
    const states = followEventStream(`${world.relay.url}/api/sign-in-requests/${created.requestId}/events`, {
      events: signInRequestEvents,
      headers: { authorization: `Bearer ${'x'.repeat(43)}` },
    });
    await expect(collect(states, () => true)).rejects.toMatchObject({ status: 404, code: 'request_not_found' });
  });

  it('the phone’s live channel: each connection signed afresh, events by name with their schema', async () => {
    const path = '/api/device/events';
    const controller = new AbortController();
    const channel = followEventStream(`${world.relay.url}${path}`, {
      events: deviceEvents,
      headers: async () => ({
        authorization: await deviceAuthorizationHeader(alice.account.deviceId, alice.deviceKey.privateKey, { method: 'GET', path }),
      }),
      signal: controller.signal,
    });
    const created = await createForAlice();
    // Requests still pending from earlier tests come first: read until this one arrives.
    let event = await channel.next();
    while (!event.done && !(event.value.data.type === 'request' && event.value.data.request.requestId === created.requestId)) {
      event = await channel.next();
    }
    expect(event.value).toMatchObject({
      event: 'request',
      data: { type: 'request', request: { requestId: created.requestId, username: 'alice@contoso.example' } },
    });
    // Stopping ends the generator quietly, in the middle of a wait.
    const waiting = channel.next();
    controller.abort();
    expect(await waiting).toEqual({ done: true, value: undefined });
  });
});
