/**
 * The relay's Web Push sender: RFC 8291 encryption, RFC 8292 VAPID, RFC 8030 delivery.
 *
 * Built for throughput, not one-off sends: the VAPID JWT is signed once per push-service origin and
 * reused for most of its life (see ./vapid), connections are kept alive, and a retry re-sends the
 * same encrypted body. `send` never throws; it says what happened so the caller can prune gone
 * subscriptions and carry on.
 */
import { Agent, request } from 'node:https';
import type { PushSubscriptionJson } from '../../shared/schemas/devices';
import { encryptPayload, PushEncryptionError } from './encryptPayload';
import { deriveTopic, topicKeyFromVapidPrivateKey } from './topic';
import { createVapidSigner, type VapidKeys } from './vapid';

export type PushUrgency = 'very-low' | 'low' | 'normal' | 'high';

export interface PushSendOptions {
  /** How long the push service should keep the message for an offline device (RFC 8030 §5.2). */
  ttlSeconds: number;
  /**
   * Any string naming what the message is about (e.g. a device or account id). It goes out hashed
   * as the Topic header, so a newer message with the same topic replaces an undelivered older one.
   */
  topic?: string;
  /** RFC 8030 §5.3; absent means the push service's default, `normal`. */
  urgency?: PushUrgency;
}

export type PushResult =
  | { outcome: 'delivered' }
  /** The subscription no longer exists: remove it. */
  | { outcome: 'gone'; status: 404 | 410 }
  | { outcome: 'failed'; status?: number; error?: string };

export interface PushSenderOptions {
  vapid: VapidKeys;
  /** The VAPID `sub`: a mailto: or https: URL where the push service can reach the operator. */
  subject: string;
  /** Used as is (give it `keepAlive: true`); by default the sender makes its own keep-alive agent. */
  agent?: Agent;
  /** Milliseconds since the epoch; for the VAPID token's lifetime. */
  now?: () => number;
  /** Further attempts after a 429 or 5xx answer (default 2). */
  maxRetries?: number;
  log?: { warn(obj: object, msg: string): void };
}

export interface PushSender {
  send(subscription: PushSubscriptionJson, payload: string | Uint8Array, options: PushSendOptions): Promise<PushResult>;
  /** Stop: later and waiting sends fail, and the sender's own connections close. */
  close(): void;
}

const DEFAULT_MAX_RETRIES = 2;
/** A Retry-After longer than this is cut to it: a sign-in push is worthless a minute late. */
const MAX_RETRY_DELAY_MS = 2000;
const BACKOFF_BASE_MS = 100;
/** A push service that says nothing for this long (connecting or answering) is given up on. */
const REQUEST_TIMEOUT_MS = 10_000;
const MAX_ERROR_TEXT = 200;
const MAX_SOCKETS_PER_ORIGIN = 128;
/** How a request fails when the kept-alive connection it went out on was closed by the other side. */
const CLOSED_UNDER_US: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const URGENCIES: ReadonlySet<string> = new Set(['very-low', 'low', 'normal', 'high']);

type Attempt = { status: number; retryAfter?: string; text?: string } | { status?: undefined; error: Error; reusedSocket: boolean };

export function createPushSender(options: PushSenderOptions): PushSender {
  const now = options.now ?? Date.now;
  const vapid = createVapidSigner(options.vapid, options.subject, now);
  const topicKey = topicKeyFromVapidPrivateKey(options.vapid.privateKey);
  const maxRetries = Math.max(0, Math.floor(options.maxRetries ?? DEFAULT_MAX_RETRIES));
  // Keep-alive, and a bound so a burst queues on warm connections instead of opening thousands.
  const ownAgent = options.agent ? undefined : new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_ORIGIN });
  const agent = options.agent ?? ownAgent!;
  const log = options.log;
  const sleepers = new Set<() => void>();
  let closed = false;

  function post(url: URL, headers: Record<string, string>, body: Buffer): Promise<Attempt> {
    return new Promise((resolve) => {
      const req = request(url, { method: 'POST', headers, agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const status = res.statusCode ?? 0;
        res.on('error', () => {});
        if (status < 400 || status === 404 || status === 410 || status === 429 || status >= 500) {
          // The body says nothing we act on; drain it so the connection goes back to the pool.
          res.resume();
          const retryAfter = res.headers['retry-after'];
          resolve({ status, retryAfter });
          return;
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < MAX_ERROR_TEXT) text += chunk;
        });
        res.on('end', () => resolve({ status, text: text.slice(0, MAX_ERROR_TEXT) }));
        res.on('close', () => resolve({ status, text: text.slice(0, MAX_ERROR_TEXT) }));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', (error) => resolve({ error, reusedSocket: req.reusedSocket }));
      req.end(body);
    });
  }

  function sleep(ms: number): Promise<void> {
    // Closed while an answer was on its way: no wait to start, nobody would wake it.
    if (ms <= 0 || closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });
  }

  function failed(url: URL | undefined, result: { status?: number; error: string }, attempts: number): PushResult {
    // The endpoint's path is the subscription's capability; only its origin goes in the log.
    log?.warn({ pushService: url?.origin, status: result.status, error: result.error, attempts }, 'push not delivered');
    return { outcome: 'failed', ...result };
  }

  async function send(subscription: PushSubscriptionJson, payload: string | Uint8Array, sendOptions: PushSendOptions): Promise<PushResult> {
    if (closed) return { outcome: 'failed', error: 'push sender closed' };
    let url: URL | undefined;
    let headers: Record<string, string>;
    let body: Buffer;
    try {
      url = new URL(subscription.endpoint);
      if (url.protocol !== 'https:') return failed(url, { error: 'push endpoint is not https' }, 0);
      const ttl = sendOptions.ttlSeconds;
      if (!(ttl >= 0) || !Number.isFinite(ttl)) return failed(url, { error: `invalid TTL ${ttl}` }, 0);
      body = encryptPayload(
        subscription.keys.p256dh,
        subscription.keys.auth,
        typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload,
      );
      headers = {
        TTL: String(Math.floor(ttl)),
        'Content-Type': 'application/octet-stream',
        'Content-Encoding': 'aes128gcm',
        'Content-Length': String(body.length),
        Authorization: '',
      };
      if (sendOptions.urgency !== undefined) {
        if (!URGENCIES.has(sendOptions.urgency)) {
          return failed(url, { error: `invalid urgency ${sendOptions.urgency}` }, 0);
        }
        headers.Urgency = sendOptions.urgency;
      }
      if (sendOptions.topic !== undefined) headers.Topic = deriveTopic(sendOptions.topic, topicKey);
    } catch (error) {
      const reason = error instanceof PushEncryptionError ? error.message : `cannot prepare push: ${String(error)}`;
      return failed(url, { error: reason }, 0);
    }

    const audience = url.origin;
    let retries = 0;
    let resent = false;
    for (let attempts = 1; ; attempts++) {
      // Looked up per attempt: a retry may straddle the token's refresh point.
      headers.Authorization = vapid.authorization(audience);
      const attempt = await post(url, headers, body);
      if (attempt.status === undefined) {
        // A kept-alive connection the push service closed just as we reused it: one fresh try.
        if (attempt.reusedSocket && !resent && !closed && CLOSED_UNDER_US.has(errorCode(attempt.error))) {
          resent = true;
          continue;
        }
        return failed(url, { error: attempt.error.message }, attempts);
      }
      const { status } = attempt;
      if (status >= 200 && status < 300) return { outcome: 'delivered' };
      if (status === 404 || status === 410) return { outcome: 'gone', status };
      if (status !== 429 && status < 500) {
        return failed(url, { status, error: attempt.text || `push service answered ${status}` }, attempts);
      }
      if (retries >= maxRetries) {
        return failed(url, { status, error: `push service answered ${status} ${attempts} times` }, attempts);
      }
      await sleep(retryDelayMs(attempt.retryAfter, retries));
      retries++;
      if (closed) return { outcome: 'failed', status, error: 'push sender closed' };
    }
  }

  return {
    send,
    close() {
      closed = true;
      for (const wake of [...sleepers]) wake();
      ownAgent?.destroy();
    },
  };
}

function errorCode(error: Error): string {
  return String((error as NodeJS.ErrnoException).code ?? '');
}

/** Retry-After (delta-seconds or an HTTP date) when given, else 100, 200, 400... ms with jitter; at most 2 s. */
export function retryDelayMs(retryAfter: string | undefined, retry: number): number {
  if (retryAfter !== undefined) {
    const value = retryAfter.trim();
    const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
    if (!Number.isNaN(ms)) return Math.min(Math.max(ms, 0), MAX_RETRY_DELAY_MS);
  }
  const backoff = BACKOFF_BASE_MS * 2 ** retry;
  return Math.min(backoff / 2 + Math.random() * (backoff / 2), MAX_RETRY_DELAY_MS);
}
