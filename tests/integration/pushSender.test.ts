import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { Agent, createServer as createHttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { generate } from 'selfsigned';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPushSender, type PushSender, type PushSenderOptions } from '../../server/push/createPushSender';
import { MAX_PAYLOAD_BYTES } from '../../server/push/encryptPayload';
import { type PushMessage, type PushService, startPushService } from '../helpers/pushService';

const vapid = webpush.generateVAPIDKeys();
const subject = 'mailto:ops@nod.example';
const HOUR = 3600_000;

let service: PushService;
let agent: Agent;
const senders: PushSender[] = [];

beforeAll(async () => {
  service = await startPushService();
  agent = new Agent({ ca: service.ca, keepAlive: true });
});

afterAll(async () => {
  for (const sender of senders) sender.close();
  agent?.destroy();
  await service?.close();
});

function sender(options: Partial<PushSenderOptions> = {}): PushSender {
  const created = createPushSender({ vapid, subject, agent, ...options });
  senders.push(created);
  return created;
}

const messagesFor = (id: string): PushMessage[] => service.received.filter((m) => m.subscriptionId === id);

/** A bare HTTPS server on loopback, for behaviour the push service helper does not have. */
async function startRawServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const pems = await generate([{ name: 'commonName', value: 'nod-test-raw' }], {
    keyType: 'ec',
    curve: 'P-256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  const server = createHttpsServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    req.resume();
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, pems, endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}/push/x` };
}

async function stopRawServer(server: ReturnType<typeof createHttpsServer>) {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

describe('push sender', () => {
  it('delivers an aes128gcm payload that http_ece decrypts to exactly what was sent, VAPID-signed', async () => {
    const { id, subscription } = service.createSubscription();
    const payload = JSON.stringify({ requestId: 'req_1', app: 'Contoso Portal · Chrome on Linux · Seattle ✓' });
    const before = Math.floor(Date.now() / 1000);
    const result = await sender().send(subscription, payload, { ttlSeconds: 120, urgency: 'high', topic: 'device-1' });
    expect(result).toEqual({ outcome: 'delivered' });

    const [message] = messagesFor(id);
    expect(message.error).toBeUndefined();
    expect(message.status).toBe(201);
    expect(message.payloadText).toBe(payload);
    expect(message.headers.ttl).toBe(120);
    expect(message.headers.urgency).toBe('high');
    expect(message.headers.topic).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(message.vapid).toMatchObject({ aud: service.origin, sub: subject, publicKey: vapid.publicKey });
    expect(message.vapid!.exp).toBeGreaterThan(before + 11 * 3600);
    expect(message.vapid!.exp - before).toBeLessThanOrEqual(12 * 3600 + 5);
  });

  it('sends bytes as given, and no Urgency or Topic header unless asked', async () => {
    const { id, subscription } = service.createSubscription();
    const bytes = new TextEncoder().encode('plain bytes');
    expect(await sender().send(subscription, bytes, { ttlSeconds: 0 })).toEqual({ outcome: 'delivered' });
    const [message] = messagesFor(id);
    expect(message.payloadText).toBe('plain bytes');
    expect(message.headers).toEqual({ ttl: 0, urgency: undefined, topic: undefined });
  });

  it('derives the Topic from the caller topic: the same topic gives the same header, another one another', async () => {
    const { id, subscription } = service.createSubscription();
    const push = sender();
    const long = 'account:bala@contoso.example/device:0123456789abcdef0123456789abcdef';
    for (const topic of [long, long, 'other']) await push.send(subscription, topic, { ttlSeconds: 60, topic });
    const topics = messagesFor(id).map((m) => m.headers.topic);
    expect(topics[0]).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(topics[1]).toBe(topics[0]);
    expect(topics[2]).not.toBe(topics[0]);
    expect(topics.join()).not.toContain('bala');
  });

  it('sends the largest payload a 4096-byte body holds, and refuses a larger one without sending', async () => {
    const { id, subscription } = service.createSubscription();
    const push = sender();
    const largest = 'x'.repeat(MAX_PAYLOAD_BYTES);
    expect(await push.send(subscription, largest, { ttlSeconds: 60 })).toEqual({ outcome: 'delivered' });
    expect(messagesFor(id)[0].payloadText).toBe(largest);
    const tooLarge = await push.send(subscription, `${largest}x`, { ttlSeconds: 60 });
    expect(tooLarge).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/exceeds/) });
    expect(messagesFor(id)).toHaveLength(1);
  });

  it('signs one VAPID JWT per push-service origin and reuses it across sends', async () => {
    const other = await startPushService();
    // Both services' certificates have the same subject, which OpenSSL cannot tell apart in one
    // trust store, so trust each one for its own port only.
    const twoCas = new Agent({ keepAlive: true });
    const caFor = new Map([
      [Number(new URL(service.origin).port), service.ca],
      [Number(new URL(other.origin).port), other.ca],
    ]);
    const connect = twoCas.createConnection.bind(twoCas);
    twoCas.createConnection = ((options: any, callback: any) =>
      connect({ ...options, ca: caFor.get(Number(options.port)) }, callback)) as typeof twoCas.createConnection;
    try {
      const push = sender({ agent: twoCas });
      const here = service.createSubscription();
      const there = other.createSubscription();
      for (let i = 0; i < 10; i++) {
        expect(await push.send(here.subscription, `here ${i}`, { ttlSeconds: 60 })).toEqual({ outcome: 'delivered' });
        expect(await push.send(there.subscription, `there ${i}`, { ttlSeconds: 60 })).toEqual({ outcome: 'delivered' });
      }
      const hereJwts = new Set(messagesFor(here.id).map((m) => m.vapid?.jwt));
      const thereJwts = new Set(other.received.map((m) => m.vapid?.jwt));
      expect(hereJwts.size).toBe(1);
      expect(thereJwts.size).toBe(1);
      expect([...hereJwts][0]).not.toBe([...thereJwts][0]);
      expect(other.received[0].vapid!.aud).toBe(other.origin);
    } finally {
      twoCas.destroy();
      await other.close();
    }
  });

  it('keeps using the JWT until less than an hour of its 12 is left, then signs a new one', async () => {
    const { id, subscription } = service.createSubscription();
    let offset = 0;
    const push = sender({ now: () => Date.now() + offset });
    const jwtAt = async (ms: number) => {
      offset = ms;
      expect(await push.send(subscription, `at ${ms}`, { ttlSeconds: 60 })).toEqual({ outcome: 'delivered' });
      return messagesFor(id).at(-1)!.vapid!.jwt;
    };
    const first = await jwtAt(0);
    expect(await jwtAt(HOUR)).toBe(first);
    expect(await jwtAt(10 * HOUR + 50 * 60_000)).toBe(first);
    // Past 11 hours the token has under an hour left: a new one, accepted by the service (exp ≤ 24 h of its clock).
    const second = await jwtAt(11 * HOUR + 1000);
    expect(second).not.toBe(first);
    expect(await jwtAt(12 * HOUR)).toBe(second);
    const exps = messagesFor(id).map((m) => m.vapid!.exp);
    expect(exps.at(-1)! - exps[0]).toBeGreaterThanOrEqual(11 * 3600);
  });

  it('reuses one kept-alive connection for sequential sends', async () => {
    const counting = new Agent({ ca: service.ca, keepAlive: true });
    let connections = 0;
    const createConnection = counting.createConnection.bind(counting);
    counting.createConnection = ((...args: Parameters<typeof createConnection>) => {
      connections++;
      return createConnection(...args);
    }) as typeof counting.createConnection;
    try {
      const push = sender({ agent: counting });
      const { subscription } = service.createSubscription();
      for (let i = 0; i < 10; i++) {
        expect(await push.send(subscription, `n${i}`, { ttlSeconds: 60 })).toEqual({ outcome: 'delivered' });
      }
      expect(connections).toBe(1);
    } finally {
      counting.destroy();
    }
  });

  it('resends once on a fresh connection when a kept-alive one was closed under it', async () => {
    // A server that answers the first request on each connection and drops the connection at the
    // second, as a push service closing an idle connection just as it is reused.
    const served = new WeakSet<Socket>();
    let requests = 0;
    let dropAll = false;
    const {
      server,
      pems,
      endpoint: url,
    } = await startRawServer((req, res) => {
      requests++;
      if (dropAll || served.has(req.socket)) {
        req.socket.destroy();
        return;
      }
      served.add(req.socket);
      res.writeHead(201).end();
    });
    const resetting = new Agent({ ca: pems.cert, keepAlive: true });
    try {
      const { subscription } = service.createSubscription();
      const endpoint = { ...subscription, endpoint: url };
      const push = sender({ agent: resetting });
      expect(await push.send(endpoint, 'one', { ttlSeconds: 60 })).toEqual({ outcome: 'delivered' });
      expect(await push.send(endpoint, 'two', { ttlSeconds: 60 })).toEqual({ outcome: 'delivered' });
      expect(requests).toBe(3);
      // A connection dropped again on the fresh try is a failure, not a loop.
      dropAll = true;
      expect(await push.send(endpoint, 'three', { ttlSeconds: 60 })).toMatchObject({ outcome: 'failed' });
      expect(requests).toBe(5);
    } finally {
      resetting.destroy();
      await stopRawServer(server);
    }
  });

  it('waits as long as Retry-After says, up to 2 s, and close() ends the wait', async () => {
    const arrivals: number[] = [];
    const { server, pems, endpoint } = await startRawServer((_req, res) => {
      arrivals.push(Date.now());
      res.writeHead(503, { 'Retry-After': arrivals.length === 1 ? '1' : '3600' }).end();
    });
    const slow = new Agent({ ca: pems.cert, keepAlive: true });
    try {
      const { subscription } = service.createSubscription();
      const push = sender({ agent: slow });
      const sending = push.send({ ...subscription, endpoint }, 'x', { ttlSeconds: 60 });
      await vi.waitUntil(() => arrivals.length === 2, { timeout: 5000, interval: 20 });
      expect(arrivals[1] - arrivals[0]).toBeGreaterThanOrEqual(950);
      // Now it waits the 2 s cap for a third attempt; closing ends that at once.
      const closedAt = Date.now();
      push.close();
      expect(await sending).toMatchObject({ outcome: 'failed', status: 503, error: expect.stringMatching(/closed/) });
      expect(Date.now() - closedAt).toBeLessThan(500);
      expect(arrivals).toHaveLength(2);
    } finally {
      slow.destroy();
      await stopRawServer(server);
    }
  });

  it('says gone for 410 and for 404, without retrying', async () => {
    const gone = service.createSubscription({ respondWith: 410 });
    const push = sender();
    expect(await push.send(gone.subscription, 'x', { ttlSeconds: 60 })).toEqual({ outcome: 'gone', status: 410 });
    expect(messagesFor(gone.id)).toHaveLength(1);

    const { subscription } = service.createSubscription();
    const unknown = { ...subscription, endpoint: `${service.origin}/push/nosuchsubscription` };
    expect(await push.send(unknown, 'x', { ttlSeconds: 60 })).toEqual({ outcome: 'gone', status: 404 });
    expect(messagesFor('nosuchsubscription')).toHaveLength(1);
  });

  it('retries a 500 and delivers when the push service recovers', async () => {
    const { id, subscription } = service.createSubscription({ respondWith: 500 });
    // Recover as soon as the first attempt has been answered 500.
    const recovered = service.waitFor((m) => m.subscriptionId === id).then(() => service.setResponse(id, 201));
    const result = await sender().send(subscription, 'second time lucky', { ttlSeconds: 60 });
    await recovered;
    expect(result).toEqual({ outcome: 'delivered' });
    expect(messagesFor(id).map((m) => [m.status, m.payloadText])).toEqual([
      [500, 'second time lucky'],
      [201, 'second time lucky'],
    ]);
  });

  it('gives up on 429 after maxRetries + 1 attempts', async () => {
    const busy = service.createSubscription({ respondWith: 429 });
    const warnings: object[] = [];
    const log = { warn: (obj: object) => warnings.push(obj) };
    const result = await sender({ log }).send(busy.subscription, 'x', { ttlSeconds: 60 });
    expect(result).toMatchObject({ outcome: 'failed', status: 429 });
    expect(messagesFor(busy.id)).toHaveLength(3);
    expect(warnings).toEqual([expect.objectContaining({ pushService: service.origin, status: 429, attempts: 3 })]);
    expect(JSON.stringify(warnings)).not.toContain(busy.id);

    const down = service.createSubscription({ respondWith: 503 });
    const four = await sender({ maxRetries: 3 }).send(down.subscription, 'x', { ttlSeconds: 60 });
    expect(four).toMatchObject({ outcome: 'failed', status: 503 });
    expect(messagesFor(down.id)).toHaveLength(4);

    const once = service.createSubscription({ respondWith: 429 });
    expect(await sender({ maxRetries: 0 }).send(once.subscription, 'x', { ttlSeconds: 60 })).toMatchObject({
      outcome: 'failed',
      status: 429,
    });
    expect(messagesFor(once.id)).toHaveLength(1);
  });

  it('does not retry other refusals (400, 413)', async () => {
    const { id, subscription } = service.createSubscription({ respondWith: 400 });
    const result = await sender().send(subscription, 'x', { ttlSeconds: 60 });
    expect(result).toMatchObject({ outcome: 'failed', status: 400 });
    expect(messagesFor(id)).toHaveLength(1);
  });

  it('fails without throwing for an unreachable endpoint', async () => {
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { subscription } = service.createSubscription();
    const closedPort = { ...subscription, endpoint: `https://127.0.0.1:${port}/push/x` };
    const result = await sender().send(closedPort, 'x', { ttlSeconds: 60 });
    expect(result).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/ECONNREFUSED/) });
    expect(result).not.toHaveProperty('status');
  });

  it('fails without throwing for a push service it does not trust (its own keep-alive agent)', async () => {
    const { id, subscription } = service.createSubscription();
    const push = createPushSender({ vapid, subject });
    try {
      const result = await push.send(subscription, 'x', { ttlSeconds: 60 });
      expect(result).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/self[- ]signed/i) });
      expect(messagesFor(id)).toHaveLength(0);
    } finally {
      push.close();
    }
  });

  it('fails without throwing for bad input: subscription keys, TTL, urgency, endpoint', async () => {
    const { id, subscription } = service.createSubscription();
    const push = sender();
    const cases: [string, Promise<unknown>][] = [
      ['short p256dh', push.send({ ...subscription, keys: { ...subscription.keys, p256dh: 'AAAA' } }, 'x', { ttlSeconds: 1 })],
      [
        'p256dh off the curve',
        push.send({ ...subscription, keys: { ...subscription.keys, p256dh: Buffer.alloc(65, 4).toString('base64url') } }, 'x', {
          ttlSeconds: 1,
        }),
      ],
      ['short auth', push.send({ ...subscription, keys: { ...subscription.keys, auth: 'AAAA' } }, 'x', { ttlSeconds: 1 })],
      ['negative TTL', push.send(subscription, 'x', { ttlSeconds: -1 })],
      ['NaN TTL', push.send(subscription, 'x', { ttlSeconds: Number.NaN })],
      ['urgency', push.send(subscription, 'x', { ttlSeconds: 1, urgency: 'urgent' as any })],
      ['http endpoint', push.send({ ...subscription, endpoint: 'http://127.0.0.1:1/push/x' }, 'x', { ttlSeconds: 1 })],
      ['not a URL', push.send({ ...subscription, endpoint: 'nope' }, 'x', { ttlSeconds: 1 })],
    ];
    for (const [name, sending] of cases) {
      expect(await sending, name).toMatchObject({ outcome: 'failed', error: expect.any(String) });
    }
    expect(messagesFor(id)).toHaveLength(0);
  });

  it('delivers 50 concurrent sends, each decrypted intact, under one JWT', async () => {
    const push = sender();
    const subscriptions = Array.from({ length: 50 }, () => service.createSubscription());
    const results = await Promise.all(
      subscriptions.map(({ subscription }, i) =>
        push.send(subscription, JSON.stringify({ requestId: `req_${i}` }), { ttlSeconds: 120, urgency: 'high', topic: `d${i}` }),
      ),
    );
    expect(results.every((r) => r.outcome === 'delivered')).toBe(true);
    const messages = subscriptions.map(({ id }) => messagesFor(id));
    expect(messages.map((m) => m.length)).toEqual(Array(50).fill(1));
    expect(messages.map(([m]) => m.payload)).toEqual(subscriptions.map((_, i) => ({ requestId: `req_${i}` })));
    expect(new Set(messages.map(([m]) => m.vapid?.jwt)).size).toBe(1);
  });

  it('settled: what a stopping relay waits for resolves once a send under way (retrying after a 429) is delivered', async () => {
    // Retries enough that a loaded machine, slow to tell the service to accept, cannot use them all up.
    const pushes = sender({ maxRetries: 20 });
    await pushes.settled(10_000);
    const { id, subscription } = service.createSubscription({ respondWith: 429 });
    const result = pushes.send(subscription, 'x', { ttlSeconds: 60 });
    while (messagesFor(id).length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    service.setResponse(id, 201);
    await pushes.settled(30_000);
    // (A loaded machine may let a second 429 through before the service is told to accept.)
    const statuses = messagesFor(id).map((m) => m.status);
    expect(statuses.at(-1)).toBe(201);
    expect(statuses.slice(0, -1).every((status) => status === 429)).toBe(true);
    expect(await result).toEqual({ outcome: 'delivered' });
  });

  it('fails sends after close', async () => {
    const { id, subscription } = service.createSubscription();
    const push = sender();
    push.close();
    expect(await push.send(subscription, 'x', { ttlSeconds: 60 })).toMatchObject({ outcome: 'failed' });
    expect(messagesFor(id)).toHaveLength(0);
  });

  it('refuses, at creation, VAPID keys that do not belong together and a subject that is not a URL', () => {
    const other = webpush.generateVAPIDKeys();
    expect(() => createPushSender({ vapid: { ...vapid, privateKey: other.privateKey }, subject })).toThrow(/does not belong/);
    expect(() => createPushSender({ vapid: { ...vapid, publicKey: 'AAAA' }, subject })).toThrow(/public key/);
    expect(() => createPushSender({ vapid, subject: 'ops@nod.example' })).toThrow(/subject/);
  });
});
