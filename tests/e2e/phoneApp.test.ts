/**
 * Issue 17 on the phone (Chromium, the built app, by accessible names): a request never goes
 * unnoticed whatever screen is open (problem 3), the approve screen shows the request like
 * Microsoft Authenticator with the number field focused (problem 6), "No, it's not me" says what
 * happens first and the account then says phone sign-in is paused (problem 2), the app shows what
 * the relay has, not what it remembers (problem 8: a removed method, a disabled account), a push-only
 * user is not offered phone sign-in (problem 10), a missing passkey is named as such (problem 4), an
 * organization that cannot be reached says so with "Try again", and a phone whose clock is off signs
 * on the organization's clock or, where even that is refused, says so in people's words.
 */
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type VirtualAuthenticator, cdp, collectPageErrors, launchBrowser } from '../helpers/browser';
import { looseLimits } from '../helpers/signInWorld';
import { type TestRelay, type TestTenant, fetchJson, startRelay } from '../helpers/startRelay';
import { addAccountWithPass, enrollWithPhoneSignIn, issuePass, openPhone, requestLink } from './pwaSupport';

const alice = 'alice@contoso.example';
const carol = 'carol@contoso.example';
const pete = 'pete@contoso.example';
const chromeOnLinux = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36';

describe('the phone app: no missed requests, no dead ends, the relay’s word', () => {
  let relay: TestRelay;
  let contoso: TestTenant;
  let browser: Browser;
  let page: Page;
  let authenticator: VirtualAuthenticator;
  let errors: string[];
  /** How far the relay's clock runs from the machine's (the phone's): a phone whose clock is off. */
  let relayClockOffset = 0;
  /** Moved on at every reading of the relay's clock: a clock the phone can never catch up with. */
  let relayClockJump = 0;

  async function signInAtDesktop(
    username: string,
    headers: Record<string, string> = {},
  ): Promise<{ requestId: string; number: number; collectorSecret: string }> {
    const created = await fetchJson(`${relay.url}/api/t/contoso/sign-in-requests`, {
      body: { username, origin: 'https://portal.contoso.example', client: { applicationName: 'Contoso Portal' } },
      headers: { 'user-agent': chromeOnLinux, ...headers },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body;
  }
  const collectorStatus = async (request: { requestId: string; collectorSecret: string }) =>
    (
      await fetchJson(`${relay.url}/api/sign-in-requests/${request.requestId}`, {
        headers: { authorization: `Bearer ${request.collectorSecret}` },
      })
    ).body.status;
  const openAccount = async (username: string) => {
    await page.goto(`${relay.url}/app/#/`);
    await page.getByRole('link', { name: `Account ${username}`, exact: true }).click();
  };
  const phoneSignInSetting = () => page.getByRole('region', { name: 'Phone sign-in' });

  beforeAll(async () => {
    const relayClock = () => {
      relayClockOffset += relayClockJump;
      return Date.now() + relayClockOffset;
    };
    // Behind a reverse proxy (NOD_TRUST_PROXY): the caller's address is the X-Forwarded-For one.
    relay = await startRelay({ trustProxy: true }, { now: relayClock });
    contoso = await relay.tenant('contoso', { displayName: 'Contoso' });
    for (const username of [alice, carol, pete]) await contoso.admin('POST', '/users', { username, displayName: username.split('@')[0] });
    await contoso.admin('PUT', '/policy', {
      enabled: true,
      includeTargets: [
        { kind: 'user', name: alice, mode: 'any' },
        { kind: 'user', name: carol, mode: 'any' },
        { kind: 'user', name: pete, mode: 'push' },
      ],
      limits: looseLimits,
    });
    browser = await launchBrowser();
    const phone = await openPhone(browser, relay.url);
    page = phone.page;
    authenticator = phone.authenticator;
    errors = collectPageErrors(page);
    // Where the page may buzz, count the buzzes.
    await phone.context.addInitScript(() => {
      const buzzes: unknown[] = [];
      (window as unknown as { buzzes: unknown[] }).buzzes = buzzes;
      navigator.vibrate = ((pattern: VibratePattern) => {
        buzzes.push(pattern);
        return true;
      }) as Navigator['vibrate'];
    });
    await page.reload();
    await enrollWithPhoneSignIn(page, relay.url, contoso, alice);
    await enrollWithPhoneSignIn(page, relay.url, contoso, carol);
  });
  afterAll(async () => {
    await browser?.close();
    await relay?.close();
  });

  it('problem 10: a push-only user is told phone sign-in is not for them, and is not offered it', async () => {
    await addAccountWithPass(page, relay.url, 'contoso', pete, await issuePass(contoso, pete));
    await phoneSignInSetting().getByText('Phone sign-in without a password is not available for this account').waitFor();
    expect(await page.getByRole('button', { name: 'Enable phone sign-in' }).count()).toBe(0);
    await openAccount(pete);
    await phoneSignInSetting().getByText('Phone sign-in without a password is not available for this account').waitFor();
    expect(await page.getByRole('button', { name: 'Enable phone sign-in' }).count()).toBe(0);
  });

  it('problems 3 and 6: a request on another screen shows an alert and buzzes; one tap opens it with the number field focused', async () => {
    await openAccount(carol);
    await page.getByRole('heading', { name: carol.split('@')[0] }).waitFor();
    const request = await signInAtDesktop(alice);
    const alert = page.getByRole('alert', { name: 'Sign-in request' });
    await alert.getByText(`Approve sign-in request — Contoso: ${alice}`).waitFor();
    await expect.poll(() => page.evaluate(() => (window as unknown as { buzzes: unknown[] }).buzzes.length)).toBeGreaterThan(0);
    await alert.getByRole('link', { name: 'Enter the number' }).click();
    await page.getByRole('heading', { name: 'Approve sign-in request' }).waitFor();
    // Focus is on the number field: typing goes there at once; the heading is said through the live region.
    const field = page.getByLabel('Enter the number shown to sign in');
    await expect.poll(() => field.evaluate((element) => element === document.activeElement)).toBe(true);
    await expect.poll(() => page.locator('#announcer').textContent()).toBe('Approve sign-in request');
    // What is signing in, like Microsoft Authenticator: application, location, browser and OS, time, site check.
    // (The application is shown only as the relay knows it, from the sign-in's OIDC interaction: this API
    // call names one in free text, which is never shown — issue 14.)
    const facts = page.locator('dl.facts');
    for (const term of ['Account', 'Location', 'Browser and OS', 'Time', 'Site']) {
      await facts
        .getByRole('term')
        .filter({ hasText: new RegExp(`^${term}$`) })
        .waitFor();
    }
    expect(await facts.textContent()).not.toContain('Contoso Portal');
    expect(await facts.textContent()).toContain('Chrome on Linux');
    expect(await facts.textContent()).toContain('This network');
    expect(await facts.textContent()).toContain('The site could not be checked');
    // The alert is gone on the request's own screen.
    expect(await page.getByRole('alert', { name: 'Sign-in request' }).count()).toBe(0);
    await page.keyboard.type(String(request.number));
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Approved' }).waitFor();
    expect(await collectorStatus(request)).toBe('approved');
    await page.getByRole('link', { name: 'Done' }).click();
  });

  it('problem 12: a sign-in from a public address shows its country on the approve screen, from the bundled database', async () => {
    // 81.2.69.142 is a public test address; the bundled country database (ip-location-db, CC0) says GB for it.
    const request = await signInAtDesktop(alice, { 'x-forwarded-for': '81.2.69.142' });
    const listed = page.locator(`a[href$="/${request.requestId}"]`);
    await expect.poll(() => listed.textContent()).toContain('United Kingdom');
    await listed.click();
    await page.getByRole('heading', { name: 'Approve sign-in request' }).waitFor();
    const location = page.locator('dl.facts').getByRole('definition').filter({ hasText: 'United Kingdom' });
    await location.waitFor();
    expect(await page.locator('dl.facts').textContent()).not.toContain('Unknown location');
    await page.keyboard.type(String(request.number));
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Approved' }).waitFor();
    // The log keeps where it came from.
    const { events } = (await contoso.admin('GET', `/audit?user=${encodeURIComponent(alice)}`)).body;
    const created = events.find(
      (e: { type: string; detail: { requestId?: string } | null }) =>
        e.type === 'sign_in_request.created' && e.detail?.requestId === request.requestId,
    );
    expect(created).toMatchObject({ ip: '81.2.69.142', location: 'United Kingdom' });
    await page.getByRole('link', { name: 'Done' }).click();
  });

  it('problem 2: "No, it’s not me" says what happens before it does it; afterwards phone sign-in says paused, not on', async () => {
    const request = await signInAtDesktop(alice);
    await page.locator(`a[href$="/${request.requestId}"]`).click();
    await page.getByRole('button', { name: "No, it's not me", exact: true }).click();
    const sheet = page.getByRole('alertdialog', { name: 'Report this sign-in?' });
    await sheet.waitFor();
    const words = (await sheet.textContent()) ?? '';
    expect(words).toContain('The request is denied: nobody is signed in.');
    expect(words).toContain('reported to Contoso');
    expect(words).toContain('Phone sign-in for this account is paused');
    expect(words).toContain('stop reaching you for 24 hours');
    // "Go back" changes nothing.
    await sheet.getByRole('button', { name: 'Go back' }).click();
    expect(await collectorStatus(request)).toBe('pending');
    await page.getByRole('button', { name: "No, it's not me", exact: true }).click();
    await page.getByRole('alertdialog', { name: 'Report this sign-in?' }).getByRole('button', { name: 'Report it' }).click();
    await page.getByRole('status').filter({ hasText: 'Reported' }).waitFor();
    expect(await collectorStatus(request)).toBe('reported');
    await page.getByRole('link', { name: 'Done' }).click();
    await openAccount(alice);
    await phoneSignInSetting().getByText('Phone sign-in is paused').waitFor();
    expect(await phoneSignInSetting().textContent()).not.toContain('Phone sign-in is on');
    expect(await page.getByRole('button', { name: 'Enable phone sign-in' }).count()).toBe(0);
    // The admin clears it; the app, opened again, reads it from the relay.
    expect((await contoso.admin('POST', `/users/${alice}/clear-risk`, {})).status).toBe(200);
    await page.reload();
    await phoneSignInSetting().getByText('Phone sign-in is on').waitFor();
  });

  it('problem 8: a method removed at the organization shows as removed at once, without its codes', async () => {
    await page.goto(`${relay.url}/app/#/`);
    await page.getByLabel(`Verification code for ${carol}`).waitFor();
    const registration = (await contoso.admin('GET', `/users/${carol}/registrations`)).body.registrations[0];
    expect((await contoso.admin('DELETE', `/users/${carol}/registrations/${registration.id}`)).status).toBe(204);
    // The relay sends `accounts` on the phone's live channel; the app reads its accounts again.
    const entry = page.getByRole('link', { name: `Account ${carol}`, exact: true });
    await entry.getByText('Removed at your organization').waitFor();
    expect(await page.getByLabel(`Verification code for ${carol}`).count()).toBe(0);
    expect(await entry.getByText('Phone sign-in', { exact: true }).count()).toBe(0);
    await entry.click();
    await page.getByText(`This account was removed at Contoso`).waitFor();
    expect(await page.getByRole('button', { name: 'Turn off phone sign-in' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Remove account' }).click();
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByRole('link', { name: `Account ${alice}`, exact: true }).waitFor();
    expect(await page.getByRole('link', { name: `Account ${carol}`, exact: true }).count()).toBe(0);
  });

  it('an account the admin disables shows at once as blocked in the open app, without its codes; enabled, it comes back', async () => {
    // The app is open (since the tests above) with its live channel. Count its reads of its accounts,
    // to know none is under way when the admin acts: what it shows next comes from the relay's event.
    // (The reads under way, not counts: a read the tests above started can finish after this one
    // begins listening, and a count of answers would then never equal the count of reads.)
    const readsUnderWay = new Set<Request>();
    const isRead = (request: Request) => new URL(request.url()).pathname === '/api/device/accounts';
    const sent = (request: Request) => void (isRead(request) && readsUnderWay.add(request));
    const done = (request: Request) => void readsUnderWay.delete(request);
    page.on('request', sent);
    page.on('requestfinished', done);
    page.on('requestfailed', done);
    await page.goto(`${relay.url}/app/#/`);
    const entry = page.getByRole('link', { name: `Account ${alice}`, exact: true });
    await entry.getByText('Phone sign-in', { exact: true }).waitFor();
    await page.getByLabel(`Verification code for ${alice}`).waitFor();
    // The live channel is open (a device and a tenant subscription) and every read it started is answered.
    // (Bounded well past expect.poll's 1 s default: on a loaded machine the app's reads take longer than that.)
    await expect.poll(() => relay.ctx.events.listenerCount, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    await expect.poll(() => readsUnderWay.size, { timeout: 15_000 }).toBe(0);

    expect((await contoso.admin('POST', `/users/${alice}/disable`, {})).status).toBe(200);
    // No reload, no reconnect: the relay's `accounts` event makes the open app read it.
    await entry.getByText('Sign-in blocked by your organization').waitFor();
    expect(await page.getByLabel(`Verification code for ${alice}`).count()).toBe(0);
    expect(await entry.getByText('Phone sign-in', { exact: true }).count()).toBe(0);
    await entry.click();
    await phoneSignInSetting().getByText('Sign-in is blocked for this account by your organization').waitFor();
    expect(await page.getByRole('button', { name: 'Enable phone sign-in' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Turn off phone sign-in' }).count()).toBe(0);

    expect((await contoso.admin('POST', `/users/${alice}/enable`, {})).status).toBe(200);
    await phoneSignInSetting().getByText('Phone sign-in is on').waitFor();
    page.off('request', sent);
    page.off('requestfinished', done);
    page.off('requestfailed', done);
  });

  it('problem 4: a passkey that is gone is named as such, with the way out', async () => {
    const request = await signInAtDesktop(alice);
    await page.locator(`a[href$="/${request.requestId}"]`).click();
    await page.getByLabel('Enter the number shown to sign in').fill(String(request.number));
    // The phone lost the passkey (its screen lock was reset, its browser data cleared).
    await (await cdp(page)).send('WebAuthn.clearCredentials', { authenticatorId: authenticator.id });
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Nothing was sent' }).waitFor();
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'This phone no longer has the passkey for this account' }).waitFor();
    expect(await page.getByRole('status').textContent()).toContain('add it again');
    await page.getByRole('link', { name: 'Remove and add the account again' }).waitFor();
    expect(await collectorStatus(request)).toBe('pending');
  });

  it('an organization that cannot be reached says so, and "Try again" brings the app back', async () => {
    await page.goto(`${relay.url}/app/#/`);
    await page.getByRole('link', { name: `Account ${alice}`, exact: true }).waitFor();
    await relay.app.close();
    const banner = page.getByRole('alert', { name: "Can't reach your organization" });
    await banner.waitFor();
    expect(await banner.textContent()).toContain('Contoso');
    await relay.restart();
    await banner.getByRole('button', { name: 'Try again' }).click();
    await banner.waitFor({ state: 'detached' });
    expect(errors.filter((e) => !/Failed to load resource|net::ERR/.test(e))).toEqual([]);
  });

  it('a phone whose clock is off signs on the organization’s clock; where even that is refused, it says so plainly', async () => {
    // The organization's clock is ten minutes ahead of the phone's: every signed call is refused once, then signed again.
    relayClockOffset = 10 * 60_000;
    await page.goto(`${relay.url}/app/#/`);
    await page.reload();
    await page.getByRole('link', { name: `Account ${alice}`, exact: true }).waitFor();
    const request = await signInAtDesktop(alice);
    await expect.poll(() => requestLink(page, alice).count(), { timeout: 15_000 }).toBe(1);
    expect(await page.getByRole('alert', { name: "Your phone's clock is off" }).count()).toBe(0);
    expect(await collectorStatus(request)).toBe('pending');

    // A clock that runs away faster than the phone can follow: the app says what to do.
    relayClockJump = 60 * 60_000;
    await page.reload();
    const banner = page.getByRole('alert', { name: "Your phone's clock is off" });
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toContain("Your phone's clock is off — set it automatically and try again");
    // The accounts are not taken for removed ones.
    await page.getByRole('link', { name: `Account ${alice}`, exact: true }).waitFor();
    expect(await page.getByText('Removed at your organization').count()).toBe(0);

    // The clock is set right: "Try again" brings the app back.
    relayClockJump = 0;
    relayClockOffset = 0;
    await banner.getByRole('button', { name: 'Try again' }).click();
    await banner.waitFor({ state: 'detached' });
    expect(errors.filter((e) => !/Failed to load resource|net::ERR|status of 401/.test(e))).toEqual([]);
  });
});
