/**
 * Every push the relay sends shows something on the phone (userVisibleOnly: Safari revokes a web
 * app's subscription after a few pushes that show nothing, Chrome shows its own notice), and the
 * service worker tells the relay what reached it. Real Chromium with the built app; the relay's
 * pushes go to the loopback push service, which decrypts them, and reach the service worker through
 * DevTools as the browser's push service would hand them over.
 */
import { Agent } from 'node:https';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPushHealth, pushHealth } from '../../server/push/checkPushHealth';
import { activatedServiceWorker, deliverPushMessage, launchBrowser, waitForNotifications } from '../helpers/browser';
import { type PushService, startPushService } from '../helpers/pushService';
import { type TestRelay, type TestTenant, fetchJson, startRelay } from '../helpers/startRelay';
import { enrollWithPhoneSignIn, openPhone, type Phone } from './pwaSupport';

const alice = 'alice@contoso.example';

describe('pushes on the phone: always visible, acknowledged, and kept alive', () => {
  let push: PushService;
  let relay: TestRelay;
  let contoso: TestTenant;
  let browser: Browser;
  let phone: Phone;
  let offset = 0;
  let deviceId: string;

  beforeAll(async () => {
    push = await startPushService();
    relay = await startRelay({}, { pushAgent: new Agent({ ca: push.ca, keepAlive: true }), now: () => Date.now() + offset });
    contoso = await relay.tenant('contoso', { displayName: 'Contoso' });
    await contoso.admin('POST', '/users', { username: alice, displayName: 'Alice' });
    await contoso.admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'all_users', mode: 'any' }] });
    browser = await launchBrowser();
    phone = await openPhone(browser, relay.url, { pushSubscription: push.createSubscription().subscription });
    await phone.context.grantPermissions(['notifications'], { origin: relay.url });
    await enrollWithPhoneSignIn(phone.page, relay.url, contoso, alice);
    deviceId = (await contoso.admin('GET', `/users/${alice}/registrations`)).body.registrations[0].deviceId;
  });
  afterAll(async () => {
    await browser?.close();
    await relay?.close();
    await push?.close();
  });

  const device = async () => (await relay.ctx.storage.devices.byId(deviceId))!;
  /** What the service worker's registration shows (`getNotifications()`), read in the worker itself. */
  const shown = async (tag?: string): Promise<Array<{ tag: string; title: string }>> => {
    const worker = phone.context.serviceWorkers().find((w) => w.url().startsWith(`${relay.url}/app/`));
    if (!worker) return [];
    return worker.evaluate(async (wanted) => {
      const list: Notification[] = await (self as any).registration.getNotifications(wanted ? { tag: wanted } : undefined);
      return list.map((n) => ({ tag: n.tag, title: n.title }));
    }, tag);
  };
  /** The titles shown under this tag, read once the worker handled every push delivered to it (never polled: see waitForNotifications). */
  const titles = async (tag: string) => (await waitForNotifications(phone.page, tag, 1)).map((n) => n.title);
  /** The relay's push as the loopback push service decrypted it, handed to the app's service worker. */
  const deliver = async (predicate: (payload: any) => boolean) => {
    const pushed = await push.waitFor((m) => m.payload !== undefined && predicate(m.payload));
    const worker = await activatedServiceWorker(phone.page, `${relay.url}/app/`);
    await deliverPushMessage(phone.page, worker, pushed.payloadText);
    return pushed;
  };

  it('each push type shows one notification under its tag; a sign-in push is acknowledged, its withdrawal replaces it', async () => {
    // The app sends its subscription to the relay once notifications are allowed.
    await expect.poll(async () => (await device()).pushState, { timeout: 15_000 }).toBe('subscribed');
    const created = await fetchJson(`${relay.url}/api/t/contoso/sign-in-requests`, {
      body: { username: alice, origin: 'https://portal.contoso.example', client: { applicationName: 'Contoso Portal' } },
    });
    expect(created.status).toBe(201);
    const { requestId, collectorSecret } = created.body;

    // sign_in_request: "Approve sign-in request", and the service worker's receipt reaches the relay.
    await deliver((p) => p.type === 'sign_in_request' && p.requestId === requestId);
    expect(await titles(requestId)).toEqual(['Approve sign-in request']);
    await expect.poll(async () => (await device()).lastReceiptAt).not.toBeNull();
    const state = await fetchJson(`${relay.url}/api/sign-in-requests/${requestId}`, {
      headers: { authorization: `Bearer ${collectorSecret}` },
    });
    // This caller is a stranger's browser (no first factor, never signed Alice in): it is told nothing of the
    // delivery, like for a username that does not exist (tests/integration/delivery.test.ts). The log has it.
    expect(state.body.delivery).toBe('sent');
    const log = (await contoso.admin('GET', '/audit?type=sign_in_request.delivered')).body.events;
    expect(log.filter((e: { detail: { requestId: string } }) => e.detail.requestId === requestId)).toHaveLength(1);

    // sign_in_request_closed: the same tag now says the request ended; never a push that shows nothing.
    expect(
      (
        await fetchJson(`${relay.url}/api/sign-in-requests/${requestId}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${collectorSecret}` },
        })
      ).status,
    ).toBe(204);
    await deliver((p) => p.type === 'sign_in_request_closed' && p.requestId === requestId);
    expect(await titles(requestId)).toEqual(['Sign-in request ended']);

    // push_health_check: a quiet notice, and the answer counts as a receipt.
    offset = pushHealth.checkAfterMs + 60 * 60_000;
    try {
      await checkPushHealth(relay.ctx);
    } finally {
      offset = 0;
    }
    expect((await device()).healthCheckSentAt).not.toBeNull();
    await deliver((p) => p.type === 'push_health_check' && p.deviceId === deviceId);
    expect(await titles('nod-health-check')).toEqual(['Nod can reach this phone']);
    await expect.poll(async () => (await device()).healthCheckSentAt).toBeNull();

    // One visible notification per push type, nothing else: three pushes, three tags.
    const all = await shown();
    expect(all.map((n) => `${n.tag === requestId ? 'request' : n.tag}: ${n.title}`).sort()).toEqual([
      'nod-health-check: Nod can reach this phone',
      'request: Sign-in request ended',
    ]);
    // A push the app cannot read still shows something.
    const worker = await activatedServiceWorker(phone.page, `${relay.url}/app/`);
    await deliverPushMessage(phone.page, worker, '{"type":"something_new"}');
    expect(await titles('nod-unknown')).toEqual(['Nod']);
  });

  it('pushsubscriptionchange: the service worker sends the new subscription to the relay, device-signed', async () => {
    const next = push.createSubscription();
    expect((await device()).pushSubscription?.endpoint).not.toBe(next.subscription.endpoint);
    const worker = phone.context.serviceWorkers().find((w) => w.url().startsWith(`${relay.url}/app/`));
    expect(worker).toBeDefined();
    // The browser would fire it when the push service replaced the subscription (Chromium never does).
    await worker!.evaluate((json) => {
      const scope = self as any;
      const event = new scope.ExtendableEvent('pushsubscriptionchange');
      Object.defineProperty(event, 'oldSubscription', { value: null });
      Object.defineProperty(event, 'newSubscription', { value: { endpoint: json.endpoint, toJSON: () => json } });
      try {
        scope.dispatchEvent(event);
      } catch {
        // waitUntil refuses a dispatched event; the handler started its work before asking.
      }
    }, next.subscription);
    await expect.poll(async () => (await device()).pushSubscription?.endpoint).toBe(next.subscription.endpoint);
    expect((await device()).pushState).toBe('subscribed');

    // Pushes now go to the new subscription.
    const created = await fetchJson(`${relay.url}/api/t/contoso/sign-in-requests`, {
      body: { username: alice, origin: 'https://portal.contoso.example' },
    });
    const pushed = await push.waitFor((m) => m.payload?.requestId === created.body.requestId);
    expect(pushed.subscriptionId).toBe(next.id);
  });
});
