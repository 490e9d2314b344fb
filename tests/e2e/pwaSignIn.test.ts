/**
 * Journeys 3, 4 and 7 on the phone, in real Chromium: sign-in requests made at the desktop
 * through the relay's API reach the open app over its live channel; the user types the number
 * and approves with the platform passkey (DevTools virtual authenticator), denies or reports;
 * the desktop's collector sees the result. One phone holds Alice and Bob of Contoso and Bala of
 * Wingtip Toys.
 */
import type { Browser, Page } from 'playwright-core';
import { looseLimits } from '../helpers/signInWorld';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type VirtualAuthenticator, addVirtualAuthenticator, collectPageErrors, launchBrowser, newPhoneContext } from '../helpers/browser';
import { type TestRelay, type TestTenant, fetchJson, startRelay } from '../helpers/startRelay';
import { addAccountWithPass, answerOnPhone, issuePass, openApp, requestLink as requestLinkFor } from './pwaSupport';

const alice = 'alice@contoso.example';
const bob = 'bob@contoso.example';
const bala = 'bala@wingtiptoys.example';
const bobPassword = 'correct horse battery';
const chromeOnLinux = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36';

interface DesktopRequest {
  requestId: string;
  number: number;
  collectorSecret: string;
}

describe('the phone app answers sign-in requests', () => {
  let relay: TestRelay;
  let contoso: TestTenant;
  let wingtip: TestTenant;
  let browser: Browser;
  let page: Page;
  let authenticator: VirtualAuthenticator;
  let errors: string[];
  const registrations = new Map<string, string>();

  /** The desktop starts a sign-in, as the hosted page or the extension would. */
  function signInAtDesktop(tenant: string, body: Record<string, unknown>): Promise<DesktopRequest> {
    return signInAtDesktopWith(tenant, body, {});
  }

  async function signInAtDesktopWith(
    tenant: string,
    body: Record<string, unknown>,
    headers: Record<string, string>,
  ): Promise<DesktopRequest> {
    const created = await fetchJson(`${relay.url}/api/t/${tenant}/sign-in-requests`, {
      body: { origin: `https://portal.${tenant}.example`, ...body },
      headers: { 'user-agent': chromeOnLinux, ...headers },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.status).toBe('pending');
    return created.body;
  }

  /** What the desktop's collector sees. */
  async function collectorStatus(request: DesktopRequest): Promise<string> {
    const state = await fetchJson(`${relay.url}/api/sign-in-requests/${request.requestId}`, {
      headers: { authorization: `Bearer ${request.collectorSecret}` },
    });
    return state.body.status;
  }

  const requestLink = (username: string) => requestLinkFor(page, username);
  const outcome = () => page.getByRole('status').filter({ hasText: /\w/ });
  const answerInApp = (username: string, typed: string | undefined, button: 'Approve' | 'Deny' | "No, it's not me") =>
    answerOnPhone(page, username, typed, button);

  beforeAll(async () => {
    relay = await startRelay();
    contoso = await relay.tenant('contoso', { displayName: 'Contoso' });
    wingtip = await relay.tenant('wingtiptoys', { displayName: 'Wingtip Toys' });
    await contoso.admin('POST', '/groups', { name: 'Field' });
    for (const [tenant, username] of [
      [contoso, alice],
      [contoso, bob],
      [wingtip, bala],
    ] as const) {
      await tenant.admin('POST', '/users', { username, displayName: username.split('@')[0].replace(/^./, (c) => c.toUpperCase()) });
    }
    await contoso.admin('PUT', '/groups/Field/members/bob@contoso.example');
    await contoso.admin('PUT', `/users/${bob}/password`, { password: bobPassword });
    // Bob: push approval as a second factor only.
    await contoso.admin('PUT', '/policy', {
      enabled: true,
      includeTargets: [
        { kind: 'user', name: alice, mode: 'any' },
        { kind: 'group', name: 'Field', mode: 'push' },
      ],
      // These tests make many requests for one user from one address; the limits have tests of their own.
      limits: looseLimits,
    });
    await wingtip.admin('PUT', '/policy', {
      enabled: true,
      includeTargets: [{ kind: 'all_users', mode: 'passwordless' }],
      limits: looseLimits,
    });

    browser = await launchBrowser();
    const context = await newPhoneContext(browser);
    // Notifications allowed, but headless Chromium has no push service: subscribing never answers.
    await context.grantPermissions(['notifications'], { origin: relay.url });
    page = await context.newPage();
    errors = collectPageErrors(page);
    authenticator = await addVirtualAuthenticator(page);
    await openApp(page, relay.url);
    for (const [tenant, username, phoneSignIn] of [
      [contoso, alice, true],
      [contoso, bob, false],
      [wingtip, bala, true],
    ] as const) {
      await addAccountWithPass(page, relay.url, tenant.name, username, await issuePass(tenant, username));
      if (phoneSignIn) {
        await page.getByRole('button', { name: 'Enable phone sign-in' }).click();
        await page.getByText('Phone sign-in is on').waitFor();
      }
      registrations.set(username, (await tenant.admin('GET', `/users/${username}/registrations`)).body.registrations[0].id);
    }
    await page.getByRole('link', { name: 'Done' }).click();
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.close();
  });

  it('a request made at the desktop appears live; approving with the right number signs the desktop in', async () => {
    const request = await signInAtDesktop('contoso', { username: alice });
    await requestLink(alice).waitFor();
    const said = await answerInApp(alice, String(request.number), 'Approve');
    expect(said).toContain('Approved');
    expect(await collectorStatus(request)).toBe('approved');
    // Answered requests leave the list.
    await expect.poll(() => requestLink(alice).count()).toBe(0);
  });

  it('a wrong number stops the sign-in on both sides', async () => {
    const request = await signInAtDesktop('contoso', { username: alice });
    const wrong = request.number === 99 ? '10' : String(request.number + 1);
    const said = await answerInApp(alice, wrong, 'Approve');
    expect(said).toContain("didn't match");
    expect(await collectorStatus(request)).toBe('wrong_number');
  });

  it('deny ends the request; nobody is signed in', async () => {
    const request = await signInAtDesktop('contoso', { username: alice });
    const said = await answerInApp(alice, undefined, 'Deny');
    expect(said).toContain('Denied');
    expect(await collectorStatus(request)).toBe('denied');
  });

  it('when the PIN or biometric check fails nothing is sent, and the user is told why', async () => {
    const request = await signInAtDesktop('contoso', { username: alice });
    await requestLink(alice).click();
    await page.getByLabel('Enter the number shown to sign in').fill(String(request.number));
    await authenticator.setUserVerified(false);
    try {
      await page.getByRole('button', { name: 'Approve', exact: true }).click();
      await expect.poll(() => outcome().textContent()).toContain("Nothing was sent: your PIN or biometric wasn't confirmed");
    } finally {
      await authenticator.setUserVerified(true);
    }
    expect(await collectorStatus(request)).toBe('pending');
    // Trying again with a passing check approves.
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect.poll(() => outcome().textContent()).toContain('Approved');
    expect(await collectorStatus(request)).toBe('approved');
    await page.getByRole('link', { name: 'Done' }).click();
  });

  it('a request superseded at the desktop disappears by itself; a cancelled one says so when opened', async () => {
    const collectorKey = { 'nod-collector-key': 'desktop-browser-1' };
    const first = await signInAtDesktopWith('contoso', { username: alice }, collectorKey);
    await expect.poll(() => page.locator(`a[href$="/${first.requestId}"]`).count()).toBe(1);
    // The same browser starts again: the older request is superseded and leaves the phone's list.
    const second = await signInAtDesktopWith('contoso', { username: alice }, collectorKey);
    await expect.poll(() => page.locator(`a[href$="/${first.requestId}"]`).count()).toBe(0);
    expect(await collectorStatus(first)).toBe('superseded');
    await page.locator(`a[href$="/${second.requestId}"]`).waitFor();

    // Cancelled at the desktop: opening it asks the relay, which says it is over.
    const cancelled = await fetch(`${relay.url}/api/sign-in-requests/${second.requestId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${second.collectorSecret}` },
    });
    expect(cancelled.status).toBe(204);
    await page.goto(`${relay.url}/app/#/approve/${registrations.get(alice)}/${second.requestId}`);
    await expect.poll(() => outcome().textContent()).toContain('no longer waiting');
    await expect.poll(() => page.getByRole('button', { name: 'Approve', exact: true }).count()).toBe(0);
    await page.getByRole('link', { name: 'Back to accounts' }).click();
    await expect.poll(() => page.locator(`a[href$="/${second.requestId}"]`).count()).toBe(0);
  });

  it('two accounts in two tenants each approve their own request; one account cannot open the other’s', async () => {
    const forAlice = await signInAtDesktop('contoso', { username: alice });
    const forBala = await signInAtDesktop('wingtiptoys', { username: bala });
    await requestLink(alice).waitFor();
    await requestLink(bala).waitFor();

    // Alice's account (Contoso's device key) cannot read Wingtip Toys' request.
    await page.goto(`${relay.url}/app/#/approve/${registrations.get(alice)}/${forBala.requestId}`);
    await expect.poll(() => outcome().textContent()).toContain('no longer waiting');
    await page.goto(`${relay.url}/app/#/`);

    expect(await answerInApp(bala, String(forBala.number), 'Approve')).toContain('Approved');
    expect(await answerInApp(alice, String(forAlice.number), 'Approve')).toContain('Approved');
    expect(await collectorStatus(forBala)).toBe('approved');
    expect(await collectorStatus(forAlice)).toBe('approved');
  });

  it('a push-MFA request shows the same screen without the passwordless wording', async () => {
    const request = await signInAtDesktop('contoso', { username: bob, kind: 'mfa', password: bobPassword });
    await requestLink(bob).click();
    await page.getByRole('heading', { name: 'Approve sign-in request' }).waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).not.toContain('without a password');
    expect(text).toContain('needs your approval');
    await page.getByLabel('Enter the number shown to sign in').fill(String(request.number));
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect.poll(() => outcome().textContent()).toContain('Approved');
    expect(await collectorStatus(request)).toBe('approved');
    await page.getByRole('link', { name: 'Done' }).click();
  });

  it('where the browser has no push service the app says so, and requests still arrive while it is open', async () => {
    // The app waits a while for the push service (10 s), then carries on without it.
    await expect
      .poll(() => page.getByRole('note', { name: 'Notifications' }).textContent(), { timeout: 15_000 })
      .toContain("Push notifications aren't available in this browser. Sign-in requests arrive only while Nod is open.");
  });

  it('"No, it\'s not me" explains, is confirmed, reports the request and marks the user at risk', async () => {
    const request = await signInAtDesktop('contoso', { username: alice });
    const said = await answerInApp(alice, undefined, "No, it's not me");
    expect(said).toContain('Reported');
    expect(await collectorStatus(request)).toBe('reported');
    const user = await contoso.admin('GET', `/users/${alice}`);
    expect(user.body.blocked).toBe(true);
    // Chrome says why it has no push service for a non-persistent profile; nothing else may fail.
    expect(errors.filter((e) => !e.includes('Failed to load resource') && !e.includes('Push API in incognito mode'))).toEqual([]);
  });
});
