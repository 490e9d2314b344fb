/**
 * A loopback Web Push service for tests, over HTTPS with a self-signed certificate made at start.
 * It plays both the push service and the user agent: each subscription has a real ECDH P-256 key
 * pair and auth secret, each POST has its VAPID header verified (RFC 8292) and its body decrypted
 * with http_ece, the RFC 8188 reference implementation (RFC 8291 aes128gcm). Every request to a
 * /push/<id> endpoint is recorded, accepted or not, so tests can assert on what the relay sent.
 */
import { createECDH, type ECDH, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import ece from 'http_ece';
import { loopbackCertificate } from './loopbackCertificate';
import { type VapidClaims, VapidError, verifyVapid } from './vapid';

/** RFC 8030 §7.2: a push service must accept at least 4096 bytes; this one accepts exactly that. */
const MAX_BODY_BYTES = 4096;
const URGENCIES = new Set(['very-low', 'low', 'normal', 'high']);

export interface PushMessage {
  subscriptionId: string;
  /** The status this service answered. */
  status: number;
  receivedAt: number;
  headers: { ttl?: number; urgency?: string; topic?: string };
  /** The verified VAPID claims (absent when the header was missing or invalid). */
  vapid?: VapidClaims;
  /** The decrypted body ('' for a push without payload; absent when it could not be decrypted). */
  payloadText?: string;
  /** payloadText parsed as JSON, when it is JSON (tests read fields of it freely). */
  payload?: any;
  /** Why the request was refused (400 / 404 / 413). */
  error?: string;
}

/** What PushSubscription.toJSON() gives in a browser. */
/** Every leaf value of a decoded payload, at any depth: what "the number is in no field" is checked against. */
export function leafValues(value: unknown): unknown[] {
  if (value && typeof value === 'object') return Object.values(value).flatMap(leafValues);
  return [value];
}

export interface PushSubscriptionJSON {
  endpoint: string;
  expirationTime: null;
  keys: { p256dh: string; auth: string };
}

export interface PushService {
  /** e.g. `https://127.0.0.1:41234` — also the VAPID `aud` it expects. */
  origin: string;
  /** PEM of its self-signed certificate, to trust (https.Agent({ ca }), NODE_EXTRA_CA_CERTS, ...). */
  ca: string;
  createSubscription(opts?: { respondWith?: number }): { id: string; subscription: PushSubscriptionJSON };
  /** Every request to a push endpoint, in arrival order. */
  received: PushMessage[];
  /**
   * Resolves with the first message, already received or arriving later, that satisfies the
   * predicate (so use a predicate that tells messages apart, e.g. by payload content).
   */
  waitFor(predicate: (message: PushMessage) => boolean, timeoutMs?: number): Promise<PushMessage>;
  /** Answer this status from now on (201 normal; 404/410 gone; 429/5xx with Retry-After: 0). */
  setResponse(subscriptionId: string, status: number): void;
  /**
   * Hang for this subscription: from now on its pushes are read and checked but not answered
   * (and not in `received`) until `release`, as a push service that hangs for some subscriptions.
   */
  hang(subscriptionId: string): void;
  /** Answer every held push of this subscription (in `received` from then on) and stop hanging. */
  release(subscriptionId: string): void;
  /** Resolves once this many pushes of the subscription are held. */
  waitForHeld(subscriptionId: string, count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface Subscription {
  ecdh: ECDH;
  authSecret: Buffer;
  status: number;
  hanging: boolean;
  held: { message: PushMessage; response: ServerResponse }[];
  heldWaiters: { count: number; resolve: () => void }[];
}

interface Waiter {
  predicate: (message: PushMessage) => boolean;
  resolve: (message: PushMessage) => void;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function pushHeaders(request: IncomingMessage): PushMessage['headers'] {
  const ttlHeader = request.headers.ttl;
  const urgency = request.headers.urgency as string | undefined;
  const topic = request.headers.topic as string | undefined;
  const ttl = typeof ttlHeader === 'string' && /^\d+$/.test(ttlHeader) ? Number(ttlHeader) : undefined;
  return { ttl, urgency, topic };
}

function checkPushHeaders(request: IncomingMessage, headers: PushMessage['headers']): void {
  if (headers.ttl === undefined) throw new Refusal(400, 'missing or invalid TTL header');
  if (headers.urgency !== undefined && !URGENCIES.has(headers.urgency)) {
    throw new Refusal(400, `invalid Urgency "${headers.urgency}"`);
  }
  if (headers.topic !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(headers.topic)) {
    throw new Refusal(400, 'Topic must be at most 32 base64url characters');
  }
  if (request.headers['content-encoding'] !== undefined && request.headers['content-encoding'] !== 'aes128gcm') {
    throw new Refusal(400, `Content-Encoding must be aes128gcm, got "${request.headers['content-encoding']}"`);
  }
}

/** `name` is its certificate's subject: two services one agent trusts need two names. */
export async function startPushService(name = 'nod-test-push-service'): Promise<PushService> {
  const pems = await loopbackCertificate(name);
  const subscriptions = new Map<string, Subscription>();
  const received: PushMessage[] = [];
  let waiters: Waiter[] = [];
  let origin = '';

  function record(message: PushMessage): void {
    received.push(message);
    const ready = waiters.filter((w) => w.predicate(message));
    waiters = waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve(message);
  }

  async function handlePush(subscriptionId: string, request: IncomingMessage, response: ServerResponse) {
    const body = await readBody(request);
    const message: PushMessage = {
      subscriptionId,
      status: 201,
      receivedAt: Date.now(),
      headers: pushHeaders(request),
    };
    try {
      const subscription = subscriptions.get(subscriptionId);
      if (!subscription) throw new Refusal(404, 'unknown subscription');
      if (body.length > MAX_BODY_BYTES) throw new Refusal(413, `body of ${body.length} bytes exceeds 4096`);
      checkPushHeaders(request, message.headers);
      try {
        message.vapid = await verifyVapid(request.headers.authorization, origin);
      } catch (error) {
        if (error instanceof VapidError) throw new Refusal(400, error.message);
        throw error;
      }
      if (body.length === 0) {
        message.payloadText = '';
      } else {
        if (request.headers['content-encoding'] !== 'aes128gcm') throw new Refusal(400, 'missing Content-Encoding');
        let plaintext: Buffer;
        try {
          plaintext = ece.decrypt(body, {
            version: 'aes128gcm',
            privateKey: subscription.ecdh,
            authSecret: subscription.authSecret,
          });
        } catch (error) {
          throw new Refusal(400, `cannot decrypt: ${(error as Error).message}`);
        }
        message.payloadText = plaintext.toString('utf8');
        try {
          message.payload = JSON.parse(message.payloadText);
        } catch {}
      }
      message.status = subscription.status;
      if (subscription.hanging) {
        subscription.held.push({ message, response });
        const ready = subscription.heldWaiters.filter((w) => subscription.held.length >= w.count);
        subscription.heldWaiters = subscription.heldWaiters.filter((w) => !ready.includes(w));
        for (const waiter of ready) waiter.resolve();
        return;
      }
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      message.status = error.status;
      message.error = error.message;
    }
    answer(message, response);
  }

  function answer(message: PushMessage, response: ServerResponse): void {
    record(message);
    if (message.status === 429 || message.status >= 500) response.setHeader('Retry-After', '0');
    if (message.status === 201) response.setHeader('Location', `${origin}/message/${randomUUID()}`);
    response.writeHead(message.status, { 'Content-Type': 'text/plain' });
    response.end(message.error ?? '');
  }

  const server: Server = createServer({ key: pems.private, cert: pems.cert }, (request, response) => {
    const url = new URL(request.url ?? '/', origin);
    const match = url.pathname.match(/^\/push\/([A-Za-z0-9_-]+)$/);
    if (!match) {
      response.writeHead(404).end();
      return;
    }
    if (request.method !== 'POST') {
      response.writeHead(405, { Allow: 'POST' }).end();
      return;
    }
    handlePush(match[1], request, response).catch((error: Error) => {
      response.writeHead(500).end(error.message);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    ca: pems.cert,
    received,

    createSubscription(opts = {}) {
      const id = randomBytes(16).toString('base64url');
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const authSecret = randomBytes(16);
      subscriptions.set(id, { ecdh, authSecret, status: opts.respondWith ?? 201, hanging: false, held: [], heldWaiters: [] });
      return {
        id,
        subscription: {
          endpoint: `${origin}/push/${id}`,
          expirationTime: null,
          keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: authSecret.toString('base64url') },
        },
      };
    },

    waitFor(predicate, timeoutMs = 5000) {
      const found = received.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter);
          reject(new Error(`no matching push within ${timeoutMs} ms (${received.length} received)`));
        }, timeoutMs);
        const waiter: Waiter = {
          predicate,
          resolve: (message) => {
            clearTimeout(timer);
            resolve(message);
          },
        };
        waiters.push(waiter);
      });
    },

    hang(subscriptionId) {
      const subscription = subscriptions.get(subscriptionId);
      if (!subscription) throw new Error(`unknown subscription ${subscriptionId}`);
      subscription.hanging = true;
    },

    release(subscriptionId) {
      const subscription = subscriptions.get(subscriptionId);
      if (!subscription) throw new Error(`unknown subscription ${subscriptionId}`);
      subscription.hanging = false;
      for (const { message, response } of subscription.held.splice(0)) {
        message.receivedAt = Date.now();
        if (!response.destroyed) answer(message, response);
      }
    },

    waitForHeld(subscriptionId, count, timeoutMs = 10_000) {
      const subscription = subscriptions.get(subscriptionId);
      if (!subscription) throw new Error(`unknown subscription ${subscriptionId}`);
      if (subscription.held.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          subscription.heldWaiters = subscription.heldWaiters.filter((w) => w !== waiter);
          reject(new Error(`${subscription.held.length} of ${count} pushes held within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = {
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        subscription.heldWaiters.push(waiter);
      });
    },

    setResponse(subscriptionId, status) {
      const subscription = subscriptions.get(subscriptionId);
      if (!subscription) throw new Error(`unknown subscription ${subscriptionId}`);
      subscription.status = status;
    },

    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
