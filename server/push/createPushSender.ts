/**
 * The relay's Web Push sender: RFC 8291 encryption, RFC 8292 VAPID, RFC 8030 delivery.
 *
 * Built for throughput, not one-off sends: the VAPID JWT is signed once per push-service origin and
 * reused for most of its life (see ./vapid), connections are kept alive, and a retry re-sends the
 * same encrypted body. `send` never throws; it says what happened so the caller can prune gone
 * subscriptions and carry on.
 *
 * Built so one push service's trouble stays its own: each origin has bounded lanes (./createPushLanes:
 * pushes in flight and waiting, one at a time per subscription), and one deadline covers a push's
 * whole life — waiting for a turn, connecting, answering, retrying — so a push service that hangs
 * delays only its own backlog, and a push the caller no longer wants is dropped instead of sent late.
 */
import { Agent, request } from 'node:https';
import type { PushSubscriptionJson } from '../../shared/schemas/devices';
import { createPushLanes } from './createPushLanes';
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
  /**
   * Asked when the push had to wait (for its turn, or before a retry): false drops it, e.g. when
   * the sign-in request it announces has ended meanwhile. A check that throws counts as wanted.
   */
  stillWanted?: () => boolean | Promise<boolean>;
}

export type PushResult =
  | { outcome: 'delivered' }
  /** The subscription no longer exists: remove it. */
  | { outcome: 'gone'; status: 404 | 410 }
  /** Not sent: `stillWanted` said no after a wait. */
  | { outcome: 'dropped' }
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
  /** One push's whole life — waiting for a turn, every attempt, retry waits — in ms (default 10 s). */
  deadlineMs?: number;
  /** Pushes in flight to one push-service origin (default 128). */
  maxInFlightPerOrigin?: number;
  /** Pushes waiting for a turn on one origin; more are refused at once (default 1024). */
  maxWaitingPerOrigin?: number;
  log?: { warn(obj: object, msg: string): void };
  /**
   * Whether an endpoint may be sent to (server/push/pushHosts): one that may not is never
   * contacted. Subscriptions are checked when saved; this covers any stored before the list.
   */
  allowEndpoint?: (endpoint: string) => boolean;
}

export interface PushSender {
  send(subscription: PushSubscriptionJson, payload: string | Uint8Array, options: PushSendOptions): Promise<PushResult>;
  /**
   * Resolves once no send is under way (retries included), or after `boundMs`: what a relay that
   * stops waits for before `close`, so a drain delivers the pushes it started instead of cutting them.
   */
  settled(boundMs: number): Promise<void>;
  /** Stop: later and waiting sends fail, and the sender's own connections close. */
  close(): void;
}

const DEFAULT_MAX_RETRIES = 2;
/** A Retry-After longer than this is cut to it: a sign-in push is worthless a minute late. */
const MAX_RETRY_DELAY_MS = 2000;
const BACKOFF_BASE_MS = 100;
/** A push that has not been answered this long after it was handed over (waiting included) is given up on. */
const DEFAULT_DEADLINE_MS = 10_000;
const MAX_ERROR_TEXT = 200;
const MAX_IN_FLIGHT_PER_ORIGIN = 128;
const MAX_WAITING_PER_ORIGIN = 1024;
/** How a request fails when the kept-alive connection it went out on was closed by the other side. */
const CLOSED_UNDER_US: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const URGENCIES: ReadonlySet<string> = new Set(['very-low', 'low', 'normal', 'high']);

type Attempt = { status: number; retryAfter?: string; text?: string } | { status?: undefined; error: Error; reusedSocket: boolean };

export function createPushSender(options: PushSenderOptions): PushSender {
  const now = options.now ?? Date.now;
  const vapid = createVapidSigner(options.vapid, options.subject, now);
  const topicKey = topicKeyFromVapidPrivateKey(options.vapid.privateKey);
  const maxRetries = Math.max(0, Math.floor(options.maxRetries ?? DEFAULT_MAX_RETRIES));
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const inFlightPerOrigin = options.maxInFlightPerOrigin ?? MAX_IN_FLIGHT_PER_ORIGIN;
  // The lanes bound what is in flight; the agent keeps those connections alive and never queues.
  const lanes = createPushLanes({ inFlightPerOrigin, waitingPerOrigin: options.maxWaitingPerOrigin ?? MAX_WAITING_PER_ORIGIN });
  const ownAgent = options.agent ? undefined : new Agent({ keepAlive: true, maxSockets: inFlightPerOrigin });
  const agent = options.agent ?? ownAgent!;
  const log = options.log;
  const sleepers = new Set<() => void>();
  let closed = false;
  let underWay = 0;
  const idle = new Set<() => void>();

  function post(url: URL, headers: Record<string, string>, body: Buffer, timeoutMs: number): Promise<Attempt> {
    return new Promise((resolve) => {
      // From now, not from when a socket is assigned: connecting counts too.
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${Math.round(timeoutMs)} ms`)), timeoutMs);
      const done = (attempt: Attempt) => {
        clearTimeout(timer);
        resolve(attempt);
      };
      const req = request(url, { method: 'POST', headers, agent }, (res) => {
        const status = res.statusCode ?? 0;
        res.on('error', () => {});
        if (status < 400 || status === 404 || status === 410 || status === 429 || status >= 500) {
          // The body says nothing we act on; drain it so the connection goes back to the pool.
          res.resume();
          const retryAfter = res.headers['retry-after'];
          done({ status, retryAfter });
          return;
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < MAX_ERROR_TEXT) text += chunk;
        });
        res.on('end', () => done({ status, text: text.slice(0, MAX_ERROR_TEXT) }));
        res.on('close', () => done({ status, text: text.slice(0, MAX_ERROR_TEXT) }));
      });
      req.on('error', (error) => done({ error, reusedSocket: req.reusedSocket }));
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
    underWay++;
    try {
      return await sendOnce(subscription, payload, sendOptions);
    } finally {
      underWay--;
      if (underWay === 0) for (const wake of [...idle]) wake();
    }
  }

  async function sendOnce(
    subscription: PushSubscriptionJson,
    payload: string | Uint8Array,
    sendOptions: PushSendOptions,
  ): Promise<PushResult> {
    if (closed) return { outcome: 'failed', error: 'push sender closed' };
    let url: URL | undefined;
    let headers: Record<string, string>;
    let encrypted: Promise<Buffer>;
    try {
      url = new URL(subscription.endpoint);
      if (url.protocol !== 'https:') return failed(url, { error: 'push endpoint is not https' }, 0);
      if (options.allowEndpoint && !options.allowEndpoint(subscription.endpoint)) {
        return failed(url, { error: 'push service not on the allowed list (NOD_PUSH_HOSTS)' }, 0);
      }
      const ttl = sendOptions.ttlSeconds;
      if (!(ttl >= 0) || !Number.isFinite(ttl)) return failed(url, { error: `invalid TTL ${ttl}` }, 0);
      headers = {
        TTL: String(Math.floor(ttl)),
        'Content-Type': 'application/octet-stream',
        'Content-Encoding': 'aes128gcm',
        'Content-Length': '',
        Authorization: '',
      };
      if (sendOptions.urgency !== undefined) {
        if (!URGENCIES.has(sendOptions.urgency)) {
          return failed(url, { error: `invalid urgency ${sendOptions.urgency}` }, 0);
        }
        headers.Urgency = sendOptions.urgency;
      }
      if (sendOptions.topic !== undefined) headers.Topic = deriveTopic(sendOptions.topic, topicKey);
      // Encrypted off the event loop while the push asks for its turn at once, as it always has: the
      // order pushes queue in, and which of them waited (and so may no longer be wanted), stay as sent.
      encrypted = encryptPayload(
        subscription.keys.p256dh,
        subscription.keys.auth,
        typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload,
      );
    } catch (error) {
      return failed(url, { error: `cannot prepare push: ${String(error)}` }, 0);
    }

    const deadline = performance.now() + deadlineMs;
    const asked = lanes.turn(url, deadline);
    let body: Buffer;
    try {
      body = await encrypted;
    } catch (error) {
      void asked.then((turn) => 'release' in turn && turn.release());
      const reason = error instanceof PushEncryptionError ? error.message : `cannot prepare push: ${String(error)}`;
      return failed(url, { error: reason }, 0);
    }
    headers['Content-Length'] = String(body.length);
    const turn = await asked;
    if ('refused' in turn) return failed(url, { error: turn.refused }, 0);
    try {
      if (turn.waitedMs > 0 && !(await wanted(sendOptions))) return { outcome: 'dropped' };
      return await deliver(url, headers, body, deadline, sendOptions);
    } finally {
      turn.release();
    }
  }

  async function wanted(sendOptions: PushSendOptions): Promise<boolean> {
    if (!sendOptions.stillWanted) return true;
    try {
      return await sendOptions.stillWanted();
    } catch {
      return true;
    }
  }

  async function deliver(
    url: URL,
    headers: Record<string, string>,
    body: Buffer,
    deadline: number,
    sendOptions: PushSendOptions,
  ): Promise<PushResult> {
    const audience = url.origin;
    let retries = 0;
    let resent = false;
    for (let attempts = 1; ; attempts++) {
      // Looked up per attempt: a retry may straddle the token's refresh point.
      headers.Authorization = vapid.authorization(audience);
      const left = deadline - performance.now();
      if (left <= 0) return failed(url, { error: `no answer within ${deadlineMs} ms` }, attempts - 1);
      const attempt = await post(url, headers, body, left);
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
      const delay = retryDelayMs(attempt.retryAfter, retries);
      if (performance.now() + delay >= deadline) {
        return failed(url, { status, error: `push service answered ${status}; no time left to retry` }, attempts);
      }
      await sleep(delay);
      retries++;
      if (closed) return { outcome: 'failed', status, error: 'push sender closed' };
      if (!(await wanted(sendOptions))) return { outcome: 'dropped' };
    }
  }

  return {
    send,
    settled(boundMs) {
      if (underWay === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          idle.delete(done);
          resolve();
        };
        const timer = setTimeout(done, boundMs);
        idle.add(done);
      });
    },
    close() {
      closed = true;
      lanes.close();
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
