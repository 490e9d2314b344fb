/**
 * A loopback Web Push service for the benchmarks: HTTPS with a self-signed certificate, real
 * subscriptions (P-256 key pair + auth secret per subscription). Like the test helper
 * (tests/helpers/pushService.ts) it decrypts with `http_ece`, the RFC 8188 reference code, and
 * checks the VAPID JWT with `jose` — but it keeps no per-message history, so it can take
 * thousands of pushes a second without growing.
 *
 * Modes:
 *  - `decrypt`: every push is decrypted and handed to `onPayload` (the phone learns the request
 *    id from it); each distinct VAPID header is verified once, as a push service caching a
 *    verified token would.
 *  - `sample`: every push is answered 201 at once; one in `sampleEvery` is fully checked
 *    (VAPID verified from scratch and body decrypted). Used to compare two senders: the
 *    endpoint's cost per message is the same whatever the sender does.
 */
import { createECDH, type ECDH, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import ece from 'http_ece';
import { loopbackCertificate } from '../../tests/helpers/loopbackCertificate';
import { verifyVapid } from '../../tests/helpers/vapid';

export interface BenchSubscription {
  endpoint: string;
  expirationTime: null;
  keys: { p256dh: string; auth: string };
}

export interface PushEndpointStats {
  received: number;
  checked: number;
  failures: string[];
}

export interface BenchPushEndpoint {
  origin: string;
  ca: string;
  mode: 'decrypt' | 'sample';
  sampleEvery: number;
  onPayload: (payload: any, subscriptionId: string) => void;
  stats: PushEndpointStats;
  subscribe(): { id: string; subscription: BenchSubscription };
  /** Keys of existing subscriptions (to hand them to another process). */
  subscriptionKeys(id: string): { privateKey: string; auth: string } | undefined;
  resetStats(): void;
  close(): Promise<void>;
}

interface Keys {
  ecdh: ECDH;
  authSecret: Buffer;
}

export async function startPushEndpoint(): Promise<BenchPushEndpoint> {
  const pems = await loopbackCertificate('nod-bench-push');
  const subscriptions = new Map<string, Keys>();
  const verifiedHeaders = new Set<string>();
  let origin = '';
  let count = 0;

  const endpoint: BenchPushEndpoint = {
    origin: '',
    ca: pems.cert,
    mode: 'decrypt',
    sampleEvery: 50,
    onPayload: () => {},
    stats: { received: 0, checked: 0, failures: [] },
    subscribe() {
      const id = randomBytes(12).toString('base64url');
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const authSecret = randomBytes(16);
      subscriptions.set(id, { ecdh, authSecret });
      return {
        id,
        subscription: {
          endpoint: `${origin}/push/${id}`,
          expirationTime: null,
          keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: authSecret.toString('base64url') },
        },
      };
    },
    subscriptionKeys(id) {
      const keys = subscriptions.get(id);
      return keys && { privateKey: keys.ecdh.getPrivateKey().toString('base64url'), auth: keys.authSecret.toString('base64url') };
    },
    resetStats() {
      endpoint.stats = { received: 0, checked: 0, failures: [] };
      verifiedHeaders.clear();
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };

  function fail(reason: string): void {
    if (endpoint.stats.failures.length < 20) endpoint.stats.failures.push(reason);
  }

  async function check(keys: Keys, request: IncomingMessage, body: Buffer, cacheVapid: boolean): Promise<any> {
    const authorization = request.headers.authorization ?? '';
    if (!cacheVapid || !verifiedHeaders.has(authorization)) {
      await verifyVapid(authorization, origin);
      if (cacheVapid) verifiedHeaders.add(authorization);
    }
    if (request.headers['content-encoding'] !== 'aes128gcm') throw new Error('not aes128gcm');
    if (!/^\d+$/.test(String(request.headers.ttl ?? ''))) throw new Error('no TTL');
    const plaintext: Buffer = ece.decrypt(body, { version: 'aes128gcm', privateKey: keys.ecdh, authSecret: keys.authSecret });
    endpoint.stats.checked++;
    return JSON.parse(plaintext.toString('utf8'));
  }

  function handle(id: string, request: IncomingMessage, response: ServerResponse, body: Buffer): void {
    endpoint.stats.received++;
    const keys = subscriptions.get(id);
    if (!keys) {
      fail(`unknown subscription ${id}`);
      response.writeHead(404).end();
      return;
    }
    const answer = () => {
      response.writeHead(201, { location: `${origin}/message/${count++}` });
      response.end();
    };
    if (endpoint.mode === 'sample') {
      answer();
      if (endpoint.stats.received % endpoint.sampleEvery === 1 || endpoint.sampleEvery <= 1) {
        check(keys, request, body, false).catch((error: Error) => fail(`sample check: ${error.message}`));
      }
      return;
    }
    check(keys, request, body, true).then(
      (payload) => {
        answer();
        endpoint.onPayload(payload, id);
      },
      (error: Error) => {
        fail(error.message);
        response.writeHead(400).end(error.message);
      },
    );
  }

  const server: Server = createServer({ key: pems.private, cert: pems.cert }, (request, response) => {
    const match = /^\/push\/([A-Za-z0-9_-]+)$/.exec(request.url ?? '');
    if (!match || request.method !== 'POST') {
      response.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(match[1], request, response, Buffer.concat(chunks)));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  endpoint.origin = origin;
  return endpoint;
}
