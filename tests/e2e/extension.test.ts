/**
 * Journey 6 in real Chromium with the built extension loaded: the options page adds the relay, a page
 * on a registered sign-in origin hands phone sign-in off to the extension, which creates the request
 * with its own key and the tab's real origin, shows the number only in its own UI, and hands the grant
 * back after the phone approves; a stopped service worker resumes without a second request; a
 * look-alike on another loopback origin gets a warning and never a request; forged messages get nothing.
 *
 * Permissions: the test build (tests/helpers/builds.ts) lists http://localhost/* and http://127.0.0.1/*
 * as host permissions (NOD_EXTENSION_TEST_HOSTS): Playwright cannot click the permission prompt, and with the permission
 * already granted `permissions.request` resolves at once, so the options page runs its ordinary path.
 * http://localhost/* stands for the relay's origin; http://127.0.0.1/* stands for the person having
 * turned on look-alike protection on every site.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir } from '../helpers/browser';
import type { TestPhone } from '../helpers/enrollPhone';
import { answer, createRequest, trustBrowserOnPhone } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import type { DemoSite } from '../../server/demo/createDemoSite';
import { startContosoPortal } from '../helpers/contosoPortal';
import {
  type ExtensionBrowser,
  type LoopbackSite,
  clickInExtensionUi,
  launchWithExtension,
  panelFrameOf,
  readExtensionUi,
  serveSite,
  waitForExtensionUi,
} from './extensionSupport';

const alice = 'alice@contoso.example';

/** A page that speaks the hosted page's hand-off (shared/schemas/signInPageMarker.ts) and records what it hears. */
const handOffPage = (title: string, extra = '') => `<!doctype html>
<html lang="en"><head>
<meta charset="utf-8">
<meta name="nod-sign-in" content='{"v":1,"tenant":"contoso","step":"phone"}'>
<title>${title}</title>
</head><body>
<h1>Sign in</h1>
<form><label>Username <input name="username" autocomplete="username"></label></form>
<p>Other ways to sign in</p><p>Approve a request on my Authenticator app</p>
<script>
  window.heard = [];
  window.fromFrames = [];
  addEventListener('message', (event) => {
    if (event.source !== window) {
      window.fromFrames.push(event.data);
      return;
    }
    window.heard.push(event.data);
    if (event.data && event.data.type === 'nod:extension-ready') document.body.dataset.ready = 'yes';
    if (event.data && event.data.type === 'nod:grant') document.body.dataset.grant = event.data.grant;
  });
  window.handOff = (username) => postMessage({ type: 'nod:phone-sign-in-requested', username }, location.origin);
  postMessage({ type: 'nod:extension-probe' }, location.origin);
</script>
${extra}
</body></html>`;

/**
 * From another origin: tries to start a sign-in in its parent, and asks for secrets, when it loads and
 * whenever told to; then says it is done (messages from one window to another arrive in order).
 */
const forgerFrame = `<!doctype html><html><body><script>
  window.forge = (round) => {
    parent.postMessage({ type: 'nod:phone-sign-in-requested', username: '${alice}' }, '*');
    parent.postMessage({ type: 'nod:get-collector-secret' }, '*');
    parent.postMessage({ type: 'forger:done', round }, '*');
  };
  forge('load');
</script></body></html>`;

describe('the browser extension in Chromium', () => {
  let world: SignInWorld;
  let phone: TestPhone;
  let registered: LoopbackSite;
  let elsewhere: LoopbackSite;
  let ext: ExtensionBrowser;
  let portal: DemoSite;

  const created = async () => {
    const audit = await world.contoso.admin('GET', '/audit?type=sign_in_request.created');
    return audit.body.events as Array<{ origin?: string; username?: string }>;
  };

  const heard = (page: Page) => page.evaluate(() => (window as unknown as { heard: unknown[] }).heard);

  beforeAll(async () => {
    world = await startSignInWorld();
    portal = await startContosoPortal(world.relay, world.contoso);
    phone = await world.enroll(alice);
    elsewhere = await serveSite({ '/signin': handOffPage('Sign in to Contoso'), '/forger': forgerFrame }, '127.0.0.1');
    registered = await serveSite(
      { '/signin': handOffPage('Sign in', `<iframe src="${elsewhere.origin}/forger" title="ad"></iframe>`) },
      'localhost',
    );
    // The stand-in sign-in page's origin is one of Contoso's registered sign-in origins (as a custom domain would be).
    const patched = await world.contoso.admin('PATCH', '', { signInOrigins: [registered.origin] });
    expect(patched.status).toBe(200);
    ext = await launchWithExtension();
    fs.mkdirSync(artifactsDir, { recursive: true });
  });

  afterAll(async () => {
    await ext?.close();
    await portal?.close();
    await registered?.close();
    await elsewhere?.close();
    await world?.close();
  });

  it('the options page adds the relay: discovery, a non-extractable browser key, registration with the tenant', async () => {
    const options = await ext.context.newPage();
    await options.goto(`chrome-extension://${ext.extensionId}/options.html`);
    await options.getByLabel('Relay address').fill(world.relay.url);
    await options.getByRole('button', { name: 'Add relay' }).click();
    const relay = options.getByTestId('relay');
    await relay.waitFor();
    await expect.poll(() => relay.textContent()).toContain('This browser is registered with the relay.');
    expect(await relay.textContent()).toContain('Contoso');
    expect(await relay.textContent()).toContain(new URL(registered.origin).host);
    const key = await options.evaluate(
      () =>
        new Promise<{ extractable: boolean; algorithm: string; usages: string[] }>((resolve, reject) => {
          const open = indexedDB.open('nod-extension');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction('keys').objectStore('keys').get('browser');
            get.onsuccess = () => {
              const k = get.result.privateKey as CryptoKey;
              resolve({ extractable: k.extractable, algorithm: (k.algorithm as EcKeyAlgorithm).namedCurve, usages: k.usages });
            };
          };
        }),
    );
    expect(key).toEqual({ extractable: false, algorithm: 'P-256', usages: ['sign'] });
    await options.close();
  });

  it('brokers on a registered sign-in origin: the number only in the extension’s panel, the grant handed to the page', async () => {
    const page = await ext.context.newPage();
    await page.goto(`${registered.origin}/signin`);
    await page.waitForSelector('body[data-ready="yes"]');
    await page.evaluate((username) => (window as unknown as { handOff(u: string): void }).handOff(username), alice);

    const ui = await waitForExtensionUi(page, (u) => /^\d{2}$/.test(u.byTestId.number ?? ''));
    const number = Number(ui.byTestId.number);
    expect(ui.mode).toBe('closed');
    // The number is in the panel's frame: the extension's own page, on the extension's origin.
    expect(ui.panelFrameUrl).toMatch(new RegExp(`^chrome-extension://${ext.extensionId}/panel\\.html#`));
    expect(ui.byTestId['verified-site']).toBe(`http://${new URL(registered.origin).host}`);
    expect(ui.byTestId.countdown).toMatch(/Expires in [12]:\d\d/);
    // The page cannot reach into the panel.
    expect(await page.evaluate(() => document.querySelector('nod-extension-ui')?.shadowRoot ?? null)).toBeNull();
    await page.screenshot({ path: path.join(artifactsDir, 'extension-panel.png') });

    // The toolbar badge shows the number for this tab.
    const worker = await ext.worker();
    const badge = await worker.evaluate(async (origin) => {
      const chrome = (globalThis as any).chrome;
      const [tab] = await chrome.tabs.query({ url: `${origin}/*` });
      return chrome.action.getBadgeText({ tabId: tab.id });
    }, registered.origin);
    expect(badge).toBe(String(number));

    // The popup shows the pending sign-in too: for its tab with the number and the countdown, and from any other tab.
    const tabId = await worker.evaluate(
      async (origin) => (await (globalThis as any).chrome.tabs.query({ url: `${origin}/*` }))[0].id,
      registered.origin,
    );
    const popup = await ext.context.newPage();
    await popup.setViewportSize({ width: 360, height: 460 });
    await popup.goto(`chrome-extension://${ext.extensionId}/popup.html?tabId=${tabId}`);
    await expect.poll(() => popup.getByTestId('number').textContent()).toBe(String(number));
    await expect.poll(() => popup.getByTestId('countdown').textContent()).toMatch(/Expires in [12]:\d\d/);
    await popup.screenshot({ path: path.join(artifactsDir, 'extension-popup.png') });
    await popup.goto(`chrome-extension://${ext.extensionId}/popup.html`);
    await expect.poll(() => popup.getByTestId('nod-popup').textContent()).toContain('Pending in other tabs');
    expect(await popup.getByTestId('nod-popup').textContent()).toContain(String(number));
    await popup.close();

    // The phone sees that a Nod browser signed the request; as Alice has not trusted it yet, the site is "not checked".
    const pending = await phone.call('GET', '/api/device/sign-in-requests');
    const request = pending.body.requests.find((r: { context: { signedBy?: unknown } }) => r.context.signedBy);
    expect(request).toBeDefined();
    expect(request.context).toMatchObject({ siteCheck: 'unchecked', signedBy: { name: 'Chrome on Linux', registered: false } });
    expect(request.context).not.toHaveProperty('origin');

    // The delivery stage in the panel: "sent". This browser is not yet registered for Alice, so it does not know
    // she is real: her phone's receipt tells it nothing (a mistyped username reads the same).
    expect(ui.byTestId.delivery).toBe('Sent to your phone.');
    expect((await phone.call('POST', `/api/device/sign-in-requests/${request.requestId}/received`, { via: 'push' })).status).toBe(204);
    expect((await waitForExtensionUi(page, (u) => u.byTestId.number === String(number))).byTestId.delivery).toBe('Sent to your phone.');

    const approved = await answer(world.relay.url, phone, request, 'approve', { typedNumber: number });
    expect(approved.status).toBe(200);
    // "Trust this browser for future sign-ins?" — yes, with her PIN: from now on the phone shows the site it checked.
    expect((await trustBrowserOnPhone(world.relay.url, phone, request)).status).toBe(200);
    await page.waitForSelector('body[data-grant]');
    await waitForExtensionUi(page, (u) => u.text.includes('Signing you in'));

    // Nothing the extension told the page carries the number or the collector secret.
    const told = (await heard(page)).filter(
      (m) => (m as { type?: string }).type !== 'nod:extension-probe' && (m as { type?: string }).type !== 'nod:phone-sign-in-requested',
    );
    expect(told.map((m) => (m as { type: string }).type)).toEqual(
      expect.arrayContaining(['nod:extension-ready', 'nod:status', 'nod:grant']),
    );
    for (const message of told) {
      expect(message).not.toHaveProperty('number');
      expect(JSON.stringify(message)).not.toMatch(/collectorSecret/);
    }
    await page.close();
  });

  it('page scripts cannot find the number that the panel shows (window.find, innerText, shadow roots, frames)', async () => {
    const page = await ext.context.newPage();
    await page.goto(`${registered.origin}/signin`);
    await page.waitForSelector('body[data-ready="yes"]');
    await page.evaluate((username) => (window as unknown as { handOff(u: string): void }).handOff(username), alice);
    const ui = await waitForExtensionUi(page, (u) => /^\d{2}$/.test(u.byTestId.number ?? ''));
    const number = ui.byTestId.number;

    // The panel visibly shows the number: in its frame, on the page, with room to be seen.
    const frame = panelFrameOf(page);
    expect(frame).toBeDefined();
    const shown = frame!.getByTestId('number');
    expect(await shown.textContent()).toBe(number);
    expect(await shown.isVisible()).toBe(true);
    const box = await (await frame!.frameElement()).boundingBox();
    expect(box?.width).toBeGreaterThan(200);
    expect(box?.height).toBeGreaterThan(150);

    // Everything a script of the page can try finds nothing. (The page's own text has no digits.)
    const found = await page.evaluate((digits) => {
      const reachableShadowText: string[] = [];
      for (const element of document.querySelectorAll('*'))
        if (element.shadowRoot) reachableShadowText.push(element.shadowRoot.textContent ?? '');
      const frameText: string[] = [];
      for (let i = 0; i < window.frames.length; i++) {
        try {
          frameText.push(window.frames[i].document.body.textContent ?? '');
        } catch {
          // another origin: not readable, as it should be
        }
      }
      const findable = (window as unknown as { find(text: string): boolean }).find(digits);
      return {
        find: findable,
        // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, as a script scraping the page reads it
        innerText: document.body.innerText.includes(digits),
        textContent: (document.documentElement.textContent ?? '').includes(digits),
        shadowRoots: reachableShadowText.join(' ').includes(digits),
        frames: frameText.join(' ').includes(digits),
        extensionHostReadable: document.querySelector('nod-extension-ui')?.shadowRoot !== null,
      };
    }, number);
    expect(found).toEqual({
      find: false,
      innerText: false,
      textContent: false,
      shadowRoots: false,
      frames: false,
      extensionHostReadable: false,
    });

    await page.evaluate(() => postMessage({ type: 'nod:phone-sign-in-cancelled' }, location.origin));
    await waitForExtensionUi(page, (u) => !u.testIds.includes('nod-panel'));
    await page.close();
  });

  it('a service worker stopped mid-wait resumes from storage.session with no second request', async () => {
    const before = (await created()).length;
    const page = await ext.context.newPage();
    await page.goto(`${registered.origin}/signin`);
    await page.waitForSelector('body[data-ready="yes"]');
    await page.evaluate((username) => (window as unknown as { handOff(u: string): void }).handOff(username), alice);
    const ui = await waitForExtensionUi(page, (u) => /^\d{2}$/.test(u.byTestId.number ?? ''));
    const number = Number(ui.byTestId.number);

    await ext.stopServiceWorkers();
    // The page's port closes; reconnecting wakes the background, which resumes the waiting sign-in.
    await waitForExtensionUi(page, (u) => u.byTestId.number === String(number));

    const pending = await phone.call('GET', '/api/device/sign-in-requests');
    const request = pending.body.requests.find((r: { context: { origin: string } }) => r.context.origin === registered.origin);
    // Alice trusted this browser at her first sign-in: a registered browser of hers sees the delivery stage.
    expect((await phone.call('POST', `/api/device/sign-in-requests/${request.requestId}/received`, { via: 'push' })).status).toBe(204);
    await waitForExtensionUi(page, (u) => u.byTestId.delivery === 'Delivered to your phone.');
    expect((await answer(world.relay.url, phone, request, 'approve', { typedNumber: number })).status).toBe(200);
    await page.waitForSelector('body[data-grant]');
    expect((await created()).length).toBe(before + 1);
    await page.close();
  });

  it('a denial shows in the panel with Send another request; the page leaving phone sign-in cancels at the relay', async () => {
    const page = await ext.context.newPage();
    await page.goto(`${registered.origin}/signin`);
    await page.waitForSelector('body[data-ready="yes"]');
    await page.evaluate((username) => (window as unknown as { handOff(u: string): void }).handOff(username), alice);
    await waitForExtensionUi(page, (u) => /^\d{2}$/.test(u.byTestId.number ?? ''));
    const waiting = async () =>
      ((await phone.call('GET', '/api/device/sign-in-requests')).body.requests as any[]).filter(
        (r) => r.context.origin === registered.origin,
      );
    const [first] = await waiting();
    expect((await answer(world.relay.url, phone, first, 'deny')).status).toBe(200);
    const denied = await waitForExtensionUi(page, (u) => u.text.includes('Sign-in denied'));
    expect(denied.testIds).not.toContain('number');
    await page.screenshot({ path: path.join(artifactsDir, 'extension-panel-denied.png') });
    expect((await heard(page)).some((m: any) => m?.type === 'nod:status' && m.status === 'denied')).toBe(true);

    await clickInExtensionUi(page, 'Send another request');
    await expect.poll(async () => (await waiting()).map((r) => r.requestId)).toEqual([expect.not.stringMatching(first.requestId)]);
    await waitForExtensionUi(page, (u) => /^\d{2}$/.test(u.byTestId.number ?? ''));

    // The person picks another way to sign in: the page says so, and the extension cancels its request.
    await page.evaluate(() => postMessage({ type: 'nod:phone-sign-in-cancelled' }, location.origin));
    await expect.poll(async () => (await waiting()).length).toBe(0);
    await waitForExtensionUi(page, (u) => !u.testIds.includes('nod-panel'));
    await page.close();
  });

  it('a look-alike on another loopback origin gets the warning, and the relay records no request', async () => {
    const before = (await created()).length;
    const page = await ext.context.newPage();
    await page.goto(`${elsewhere.origin}/signin`);
    const ui = await waitForExtensionUi(page, (u) => u.testIds.includes('nod-lookalike-warning'));
    expect(ui.text).toContain('Warning: this is not a genuine Contoso sign-in page');
    expect(ui.text).toContain(new URL(registered.origin).host);
    await page.screenshot({ path: path.join(artifactsDir, 'extension-lookalike-warning.png') });

    // The look-alike tries to hand off anyway, and to fish for secrets.
    await page.evaluate((username) => {
      const w = window as unknown as { handOff(u: string): void };
      w.handOff(username);
      postMessage({ type: 'nod:get-collector-secret' }, location.origin);
      postMessage({ type: 'nod:phone-sign-in-requested', username: 42 }, location.origin);
      postMessage('nod:phone-sign-in-requested', location.origin);
    }, alice);
    // A barrier rather than a pause: the page stops looking like a sign-in page. The content script reports
    // that on the same port, after anything it might have forwarded, and the background handles one port's
    // messages one at a time, in order: once the warning is gone, whatever the hand-off could have started
    // at the relay has happened.
    await page.evaluate(() => {
      document.body.replaceChildren();
      document.querySelector('meta[name="nod-sign-in"]')?.remove();
      document.title = 'Nothing to see';
    });
    await waitForExtensionUi(page, (u) => u.present && !u.testIds.includes('nod-lookalike-warning'));
    expect((await created()).length).toBe(before);
    const told = (await heard(page)).filter(
      (m) =>
        !['nod:extension-probe', 'nod:phone-sign-in-requested', 'nod:get-collector-secret'].includes((m as { type?: string })?.type ?? ''),
    );
    expect(told.filter((m) => typeof m === 'object')).toEqual([]);
    // Pages cannot message the extension directly (no externally_connectable).
    expect(
      await page.evaluate(() => typeof (globalThis as { chrome?: { runtime?: { sendMessage?: unknown } } }).chrome?.runtime?.sendMessage),
    ).toBe('undefined');
    await page.close();
  });

  it('a frame from another origin cannot start a sign-in in the genuine page', async () => {
    const before = (await created()).length;
    const page = await ext.context.newPage();
    await page.goto(`${registered.origin}/signin`);
    await page.waitForSelector('body[data-ready="yes"]');
    // The extension now listens on the page (the frame's first try, at load, may have come before): the frame tries again.
    await page.frameLocator('iframe').locator('body').waitFor({ state: 'attached' });
    const frame = page.frames().find((f) => f.url() === `${elsewhere.origin}/forger`)!;
    await frame.evaluate(() => (window as unknown as { forge(round: string): void }).forge('ready'));
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { fromFrames: any[] }).fromFrames.some((m) => m?.round === 'ready')))
      .toBe(true);
    expect((await readExtensionUi(page)).testIds).not.toContain('number');

    // A barrier rather than a pause: the page's own hand-off goes over the same port after anything the
    // frame's messages could have sent, and the background handles one port's messages one at a time; when
    // its number shows, a request the frame had started would have been created before it.
    await page.evaluate((username) => (window as unknown as { handOff(u: string): void }).handOff(username), alice);
    await waitForExtensionUi(page, (u) => /^\d{2}$/.test(u.byTestId.number ?? ''));
    expect((await created()).length).toBe(before + 1);

    await page.evaluate(() => postMessage({ type: 'nod:phone-sign-in-cancelled' }, location.origin));
    await expect
      .poll(async () =>
        ((await phone.call('GET', '/api/device/sign-in-requests')).body.requests as any[]).filter(
          (r) => r.context.origin === registered.origin,
        ),
      )
      .toEqual([]);
    await page.close();
  });

  it('Contoso Portal gets a Sign in with Nod offer; the genuine hosted page is brokered end to end and the portal signs Alice in', async () => {
    const page = await ext.context.newPage();
    await page.goto(portal.url);
    // The portal declares Contoso's issuer as its identity provider.
    await waitForExtensionUi(page, (u) => u.testIds.includes('nod-offer'));
    await clickInExtensionUi(page, 'Sign in with Nod');
    await expect.poll(() => page.url()).toContain(`${world.relay.url}/t/contoso/interaction/`);

    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Username').fill(alice);
    await page.getByRole('button', { name: 'Next' }).click();
    // The page hands off to the extension: it says so, and shows no number of its own.
    await page.getByText('Your Nod browser extension shows the number').waitFor();
    const ui = await waitForExtensionUi(page, (u) => /^\d{2}$/.test(u.byTestId.number ?? ''));
    expect(ui.byTestId['verified-site']).toBe(world.relay.url);
    expect(await page.getByTestId('number').count()).toBe(0);
    await page.screenshot({ path: path.join(artifactsDir, 'extension-panel-hosted-page.png') });

    const pending = await phone.call('GET', '/api/device/sign-in-requests');
    const request = pending.body.requests.find((r: { context: { origin: string } }) => r.context.origin === world.relay.url);
    // The origin checked by Alice's registered browser, and the application named from the page's interaction.
    expect(request.context).toMatchObject({ origin: world.relay.url, applicationName: 'Contoso Portal', siteCheck: 'browser' });

    // Alice looks at another tab while the phone approves: the outcome comes as a notification.
    const other = await ext.context.newPage();
    await other.bringToFront();
    expect((await answer(world.relay.url, phone, request, 'approve', { typedNumber: Number(ui.byTestId.number) })).status).toBe(200);
    const worker = await ext.worker();
    await expect
      .poll(() => worker.evaluate(async () => Object.keys(await (globalThis as any).chrome.notifications.getAll())), { timeout: 15_000 })
      .not.toHaveLength(0);
    await other.close();
    await page.bringToFront();
    await page.getByRole('heading', { name: 'Hello, alice' }).waitFor();
    expect(new URL(page.url()).origin).toBe(portal.url);
    await page.close();
  });

  it('the popup’s account list fills the username on the genuine page', async () => {
    await ext.context.clearCookies(); // signed out of the portal and the relay
    const page = await ext.context.newPage();
    await page.goto(portal.url);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const worker = await ext.worker();
    const tabId = await worker.evaluate(
      async (url) => (await (globalThis as any).chrome.tabs.query({ url: `${url}/*` }))[0].id,
      world.relay.url,
    );
    const popup = await ext.context.newPage();
    await popup.goto(`chrome-extension://${ext.extensionId}/popup.html`);
    await expect.poll(() => popup.getByTestId('nod-popup').textContent()).toContain('Accounts used in this browser');
    // The popup normally acts on the active tab; here it is opened as a tab itself, so ask as it would.
    const reply = await popup.evaluate(
      ([id, username]) => (globalThis as any).chrome.runtime.sendMessage({ type: 'ui:pickAccount', payload: { tabId: id, username } }),
      [tabId, alice] as const,
    );
    expect(reply).toEqual({ ok: true });
    await expect.poll(() => page.getByLabel('Username').inputValue()).toBe(alice);
    await popup.close();
    await page.close();
  });

  it('“require a registered browser”: no request reaches the phone until a TAP registers this browser for the user', async () => {
    const dave = 'dave@contoso.example';
    await world.contoso.admin('POST', '/users', { username: dave, displayName: 'Dave' });
    await world.contoso.admin('PUT', `/groups/Sales/members/${dave}`);
    const davesPhone = await world.enroll(dave);
    const policy = (await world.contoso.admin('GET', '/policy')).body;
    expect((await world.contoso.admin('PUT', '/policy', { ...policy, requireRegisteredBrowser: true })).status).toBe(200);
    const waitingOnPhone = async () => (await davesPhone.call('GET', '/api/device/sign-in-requests')).body.requests as any[];
    try {
      // A request made without the extension (the page's own call) is never delivered.
      expect((await createRequest(world.relay.url, 'contoso', { username: dave, origin: registered.origin })).status).toBe(201);
      // Nor is one the extension makes before this browser is registered for Dave.
      const page = await ext.context.newPage();
      await page.goto(`${registered.origin}/signin`);
      await page.waitForSelector('body[data-ready="yes"]');
      await page.evaluate((username) => (window as unknown as { handOff(u: string): void }).handOff(username), dave);
      await waitForExtensionUi(page, (u) => /^\d{2}$/.test(u.byTestId.number ?? ''));
      expect(await waitingOnPhone()).toEqual([]);

      // Dave's admin gives him a Temporary Access Pass; the options page registers this browser for him.
      const tap = (await world.contoso.admin('POST', `/users/${dave}/temporary-access-pass`, {})).body.temporaryAccessPass;
      const options = await ext.context.newPage();
      await options.goto(`chrome-extension://${ext.extensionId}/options.html`);
      await options.getByRole('button', { name: 'Register this browser for an account with a Temporary Access Pass' }).click();
      const form = options.getByRole('form', { name: 'Register this browser for an account' });
      await form.getByLabel('Username').fill(dave);
      await form.getByLabel('Temporary Access Pass').fill(tap);
      await form.getByRole('button', { name: 'Register' }).click();
      await form.getByText(`This browser is registered for ${dave}.`).waitFor();
      await options.close();

      // Now the extension's request reaches Dave's phone, marked as from his registered browser.
      await page.evaluate((username) => (window as unknown as { handOff(u: string): void }).handOff(username), dave);
      await expect.poll(async () => (await waitingOnPhone()).length).toBe(1);
      const [request] = await waitingOnPhone();
      expect(request.context).toMatchObject({ origin: registered.origin, siteCheck: 'browser' });
      // The relay has the request before the extension has stored its answer: wait for the extension's record of it.
      const stored = async () => {
        const session = await (await ext.worker()).evaluate(() => (globalThis as any).chrome.storage.session.get(null));
        return (Object.values(session) as any[]).find((r) => r?.requestId === request.requestId);
      };
      await expect.poll(stored, { timeout: 15_000 }).toMatchObject({ number: expect.any(Number) });
      const { number } = await stored();
      expect((await answer(world.relay.url, davesPhone, request, 'approve', { typedNumber: number })).status).toBe(200);
      await page.waitForSelector('body[data-grant]');
      await page.close();
    } finally {
      await world.contoso.admin('PUT', '/policy', policy);
    }
  });

  it('an adversary in the middle on a look-alike origin gets no grant, even when the user approves; phishing_blocked is recorded', async () => {
    // The look-alike relays the genuine sign-in: it speaks the hosted page's hand-off and takes whatever grant it is handed.
    // It stands on an origin the extension still believes is Contoso's: Contoso had registered it, then lost the domain and
    // removed it, and the extension read discovery minutes ago. Only the relay's check against its own records stops it.
    const aitm = await serveSite({ '/signin': handOffPage('Sign in') }, 'localhost');
    const setOrigins = async (origins: string[]) =>
      expect((await world.contoso.admin('PATCH', '', { signInOrigins: origins })).status).toBe(200);
    const phishingBlocked = async () =>
      ((await world.contoso.admin('GET', '/audit?type=phishing_blocked')).body.events as any[]).filter((e) => e.origin === aitm.origin);
    /** The options page reads discovery again (as it does every few minutes by itself), and shows the sign-in addresses it knows. */
    const refreshExtension = async (host: string) => {
      const options = await ext.context.newPage();
      await options.goto(`chrome-extension://${ext.extensionId}/options.html`);
      await options.getByRole('button', { name: 'Read the organizations and sign-in addresses again' }).click();
      await expect.poll(() => options.getByTestId('relay').textContent()).toContain(host);
      await options.close();
    };
    const startAtAitm = async () => {
      const page = await ext.context.newPage();
      await page.goto(`${aitm.origin}/signin`);
      await page.waitForSelector('body[data-ready="yes"]');
      await page.evaluate((username) => (window as unknown as { handOff(u: string): void }).handOff(username), alice);
      return page;
    };
    try {
      await setOrigins([registered.origin, aitm.origin]);
      await refreshExtension(new URL(aitm.origin).host);

      // 1. The domain is lost while a request waits on the phone: Alice approves it, and nothing is approved.
      const first = await startAtAitm();
      const ui = await waitForExtensionUi(first, (u) => /^\d{2}$/.test(u.byTestId.number ?? ''));
      const waiting = async () =>
        ((await phone.call('GET', '/api/device/sign-in-requests')).body.requests as any[]).filter((r) => r.context.origin === aitm.origin);
      await expect.poll(async () => (await waiting()).length).toBe(1);
      const [request] = await waiting();
      expect(request.context).toMatchObject({ siteCheck: 'browser', origin: aitm.origin });
      await setOrigins([registered.origin]);
      const approved = await answer(world.relay.url, phone, request, 'approve', { typedNumber: Number(ui.byTestId.number) });
      expect(approved.status).toBe(403);
      expect(approved.body).toMatchObject({
        code: 'phishing_blocked',
        detail: "This sign-in was on a site that is not Contoso's — nothing was approved.",
      });
      await waitForExtensionUi(first, (u) => u.text.includes('not your organization'));
      expect((await phishingBlocked()).map((e) => e.detail.stage)).toEqual(['approved']);
      expect(await first.evaluate(() => document.body.dataset.grant ?? null)).toBeNull();

      // 2. A new try from the same look-alike is refused at creation: nothing reaches the phone at all.
      await first.evaluate(() => postMessage({ type: 'nod:phone-sign-in-cancelled' }, location.origin));
      await first.close();
      const second = await startAtAitm();
      await waitForExtensionUi(second, (u) => u.text.includes("not Contoso's"));
      expect(await waiting()).toEqual([]);
      const blocked = await phishingBlocked();
      expect(blocked.map((e) => e.detail.stage).sort()).toEqual(['approved', 'created']);
      expect(blocked.find((e) => e.detail.stage === 'created')).toMatchObject({
        username: alice,
        deviceId: expect.any(String),
        detail: {
          observedOrigin: aitm.origin,
          observedBy: 'browser',
          browserRegistered: true,
          browserStatement: expect.stringMatching(/^Nod-Device /),
        },
      });
      // The look-alike never got a grant.
      expect(await second.evaluate(() => document.body.dataset.grant ?? null)).toBeNull();
      expect((await heard(second)).some((m: any) => m?.type === 'nod:grant')).toBe(false);
      await second.close();
    } finally {
      await setOrigins([registered.origin]);
      await aitm.close();
    }
  });

  it('removing the relay forgets it', async () => {
    const options = await ext.context.newPage();
    await options.goto(`chrome-extension://${ext.extensionId}/options.html`);
    await options.getByRole('button', { name: 'Remove relay' }).click();
    await expect.poll(() => options.getByTestId('relay').count()).toBe(0);
    await options.close();
  });
});
