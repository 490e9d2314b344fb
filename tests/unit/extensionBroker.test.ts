/**
 * Journey 6, brokering: the extension's background creates the request itself (the tab's real origin,
 * its own browser key, its collector key), keeps the collector secret in storage.session, follows the
 * request's events, redeems the approval and hands the grant to the page — against the real relay,
 * with the phone's approval made by the software authenticator. A stopped service worker resumes from
 * storage.session without a second request.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { deviceAuthorizationHeader } from '../../shared/deviceSignature';
import type { SignInView } from '../../shared/schemas/extensionMessages';
import type { P256PublicJwk } from '../../shared/schemas/common';
import type { BrokeredSignIn } from '../../extension/lib/signIn/brokeredSignIn';
import { SignInBroker, type SignInBrokerDeps } from '../../extension/lib/signIn/SignInBroker';
import { sessionSignInStore } from '../../extension/lib/signIn/sessionSignInStore';
import { registerBrowser } from '../../extension/lib/relays/registerBrowser';
import type { TestPhone } from '../helpers/enrollPhone';
import { answer, readRequest, trustBrowserOnPhone } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';

let world: SignInWorld;
let alice: TestPhone;
let browserKey: CryptoKeyPair;
let deviceId: string;

beforeAll(async () => {
  world = await startSignInWorld();
  alice = await world.enroll('alice@contoso.example');
  browserKey = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const jwk = await crypto.subtle.exportKey('jwk', browserKey.publicKey);
  const publicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } as P256PublicJwk;
  deviceId = (await registerBrowser(world.relay.url, 'contoso', publicJwk, 'Chrome on Linux'))!;
  expect(deviceId).toMatch(/^[A-Za-z0-9_-]+$/);
});
afterAll(async () => world?.close());
beforeEach(() => fakeBrowser.reset());

interface Harness {
  broker: SignInBroker;
  views: Array<SignInView | null>;
  grants: Array<{ tabId: number; grant: string; requestId: string }>;
  finished: BrokeredSignIn[];
  calls: Array<{ method: string; url: string; headers: Record<string, string>; body?: string }>;
  /** Resolves when the tab's sign-in reaches a status satisfying `until`. */
  reach(until: (view: SignInView) => boolean, timeoutMs?: number): Promise<SignInView>;
}

function harness(overrides: Partial<SignInBrokerDeps> = {}, calls: Harness['calls'] = []): Harness {
  const views: Harness['views'] = [];
  const grants: Harness['grants'] = [];
  const finished: BrokeredSignIn[] = [];
  const waiters: Array<{ until: (view: SignInView) => boolean; resolve: (view: SignInView) => void }> = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    calls.push({
      method: init?.method ?? 'GET',
      url: String(input),
      headers,
      body: typeof init?.body === 'string' ? init.body : undefined,
    });
    return fetch(input, init);
  };
  const broker = new SignInBroker({
    store: sessionSignInStore(),
    fetch: recordingFetch,
    now: Date.now,
    sign: async (_relay, _tenant, request) => deviceAuthorizationHeader(deviceId, browserKey.privateKey, request),
    collectorKey: async () => 'collector-key-of-this-browser-0123456789abcdef',
    onView: (_tabId, view) => {
      views.push(view);
      for (const waiter of [...waiters]) {
        if (view && waiter.until(view)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(view);
        }
      }
    },
    deliverGrant: (tabId, grant, requestId) => {
      grants.push({ tabId, grant, requestId });
      return true;
    },
    onFinished: (record) => finished.push(record),
    reconnectDelayMs: 50,
    ...overrides,
  });
  return {
    broker,
    views,
    grants,
    finished,
    calls,
    reach(until, timeoutMs = 10_000) {
      const seen = views.find((view) => view && until(view));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ until, resolve });
        setTimeout(() => reject(new Error(`timed out; views: ${JSON.stringify(views.map((v) => v?.status))}`)), timeoutMs);
      });
    },
  };
}

const start = (h: Harness, tabId = 1, username = 'alice@contoso.example') =>
  h.broker.start({
    tabId,
    site: world.relay.url,
    relayOrigin: world.relay.url,
    tenant: 'contoso',
    tenantDisplayName: 'Contoso',
    username,
  });

async function phoneAnswers(phone: TestPhone, requestId: string, decision: 'approve' | 'deny', typedNumber: number | null) {
  const details = await readRequest(phone, requestId);
  expect(details.status).toBe(200);
  const result = await answer(world.relay.url, phone, details.body, decision, { typedNumber });
  return { details: details.body, result };
}

const creations = (calls: Harness['calls']) => calls.filter((c) => c.method === 'POST' && c.url.endsWith('/sign-in-requests'));

describe('brokered phone sign-in against the relay', () => {
  it('creates the request with the tab’s origin, the browser key and the collector key; approval hands the grant to the page', async () => {
    const h = harness();
    await start(h);
    const pending = await h.reach((v) => v.status === 'pending');
    expect(pending.number).toBeGreaterThanOrEqual(10);
    expect(pending.site).toBe(world.relay.url);
    expect(JSON.stringify(h.views)).not.toMatch(/collectorSecret/);

    const [created] = creations(h.calls);
    expect(JSON.parse(created.body!)).toMatchObject({ username: 'alice@contoso.example', origin: world.relay.url, kind: 'passwordless' });
    expect(created.headers.authorization).toMatch(/^Nod-Device id="/);
    expect(created.headers['nod-collector-key']).toBe('collector-key-of-this-browser-0123456789abcdef');

    // The collector secret lives in storage.session, and only there.
    const stored = await fakeBrowser.storage.session.get(null);
    expect(JSON.stringify(stored)).toMatch(/collectorSecret/);
    expect(JSON.stringify(await fakeBrowser.storage.local.get(null))).not.toMatch(/collectorSecret/);

    const { details, result } = await phoneAnswers(alice, pending.requestId!, 'approve', pending.number!);
    // The phone reads that a Nod browser Alice has not trusted signed it: the site is "not checked".
    expect(details.context).toMatchObject({ siteCheck: 'unchecked', signedBy: { registered: false } });
    expect(result.status).toBe(200);
    // She trusts it on the phone, with her PIN or biometric.
    expect((await trustBrowserOnPhone(world.relay.url, alice, details)).status).toBe(200);

    await h.reach((v) => v.status === 'redeemed');
    expect(h.grants).toEqual([{ tabId: 1, grant: expect.any(String), requestId: pending.requestId }]);
    expect(h.finished.map((r) => r.status)).toEqual(['redeemed']);
    // Once redeemed, the secret is gone from the store.
    expect(JSON.stringify(await fakeBrowser.storage.session.get(null))).not.toMatch(/collectorSecret/);
  });

  it('once Alice trusted the browser on her phone, its requests show the site it checked', async () => {
    const h = harness();
    await start(h, 2);
    const pending = await h.reach((v) => v.status === 'pending');
    const details = await readRequest(alice, pending.requestId!);
    expect(details.body.context).toMatchObject({ siteCheck: 'browser', origin: world.relay.url, signedBy: { registered: true } });
    await h.broker.cancel(2);
  });

  it('the extension shows the delivery stage: sent, then delivered once the phone acknowledges the request', async () => {
    const h = harness();
    await start(h, 7);
    const sent = await h.reach((v) => v.status === 'pending');
    expect(sent).toMatchObject({ delivery: 'sent', sentAt: expect.any(String) });
    const receipt = await alice.call('POST', `/api/device/sign-in-requests/${sent.requestId}/received`, { via: 'push' });
    expect(receipt.status).toBe(204);
    const delivered = await h.reach((v) => v.status === 'pending' && v.delivery === 'delivered');
    expect(delivered.number).toBe(sent.number);
    await h.broker.cancel(7);
  });

  it('a stopped service worker resumes the pending sign-in from storage.session without a second request', async () => {
    const calls: Harness['calls'] = [];
    const before = harness({}, calls);
    await start(before, 3);
    const pending = await before.reach((v) => v.status === 'pending');
    before.broker.dispose(); // the service worker stops: its fetches and timers die

    const after = harness({}, calls); // a new background, the same storage.session
    await after.broker.resume();
    await phoneAnswers(alice, pending.requestId!, 'approve', pending.number!);
    await after.reach((v) => v.status === 'redeemed');
    expect(after.grants.map((g) => g.requestId)).toEqual([pending.requestId]);
    expect(creations(calls)).toHaveLength(1);
  });

  it('a grant redeemed while the page was away is handed over when the page connects again', async () => {
    let connected = false;
    const h = harness({ deliverGrant: () => connected });
    await start(h, 4);
    const pending = await h.reach((v) => v.status === 'pending');
    await phoneAnswers(alice, pending.requestId!, 'approve', pending.number!);
    await h.reach((v) => v.status === 'redeemed');
    const delivered: string[] = [];
    connected = true;
    const again = harness({ deliverGrant: (_t, grant) => delivered.push(grant) > 0 });
    await again.broker.pageConnected(4);
    expect(delivered).toHaveLength(1);
    await again.broker.pageConnected(4);
    expect(delivered).toHaveLength(1); // once only
  });

  it('a denial ends the sign-in with a retry; retrying creates a fresh request', async () => {
    const calls: Harness['calls'] = [];
    const h = harness({}, calls);
    await start(h, 5);
    const pending = await h.reach((v) => v.status === 'pending');
    await phoneAnswers(alice, pending.requestId!, 'deny', null);
    const denied = await h.reach((v) => v.status === 'denied');
    expect(denied.number).toBeUndefined();
    expect(denied.message).toMatch(/denied/i);
    expect(h.grants).toHaveLength(0);

    expect(await h.broker.retry(5)).toBe(true);
    const second = await h.reach((v) => v.status === 'pending' && v.requestId !== pending.requestId);
    expect(creations(calls)).toHaveLength(2);
    await h.broker.cancel(5);
    expect(await h.broker.view(5)).toBeNull();
    // Cancelling at the desktop cancels at the relay.
    expect(calls.some((c) => c.method === 'DELETE' && c.url.endsWith(`/sign-in-requests/${second.requestId}`))).toBe(true);
  });

  it('a wrong number on the phone ends the sign-in with a clear message', async () => {
    const h = harness();
    await start(h, 6);
    const pending = await h.reach((v) => v.status === 'pending');
    const wrong = pending.number === 99 ? 98 : pending.number! + 1;
    await phoneAnswers(alice, pending.requestId!, 'approve', wrong);
    const ended = await h.reach((v) => v.status === 'wrong_number');
    expect(ended.message).toMatch(/did not match/i);
  });
});

describe('when the relay cannot or will not create the request', () => {
  const scripted =
    (answerWith: (url: string, init?: RequestInit) => Response | Promise<Response>): typeof fetch =>
    async (input, init) =>
      answerWith(String(input), init);

  it('a cool-down is shown with a retry, and nothing is followed', async () => {
    const h = harness({
      fetch: scripted(() => Response.json({ type: 'about:blank', code: 'cool_down', title: 'Too many', status: 429 }, { status: 429 })),
    });
    await start(h, 10);
    const view = await h.reach((v) => v.status === 'cool_down');
    expect(view.message).toMatch(/wait/i);
    expect(h.finished.map((r) => r.status)).toEqual(['cool_down']);
  });

  it('an unreachable relay says so', async () => {
    const h = harness({ fetch: scripted(() => Promise.reject(new TypeError('fetch failed'))) });
    await start(h, 11);
    expect((await h.reach((v) => v.status === 'not_created')).message).toMatch(/could not be reached/);
  });

  it('a request interrupted while being sent is not sent again on resume', async () => {
    const store = sessionSignInStore();
    await store.put({
      tabId: 12,
      site: 'https://nod.contoso.example',
      tenant: 'contoso',
      tenantDisplayName: 'Contoso',
      relayOrigin: 'https://nod.contoso.example',
      username: 'alice@contoso.example',
      status: 'creating',
      updatedAt: Date.now(),
    });
    const calls: string[] = [];
    const h = harness({
      fetch: scripted((url) => {
        calls.push(url);
        return Response.json({}, { status: 500 });
      }),
    });
    await h.broker.resume();
    expect((await h.broker.view(12))?.status).toBe('not_created');
    expect(calls).toEqual([]);
  });

  it('a request past its expiry with no word from the relay ends as expired', async () => {
    const h = harness({
      expiryGraceMs: 50,
      fetch: scripted((url, init) => {
        if (url.endsWith('/sign-in-requests')) {
          return Response.json(
            {
              requestId: 'req1',
              number: 42,
              expiresAt: new Date(Date.now() + 100).toISOString(),
              collectorSecret: 's'.repeat(43),
              status: 'pending',
              methods: [],
            },
            { status: 201 },
          );
        }
        if (url.endsWith('/events')) {
          // A stream that never says anything until it is aborted.
          return new Response(
            new ReadableStream({
              start(c) {
                init?.signal?.addEventListener('abort', () => c.error(new Error('aborted')));
              },
            }),
            { status: 200 },
          );
        }
        return Response.json({
          requestId: 'req1',
          status: 'expired',
          expiresAt: new Date().toISOString(),
          message: 'The request timed out.',
        });
      }),
    });
    await start(h, 13);
    expect((await h.reach((v) => v.status === 'expired')).message).toMatch(/timed out/);
  });
});
