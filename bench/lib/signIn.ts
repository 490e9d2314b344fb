/**
 * One full passwordless sign-in through the relay's HTTP API, the way the desktop and the PWA
 * make it (as tests/scripts/signInThroughApi.ts narrates):
 *   desktop: create the request, open its event stream;
 *   phone:   receive the Web Push (decrypted at the loopback push endpoint), read the details
 *            (device-signed GET), answer `approve` with the typed number, a real WebAuthn assertion
 *            over the bound challenge and the device key's signature;
 *   desktop: hear `approved` on the stream, redeem the one-time grant.
 */
import { createHash, sign } from 'node:crypto';
import type { Agent } from 'node:http';
import { boundSite, canonicalApproval } from '../../shared/approvalChallenge';
import { deviceSigningText } from '../../shared/deviceSignature';
import { toLowS } from '../../shared/p256Signature';
import { type HttpClient, type SseEvent, openSse } from './http';
import { benchTenant, type BenchPhone } from './world';

const userAgent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36';

/** Pushes for sign-in requests, by request id (they may arrive before anyone waits for them). */
export class PushInbox {
  private waiting = new Map<string, (payload: any) => void>();
  private early = new Map<string, any>();

  deliver(payload: any): void {
    if (payload?.type !== 'sign_in_request') return;
    const waiter = this.waiting.get(payload.requestId);
    if (waiter) {
      this.waiting.delete(payload.requestId);
      waiter(payload);
    } else this.early.set(payload.requestId, payload);
  }

  wait(requestId: string, timeoutMs = 30_000): Promise<any> {
    const early = this.early.get(requestId);
    if (early) {
      this.early.delete(requestId);
      return Promise.resolve(early);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        reject(new Error(`no push for ${requestId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(requestId, (payload) => {
        clearTimeout(timer);
        resolve(payload);
      });
    });
  }

  /** Forget pushes nobody will wait for (e.g. for waiters that were never approved). */
  clear(): void {
    this.early.clear();
  }
}

export interface Created {
  requestId: string;
  number: number;
  collectorSecret: string;
}

export async function createRequest(client: HttpClient, phone: BenchPhone, collectorKey: string): Promise<Created> {
  const created = await client.call('POST', `/api/t/${benchTenant}/sign-in-requests`, {
    body: { username: phone.username, origin: 'https://portal.contoso.example', client: { applicationName: 'Contoso Portal' } },
    headers: { 'user-agent': userAgent, 'nod-collector-key': collectorKey },
  });
  if (created.status !== 201 || created.body.status !== 'pending') {
    throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  }
  return created.body;
}

/**
 * The phone's crypto, as the PWA does it (shared/deviceSignature.ts, shared/approvalChallenge.ts)
 * but with node:crypto on the calling thread instead of WebCrypto: the same key (`phone.signingKey`
 * is the device key's own KeyObject), the same signed text, hash and low-S P1363 signature, checked
 * by the relay as any. WebCrypto hands each SHA-256 and each signature to libuv's thread pool, and
 * for inputs this small the hand-over costs the load generator more than the work: a device-signed
 * call's header took 149 µs of CPU that way, 53 µs this way.
 */
const sha256Base64Url = (data: string | Uint8Array) => createHash('sha256').update(data).digest('base64url');

function signP1363(phone: BenchPhone, data: Uint8Array): string {
  const signature = toLowS(sign('sha256', data, { key: phone.signingKey, dsaEncoding: 'ieee-p1363' }));
  return Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength).toString('base64url');
}

/** The Authorization header of a device-signed call; each of a phone's calls gets a later millisecond than its last. */
export function deviceAuthorization(phone: BenchPhone, request: { method: string; path: string; body?: string }): string {
  const timestamp = Math.max(Date.now(), phone.lastSignedAt + 1);
  phone.lastSignedAt = timestamp;
  const input = deviceSigningText({ method: request.method, path: request.path, timestamp, bodyHash: sha256Base64Url(request.body ?? '') });
  return `Nod-Device id="${phone.account.deviceId}", ts="${timestamp}", sig="${signP1363(phone, input)}"`;
}

/** The phone's delivery receipt for a request that reached it by push (device-signed, as the service worker sends it). */
export async function sendReceipt(client: HttpClient, phone: BenchPhone, requestId: string): Promise<void> {
  const path = `/api/device/sign-in-requests/${requestId}/received`;
  const body = JSON.stringify({ via: 'push' });
  const authorization = deviceAuthorization(phone, { method: 'POST', path, body });
  const answered = await client.call('POST', path, { body, headers: { authorization } });
  if (answered.status !== 204) throw new Error(`receipt: ${answered.status} ${JSON.stringify(answered.body)}`);
}

/** The phone reads the request's details (nonce, WebAuthn parameters) with a device-signed GET. */
export async function readDetails(client: HttpClient, phone: BenchPhone, requestId: string): Promise<any> {
  const path = `/api/device/sign-in-requests/${requestId}`;
  const authorization = deviceAuthorization(phone, { method: 'GET', path });
  const details = await client.call('GET', path, { headers: { authorization } });
  if (details.status !== 200) throw new Error(`details: ${details.status} ${JSON.stringify(details.body)}`);
  return details.body;
}

/** Everything the phone computes for an approval (not sent yet). */
export async function prepareApproval(phone: BenchPhone, details: any, typedNumber: number): Promise<string> {
  const binding = {
    requestId: details.requestId,
    nonce: details.nonce,
    site: boundSite(details.context),
    typedNumber,
    decision: 'approve' as const,
  };
  const canonical = canonicalApproval(binding);
  // The WebAuthn challenge: SHA-256 of the canonical approval, base64url (shared/approvalChallenge.ts).
  const challenge = sha256Base64Url(canonical);
  const assertion = await phone.authenticator.authenticate(
    { challenge, rpId: details.webauthn.rpId, allowCredentials: details.webauthn.allowCredentials },
    { userVerified: true },
  );
  return JSON.stringify({
    registrationId: phone.account.registrationId,
    decision: 'approve',
    typedNumber,
    assertion,
    deviceSignature: signP1363(phone, canonical),
  });
}

/** Send the approval; resolves with performance.now() at the moment its HTTP answer was read. */
export async function sendApproval(client: HttpClient, requestId: string, body: string): Promise<number> {
  const answered = await client.call('POST', `/api/sign-in-requests/${requestId}/answer`, { body });
  if (answered.status !== 200 || answered.body.status !== 'approved') {
    throw new Error(`answer: ${answered.status} ${JSON.stringify(answered.body)}`);
  }
  return answered.at;
}

export async function redeem(client: HttpClient, created: Created): Promise<any> {
  const grant = await client.call('POST', `/api/sign-in-requests/${created.requestId}/redeem`, {
    headers: { authorization: `Bearer ${created.collectorSecret}` },
  });
  if (grant.status !== 200 || typeof grant.body.grant !== 'string')
    throw new Error(`redeem: ${grant.status} ${JSON.stringify(grant.body)}`);
  return grant.body;
}

/** Open the collector's stream; `approved` resolves when the `approved` state arrives (with its arrival time). */
export function watchRequest(client: HttpClient, created: Created, agent?: Agent) {
  let onApproved!: (event: SseEvent) => void;
  let onFailed!: (error: Error) => void;
  let onPending!: () => void;
  /** Resolves when the stream has said `pending`: the relay is now listening for this collector. */
  const listening = new Promise<void>((resolve) => {
    onPending = resolve;
  });
  const approved = new Promise<SseEvent>((resolve, reject) => {
    onApproved = resolve;
    onFailed = reject;
  });
  const stream = openSse(
    client,
    `/api/sign-in-requests/${created.requestId}/events`,
    { authorization: `Bearer ${created.collectorSecret}` },
    (event) => {
      if (event.event !== 'state') return;
      if (event.data.status === 'approved') onApproved(event);
      else if (event.data.status !== 'pending') onFailed(new Error(`request ended ${event.data.status}`));
      else onPending();
    },
    agent,
  );
  stream.opened.then((status) => {
    if (status !== 200) onFailed(new Error(`event stream: ${status}`));
  }, onFailed);
  return { stream, approved, listening };
}

export interface SignInTimings {
  /** POST sign-in-requests answered. */
  create: number;
  /** Until the push is decrypted at the endpoint and the stream said `pending`. */
  push: number;
  /**
   * From the create call's start until the relay answered the phone's delivery receipt (what the
   * service worker sends when the push arrives): create → push service → phone → receipt.
   */
  receipt: number;
  /** The phone's device-signed GET of the details. */
  details: number;
  /** The phone's assertion and device signature (client-side crypto). */
  phoneCrypto: number;
  /** POST answer until the desktop's stream says `approved`. */
  approve: number;
  /** POST redeem until the stream ends. */
  redeem: number;
  total: number;
}

/**
 * One full sign-in; returns how long each step took (ms). With `probe` (the relay's CPU clock,
 * read between steps; only meaningful at concurrency 1) it also fills `relayCpu` with the relay's
 * CPU per step (µs), the probe's own cost not subtracted.
 */
export async function fullSignIn(
  client: HttpClient,
  inbox: PushInbox,
  phone: BenchPhone,
  collectorKey: string,
  probe?: { read: () => Promise<number>; relayCpu: Record<string, number[]> },
): Promise<SignInTimings> {
  let last = probe ? await probe.read() : 0;
  const mark = async (step: string) => {
    if (!probe) return;
    const now = await probe.read();
    probe.relayCpu[step] = [...(probe.relayCpu[step] ?? []), now - last];
    last = now;
  };
  const t0 = performance.now();
  const created = await createRequest(client, phone, collectorKey);
  const t1 = performance.now();
  await mark('create');
  const watching = watchRequest(client, created);
  let ok = false;
  try {
    const push = await inbox.wait(created.requestId);
    if (push.registrationId !== phone.account.registrationId) throw new Error('push for another account');
    // The phone's service worker acknowledges the push, as the PWA does.
    await sendReceipt(client, phone, created.requestId);
    const tReceipt = performance.now();
    await watching.listening;
    const t2 = performance.now();
    await mark('push + receipt + stream');
    const details = await readDetails(client, phone, created.requestId);
    const t3 = performance.now();
    await mark('details');
    const approval = await prepareApproval(phone, details, created.number);
    const t3b = performance.now();
    await sendApproval(client, created.requestId, approval);
    await watching.approved;
    const t4 = performance.now();
    await mark('answer + event');
    const grant = await redeem(client, created);
    if (!grant.amr.includes('pop')) throw new Error('grant without pop');
    await watching.stream.ended;
    const t5 = performance.now();
    await mark('redeem + stream end');
    ok = true;
    return {
      create: t1 - t0,
      push: t2 - t1,
      receipt: tReceipt - t0,
      details: t3 - t2,
      phoneCrypto: t3b - t3,
      approve: t4 - t3b,
      redeem: t5 - t4,
      total: t5 - t0,
    };
  } finally {
    // After `redeemed` the relay ends the stream itself (its socket goes back to the pool).
    if (!ok) watching.stream.close();
    watching.approved.catch(() => {});
  }
}
