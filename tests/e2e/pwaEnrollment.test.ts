/**
 * Journey 2 and 5 on the phone, in real Chromium: the app served by the relay at /app/, a
 * platform authenticator with user verification (DevTools virtual authenticator), the real
 * relay. One phone holds Alice (mode any), Gail (a guest) and Bob (mode push) of Contoso.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialScriptBudgetKiB, initialScriptGzipBytes } from '../../pwa/build';
import { createEnrollmentCode } from '../../server/enrollment/createEnrollmentCode';
import { totpCode, totpStep } from '../../shared/totp';
import {
  type VirtualAuthenticator,
  activatedServiceWorker,
  addVirtualAuthenticator,
  clickNotification,
  collectPageErrors,
  controlsWithoutNames,
  deliverPushMessage,
  launchBrowser,
  newPhoneContext,
  saveScreenshot,
  waitForNotification,
  waitForNotifications,
} from '../helpers/browser';
import { type TestRelay, type TestTenant, fetchJson, startRelay } from '../helpers/startRelay';
import { addAccountWithPass, issuePass, openApp, shownCode } from './pwaSupport';

const alice = 'alice@contoso.example';
const gail = 'gail@fabrikam.example';
const bob = 'bob@contoso.example';
const dana = 'dana@contoso.example';

describe('the phone app: adding accounts, phone sign-in, offline codes, push', () => {
  let relay: TestRelay;
  let contoso: TestTenant;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let authenticator: VirtualAuthenticator;
  let errors: string[];
  const requestedOrigins = new Set<string>();

  beforeAll(async () => {
    relay = await startRelay();
    contoso = await relay.tenant('contoso', { displayName: 'Contoso', signInOrigins: ['https://portal.contoso.example'] });
    await contoso.admin('POST', '/groups', { name: 'Sales' });
    await contoso.admin('POST', '/groups', { name: 'Field' });
    for (const [username, kind, group] of [
      [alice, 'member', 'Sales'],
      [gail, 'guest', 'Sales'],
      [bob, 'member', 'Field'],
      [dana, 'member', 'Sales'],
    ] as const) {
      await contoso.admin('POST', '/users', { username, kind, displayName: username.split('@')[0].replace(/^./, (c) => c.toUpperCase()) });
      await contoso.admin('PUT', `/groups/${group}/members/${username}`);
    }
    await contoso.admin('PUT', '/policy', {
      enabled: true,
      includeTargets: [
        { kind: 'group', name: 'Sales', mode: 'any' },
        { kind: 'group', name: 'Field', mode: 'push' },
      ],
    });
    browser = await launchBrowser();
    context = await newPhoneContext(browser);
    context.on('request', (request) => requestedOrigins.add(new URL(request.url()).origin));
    page = await context.newPage();
    errors = collectPageErrors(page);
    authenticator = await addVirtualAuthenticator(page);
    await openApp(page, relay.url);
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.close();
  });

  it('keeps the initial JavaScript under its budget', () => {
    const kib = initialScriptGzipBytes(path.resolve(__dirname, '../../dist/pwa')) / 1024;
    expect(kib).toBeGreaterThan(1);
    expect(kib).toBeLessThan(initialScriptBudgetKiB);
  });

  it('serves an installable app: manifest, icons, service worker scope /app/', async () => {
    const manifest = await fetchJson(`${relay.url}/app/manifest.webmanifest`);
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('content-type')).toContain('application/manifest+json');
    expect(manifest.body).toMatchObject({
      name: 'Nod Authenticator',
      short_name: 'Nod',
      display: 'standalone',
      start_url: '/app/',
      scope: '/app/',
    });
    expect(manifest.body.theme_color).toMatch(/^#/);
    for (const size of ['192x192', '512x512']) {
      expect(manifest.body.icons.some((i: any) => i.sizes === size && i.purpose === 'any')).toBe(true);
      expect(manifest.body.icons.some((i: any) => i.sizes === size && i.purpose === 'maskable')).toBe(true);
    }
    for (const icon of manifest.body.icons) {
      const response = await fetch(new URL(icon.src, `${relay.url}/app/manifest.webmanifest`));
      expect(response.headers.get('content-type')).toBe('image/png');
      const png = new Uint8Array(await response.arrayBuffer());
      const view = new DataView(png.buffer);
      // PNG IHDR: width and height at bytes 16 and 20.
      expect(`${view.getUint32(16)}x${view.getUint32(20)}`).toBe(icon.sizes);
    }
    const shell = await fetch(`${relay.url}/app/`);
    expect(shell.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect((await fetch(`${relay.url}/app/%2e%2e/package.json`)).status).toBe(404);
    expect((await fetch(`${relay.url}/app/..%2fpackage.json`)).status).toBe(404);
    expect((await activatedServiceWorker(page, `${relay.url}/app/`)).scopeURL).toBe(`${relay.url}/app/`);
  });

  it('adds a work account with a Temporary Access Pass, then enables phone sign-in', async () => {
    await addAccountWithPass(page, relay.url, 'contoso', alice, await issuePass(contoso, alice));
    await expect.poll(() => authenticator.credentials().then((c) => c.length)).toBe(1);
    await page.getByRole('button', { name: 'Enable phone sign-in' }).click();
    await page.getByText('Phone sign-in is on').waitFor();
    const listed = await contoso.admin('GET', `/users/${alice}/registrations`);
    expect(listed.body.registrations).toHaveLength(1);
    expect(listed.body.registrations[0]).toMatchObject({ phoneSignInEnabled: true });

    // The account list shows it under its tenant, with a code.
    await page.getByRole('link', { name: 'Done' }).click();
    const tenantSection = page.getByRole('region', { name: 'Contoso' });
    await expect.poll(() => tenantSection.getByRole('link', { name: `Account ${alice}` }).count()).toBe(1);
    expect(await shownCode(page, alice)).toMatch(/^\d{6}$/);
  });

  it('says what it means when notifications are not allowed', async () => {
    // Headless Chromium refuses the permission prompt: the app must say what that means.
    const allow = page.getByRole('button', { name: 'Allow notifications' });
    await allow.click();
    await page.getByText('Sign-in requests arrive only while Nod is open').first().waitFor();
  });

  it('does not offer phone sign-in to a guest, and says so in plain words', async () => {
    await addAccountWithPass(page, relay.url, 'contoso', gail, await issuePass(contoso, gail));
    // The relay's word on the account (issue 17): nothing to enable that would then fail.
    await page.getByText('Your organization has not turned on phone sign-in for this account.').waitFor();
    expect(await page.getByRole('button', { name: 'Enable phone sign-in' }).count()).toBe(0);
    expect((await contoso.admin('GET', `/users/${gail}/registrations`)).body.registrations[0].phoneSignInEnabled).toBe(false);
  });

  it('does not offer phone sign-in to a push-only user, and keeps the account for push approvals and codes', async () => {
    await addAccountWithPass(page, relay.url, 'contoso', bob, await issuePass(contoso, bob));
    await page.getByText('Phone sign-in without a password is not available for this account').waitFor();
    expect(await page.getByRole('button', { name: 'Enable phone sign-in' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Done' }).click();
    await page.getByRole('link', { name: `Account ${bob}` }).waitFor();
    // One device key per tenant: the three accounts share one device at the relay.
    const deviceIds = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('nod');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const all = await new Promise<any[]>((resolve) => {
        const request = db.transaction('accounts').objectStore('accounts').getAll();
        request.onsuccess = () => resolve(request.result);
      });
      return all.map((a) => ({ deviceId: a.deviceId, keyType: a.deviceKey.constructor.name, extractable: a.deviceKey.extractable }));
    });
    expect(deviceIds).toHaveLength(3);
    expect(new Set(deviceIds.map((d) => d.deviceId)).size).toBe(1);
    expect(deviceIds[0]).toMatchObject({ keyType: 'CryptoKey', extractable: false });
    await saveScreenshot(page, 'pwa-account-list-phone');
  });

  it('names every control on every screen, and lays out at phone and desktop widths, light and dark', async () => {
    const aliceRegistration = (await contoso.admin('GET', `/users/${alice}/registrations`)).body.registrations[0].id;
    for (const hash of ['#/', '#/add', '#/add/work', '#/add/work/sign-in', '#/add/work/link', `#/account/${aliceRegistration}`]) {
      await page.goto(`${relay.url}/app/${hash}`);
      await page.locator('main h2').first().waitFor();
      expect(await controlsWithoutNames(page), hash).toEqual([]);
    }
    await page.goto(`${relay.url}/app/#/`);
    await page.getByRole('link', { name: `Account ${alice}` }).waitFor();
    await page.emulateMedia({ colorScheme: 'dark' });
    const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(background).toBe('rgb(13, 17, 23)');
    await saveScreenshot(page, 'pwa-account-list-phone-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 800 });
    await saveScreenshot(page, 'pwa-account-list-desktop');
    // Nothing overflows sideways at either width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });

  it('renames an account on the phone, and removes one here and at the relay', async () => {
    await page.getByRole('link', { name: `Account ${gail}` }).click();
    await page.getByLabel('Account name').fill('Fabrikam guest');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('heading', { name: 'Fabrikam guest' }).waitFor();
    await page.getByRole('button', { name: 'Remove account' }).click();
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByRole('link', { name: `Account ${alice}` }).waitFor();
    expect(await page.getByRole('link', { name: `Account ${gail}` }).count()).toBe(0);
    expect((await contoso.admin('GET', `/users/${gail}/registrations`)).body.registrations).toEqual([]);
  });

  it('adds an account from the My Sign-ins enrollment link: opened directly, or pasted', async () => {
    const tenant = (await relay.ctx.storage.tenants.byName('contoso'))!;
    const user = (await relay.ctx.storage.users.byName(tenant.id, dana))!;
    const linkFor = async () => `${relay.url}/app/#/enroll?code=${(await createEnrollmentCode(relay.ctx, tenant, user)).enrollmentCode}`;

    // A link for another relay, or text that is no link, is refused before anything is sent.
    await page.goto(`${relay.url}/app/#/add/work/link`);
    await page.getByLabel('Enrollment link or code').fill('https://nod.elsewhere.example/app/#/enroll?code=abcdefghijkl');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('nod.elsewhere.example');

    // Pasted: the link as My Sign-ins shows it.
    await page.getByLabel('Enrollment link or code').fill(await linkFor());
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Set up Contoso' }).waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Account added' }).waitFor();

    // Opened on the phone (the QR code's link): the app starts the enrollment by itself. The
    // account is already here, so the passkey cannot be made again: the app says so.
    await page.goto(await linkFor());
    await page.getByRole('heading', { name: 'Set up Contoso' }).waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/already holds this account|wasn't created/);
    expect((await contoso.admin('GET', `/users/${dana}/registrations`)).body.registrations).toHaveLength(1);
  });

  it('starts offline from the service worker and shows codes that match RFC 6238; a code signs in through the relay', async () => {
    const registration = (await contoso.admin('GET', `/users/${alice}/registrations`)).body.registrations[0];
    const stored = await relay.ctx.storage.registrations.byId(registration.id);
    await page.goto(`${relay.url}/app/#/`);
    await relay.app.close();
    await page.reload();
    await page.getByRole('link', { name: `Account ${alice}` }).waitFor();
    let shown = '';
    let expected = '';
    // Read again if a 30 s step ended in between.
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = totpStep(Date.now());
      shown = await shownCode(page, alice);
      expected = await totpCode(stored!.totpSecret);
      if (totpStep(Date.now()) === before && expected === (await shownCode(page, alice))) break;
    }
    expect(shown).toBe(expected);

    await relay.restart();
    const signedIn = await fetchJson(`${relay.url}/api/t/contoso/code-sign-in`, { body: { username: alice, code: shown } });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({ tenant: 'contoso', username: alice });
  });

  it('shows a pushed sign-in request as "Approve sign-in request" with its context; the click target opens the approve screen', async () => {
    await context.grantPermissions(['notifications'], { origin: relay.url });
    const created = await fetchJson(`${relay.url}/api/t/contoso/sign-in-requests`, {
      body: { username: alice, origin: 'https://portal.contoso.example', client: { applicationName: 'Contoso Portal' } },
      headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36' },
    });
    expect(created.status).toBe(201);
    const { requestId, expiresAt } = created.body;
    const registrationId = (await contoso.admin('GET', `/users/${alice}/registrations`)).body.registrations[0].id;
    const worker = await activatedServiceWorker(page, `${relay.url}/app/`);
    await deliverPushMessage(page, worker, {
      type: 'sign_in_request',
      requestId,
      registrationId,
      tenant: 'contoso',
      kind: 'passwordless',
      expiresAt,
      context: {
        applicationName: 'Contoso Portal',
        browser: 'Chrome on Linux',
        location: 'Seattle, US',
        origin: 'https://portal.contoso.example',
        siteCheck: 'relay',
      },
    });
    const notification = await waitForNotification(page, requestId);
    expect(notification.title).toBe('Approve sign-in request');
    expect(notification.body).toBe('Contoso Portal · Chrome on Linux · Seattle, US');
    expect(notification.data.url).toBe(`${relay.url}/app/#/approve/${registrationId}/${requestId}`);

    // Clicking it brings the open app to the approve screen.
    await clickNotification(context, `${relay.url}/app/`, requestId);
    await page.waitForURL(notification.data.url);
    await page.getByRole('heading', { name: 'Approve sign-in request' }).waitFor();
    await page.getByLabel('Enter the number shown to sign in').waitFor();
    // The screen shows what the relay knows of the request: an API call's free-text application name is
    // never among it (issue 14), the browser it parsed is.
    await page.getByText('Chrome on Linux').first().waitFor();
    expect(await controlsWithoutNames(page)).toEqual([]);
    await saveScreenshot(page, 'pwa-approve-phone');

    // The request closes (cancelled at the desktop): the push of its closing replaces the notification
    // with a short notice under the same tag (a push that shows nothing costs a strike on Safari).
    await deliverPushMessage(page, worker, { type: 'sign_in_request_closed', requestId });
    await expect.poll(async () => (await waitForNotifications(page, requestId, 1)).map((n) => n.title)).toEqual(['Sign-in request ended']);
    expect(errors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
    // No third-party requests: everything came from the relay's own origin.
    expect([...requestedOrigins]).toEqual([relay.url]);
  });

  it('offers "A new version is ready — Reload" when an updated service worker waits, and reloads into it', async () => {
    // A relay serving a copy of the app, so the test can publish a new version of it.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-pwa-copy-'));
    fs.cpSync(path.resolve(__dirname, '../../dist/pwa'), copy, { recursive: true });
    const second = await startRelay({ pwaDir: copy });
    const updating = await browser.newContext();
    try {
      const tab = await updating.newPage();
      await openApp(tab, second.url);
      fs.appendFileSync(path.join(copy, 'sw.js'), '\n// a new version\n');
      await tab.evaluate(async () => (await navigator.serviceWorker.ready).update());
      const banner = tab.getByRole('alert').filter({ hasText: 'A new version is ready' });
      await banner.waitFor();
      const reloaded = tab.waitForEvent('load');
      await banner.getByRole('button', { name: 'Reload' }).click();
      await reloaded;
      await tab.getByRole('heading', { name: 'No accounts yet' }).waitFor();
      expect(await banner.count()).toBe(0);
      // The new version took over: nothing waits any more, and it controls the page.
      expect(await tab.evaluate(async () => (await navigator.serviceWorker.ready).waiting)).toBeNull();
      expect(await tab.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    } finally {
      await updating.close();
      await second.close();
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
