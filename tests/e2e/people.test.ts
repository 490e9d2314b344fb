/**
 * Issue 17, as people meet it in Chromium, by accessible names: the organization found from the
 * username (My Sign-ins and the phone's Add account), a username of another organization's domain
 * on one organization's sign-in page, Other organization in plain words (page and phone), a
 * mistyped username that tells nothing, focus on each step's first input, one cool-down, and My
 * Sign-ins listing each sign-in once with where it came from, devices and Sign out everywhere.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DemoSite } from '../../server/demo/createDemoSite';
import { expireDueSignInRequests } from '../../server/signin/requests/expireDueSignInRequests';
import { collectPageErrors, launchBrowser } from '../helpers/browser';
import { startContosoPortal } from '../helpers/contosoPortal';
import type { TestPhone } from '../helpers/enrollPhone';
import { answer, readRequest } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { issuePass, openPhone, requestLink } from './pwaSupport';
import { markedRequestId, shownNumber } from './signInPageSupport';

describe('people’s journeys: the organization from the username, no dead ends, where a sign-in comes from', () => {
  let world: SignInWorld;
  let portal: DemoSite;
  let browser: Browser;
  let alice: TestPhone;
  const contexts: BrowserContext[] = [];
  let errors: string[] = [];

  beforeAll(async () => {
    world = await startSignInWorld();
    alice = await world.enroll('alice@contoso.example');
    expect((await world.contoso.admin('POST', '/domains', { domain: 'contoso.example' })).status).toBe(201);
    portal = await startContosoPortal(world.relay, world.contoso);
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    // Refusals shown in words (an unregistered domain, an unknown organization) are answers, not page errors.
    expect(errors.filter((e) => !/status of (400|404|409|429)/.test(e))).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.close();
    await world?.close();
  });

  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    errors = collectPageErrors(page);
    return page;
  };
  const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');
  const announced = (page: Page) => page.evaluate(() => document.getElementById('announcer')?.textContent ?? '');

  /** The phone approves the number the page shows. */
  const approveOnPhone = async (page: Page, phone: TestPhone) => {
    const requestId = await markedRequestId(page);
    const number = await shownNumber(page);
    const details = await readRequest(phone, requestId);
    expect((await answer(world.relay.url, phone, details.body, 'approve', { typedNumber: number })).status).toBe(200);
  };

  /** The portal's Sign in, to the hosted page's username step. */
  const portalSignIn = async () => {
    const page = await newPage();
    await page.goto(portal.url);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    return page;
  };

  it('My Sign-ins: only the username — the organization is found from its domain, and the sign-in goes on with it', async () => {
    const page = await newPage();
    await page.goto(`${world.relay.url}/my-sign-ins`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // Focus is on the first input, so typing right away goes into it; the heading is announced instead.
    await expect.poll(() => focusedId(page)).toBe('username');
    await expect.poll(() => announced(page)).toBe('Sign in');
    expect(await page.getByLabel('Organization').count()).toBe(0);
    await page.keyboard.type('alice@contoso.example');
    await page.getByRole('button', { name: 'Next' }).click();
    // No second Next: the sign-in page goes on with the username it was given.
    await page.getByRole('heading', { name: 'Approve sign-in request' }).waitFor();
    expect(page.url()).toContain('/t/contoso/interaction/');
    await approveOnPhone(page, alice);
    await page.getByRole('heading', { name: 'Security info' }).waitFor();

    // Each sign-in once, with the address and where it is (a loopback address is "This network").
    const recent = page.getByRole('list', { name: 'Recent sign-ins' });
    await expect.poll(() => recent.textContent()).toContain('This network (127.0.0.1)');
    const items = await recent.getByRole('listitem').allTextContents();
    expect(items.filter((text) => text.startsWith('Signed in'))).toHaveLength(1);
    expect(items.some((text) => text.includes('Approved a sign-in request'))).toBe(false);

    // Devices and browsers: the phone, with Lost device; Sign out everywhere ends this session too.
    const devices = page.getByRole('list', { name: 'Devices and browsers' });
    await expect.poll(() => devices.textContent()).toContain('Test phone');
    await page.getByRole('button', { name: 'Lost device: Test phone' }).waitFor();
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(page.url()).toContain('/t/contoso/interaction/');
  });

  it('Other organization: an unregistered domain asks for the organization’s name, with a hint and plain errors', async () => {
    const page = await newPage();
    await page.goto(`${world.relay.url}/my-sign-ins`);
    await page.getByLabel('Username').fill('alice@elsewhere.example');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('alert').getByText('We couldn’t find an organization for elsewhere.example.', { exact: false }).waitFor();
    const organization = page.getByLabel('Organization');
    await organization.waitFor();
    expect(await organization.getAttribute('aria-describedby')).toBe('organization-hint');
    await page.getByText('The name your admin gave you, such as Contoso.', { exact: false }).waitFor();
    await organization.fill('Contoso Ltd');
    await page.getByRole('button', { name: 'Next' }).click();
    const refusal = page.getByRole('alert');
    await expect.poll(() => refusal.textContent()).toContain('No organization called “Contoso Ltd” uses Nod here.');
    expect(await refusal.textContent()).not.toMatch(/body field|lowercase letters/);
    await organization.fill('Contoso');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Approve sign-in request' }).waitFor();
    expect(page.url()).toContain('/t/contoso/interaction/');
  });

  it('the sign-in page of one organization says when the username belongs to another, links there, and lets a guest continue', async () => {
    const fabrikam = await world.relay.tenant('fabrikam', { displayName: 'Fabrikam' });
    expect((await fabrikam.admin('POST', '/domains', { domain: 'fabrikam.example' })).status).toBe(201);
    const page = await portalSignIn();
    // gail@fabrikam.example is a guest of Contoso; every username of fabrikam.example gets the same answer.
    await page.getByLabel('Username').fill('gail@fabrikam.example');
    await page.getByRole('button', { name: 'Next' }).click();
    const notice = page.getByRole('region', { name: 'This account belongs to another organization' });
    await notice.waitFor();
    await expect.poll(() => announced(page)).toBe('This account belongs to another organization');
    const there = notice.getByRole('link', { name: 'Sign in at Fabrikam' });
    expect(await there.getAttribute('href')).toBe('/t/fabrikam/my-sign-ins?login_hint=gail%40fabrikam.example');
    await page.getByLabel('Username').fill('nobody@fabrikam.example');
    expect(await notice.count()).toBe(0);
    await page.getByRole('button', { name: 'Next' }).click();
    await notice.waitFor();
    await page.getByLabel('Username').fill('gail@fabrikam.example');
    await page.getByRole('button', { name: 'Next' }).click();
    await notice.getByRole('button', { name: 'Continue as a guest' }).click();
    await page.getByRole('heading', { name: 'Approve sign-in request' }).waitFor();
    await page.getByTestId('number').waitFor();

    // The link leads to the other organization's sign-in with the username given.
    const other = await newPage();
    await other.goto(`${world.relay.url}/t/fabrikam/my-sign-ins?login_hint=gail%40fabrikam.example`);
    await other.getByText('Fabrikam', { exact: true }).waitFor();
    expect(other.url()).toContain('/t/fabrikam/interaction/');
  });

  it('a mistyped username gets the same next step, and after the time-out the same words as a real one', async () => {
    const mistyped = await portalSignIn();
    await expect.poll(() => focusedId(mistyped)).toBe('username');
    await mistyped.keyboard.type('alcie@contoso.example');
    await mistyped.keyboard.press('Enter');
    await mistyped.getByTestId('number').waitFor();
    await mistyped.getByRole('heading', { name: 'Approve sign-in request' }).waitFor();
    const real = await portalSignIn();
    await real.getByLabel('Username').fill('alice@contoso.example');
    await real.getByRole('button', { name: 'Next' }).click();
    await real.getByTestId('number').waitFor();

    world.advance(121_000);
    await expireDueSignInRequests(world.relay.ctx);
    // The relay's clock goes back to the phones' once the requests expired: device-signed calls carry the
    // phone's own time, and one 2 minutes off is outside their window (the next tests sign with phones).
    world.advance(-121_000);
    const words = 'We couldn’t reach a phone for this account — check the username or use another way to sign in.';
    for (const page of [mistyped, real]) {
      await page.getByRole('heading', { name: 'Request timed out' }).waitFor();
      await page.getByRole('status').getByText(words).waitFor();
      await page.getByRole('button', { name: 'Send another request' }).waitFor();
      await page.getByRole('button', { name: 'Other ways to sign in' }).waitFor();
      // Problem 13: one name for one action on one screen.
      expect(await page.getByText('Send a new request').count()).toBe(0);
    }
    // Other ways to sign in: focus on the first way, its heading announced; the ways in the seed's words.
    await real.getByRole('button', { name: 'Other ways to sign in' }).click();
    await real.getByRole('heading', { name: 'Other ways to sign in' }).waitFor();
    await expect.poll(() => real.evaluate(() => document.activeElement?.classList.contains('option') ?? false)).toBe(true);
    await expect.poll(() => announced(real)).toBe('Other ways to sign in');
    await real.getByRole('button', { name: 'Approve a request on my Authenticator app' }).waitFor();
    expect(await real.getByText(/Authenticator App/).count()).toBe(0);
    // Problem 6: each step with an input focuses it, so typing goes there at once.
    await real.getByRole('button', { name: 'Use a verification code' }).click();
    await real.getByRole('heading', { name: 'Enter code' }).waitFor();
    await expect.poll(() => focusedId(real)).toBe('code');
    await expect.poll(() => announced(real)).toBe('Enter code');
    await real.getByRole('button', { name: 'Other ways to sign in' }).click();
    await real.getByRole('button', { name: 'Use a Temporary Access Pass' }).click();
    await real.getByRole('heading', { name: 'Enter Temporary Access Pass' }).waitFor();
    await expect.poll(() => focusedId(real)).toBe('secret');
  });

  it('a cool-down is one countdown with Send another request disabled until then; a fresh page starts afresh', async () => {
    const policy = await world.contoso.admin('GET', '/policy');
    const limits = { ...policy.body.limits, pushesPerUser: 1 };
    expect((await world.contoso.admin('PUT', '/policy', { ...policy.body, limits })).status).toBe(200);
    try {
      const page = await portalSignIn();
      await page.getByLabel('Username').fill('carol@contoso.example');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByTestId('number').waitFor();
      await page.getByRole('button', { name: 'Back' }).click();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('heading', { name: 'Too many requests' }).waitFor();
      const countdown = page.getByTestId('retry-words');
      await expect.poll(() => countdown.textContent()).toMatch(/^You can send another request in \d+:\d\d\.$/);
      expect(await page.getByText(/after \d/).count()).toBe(0);
      const resend = page.getByRole('button', { name: 'Send another request' });
      expect(await resend.isDisabled()).toBe(true);
      expect(await resend.getAttribute('aria-describedby')).toBe('retry-words');

      const fresh = await portalSignIn();
      await expect.poll(() => focusedId(fresh)).toBe('username');
      expect(await fresh.getByRole('heading', { name: 'Too many requests' }).count()).toBe(0);
      expect(await fresh.getByTestId('retry-words').count()).toBe(0);
    } finally {
      await world.contoso.admin('PUT', '/policy', policy.body);
    }
  });

  it('problem 9 on the phone: Other organization is optional, with a hint, and a name that is no organization is said in words', async () => {
    const phone = await openPhone(browser, world.relay.url);
    contexts.push(phone.context);
    const { page } = phone;
    await page.getByRole('link', { name: 'Add account' }).click();
    await page.getByRole('link', { name: 'Work or school account' }).click();
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('Username').fill('frank@frank-home.example');
    await page.getByLabel('Temporary Access Pass').fill('not-a-real-pass');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('We couldn’t find an organization for frank-home.example.');
    // The field appears only now, not required, with a hint that says when it is needed.
    const organization = page.getByLabel('Organization');
    await organization.waitFor();
    expect(await organization.getAttribute('required')).toBeNull();
    expect(await organization.getAttribute('aria-describedby')).toBe('tenant-hint');
    await page.getByText('the name your admin gave you, such as Contoso.', { exact: false }).waitFor();
    await organization.fill('Contoso Ltd');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => alert.textContent()).toContain('No organization called “Contoso Ltd” uses Nod here.');
    expect(await alert.textContent()).not.toMatch(/body field|lowercase letters/);
  });

  it('the phone adds an account with only the username and the Temporary Access Pass', async () => {
    await world.contoso.admin('POST', '/users', { username: 'erin@contoso.example', displayName: 'Erin' });
    await world.contoso.admin('PUT', '/groups/Sales/members/erin@contoso.example');
    const pass = await issuePass(world.contoso, 'erin@contoso.example');
    const phone = await openPhone(browser, world.relay.url);
    contexts.push(phone.context);
    const phoneErrors = collectPageErrors(phone.page);
    const { page } = phone;
    await page.getByRole('link', { name: 'Add account' }).click();
    await page.getByRole('link', { name: 'Work or school account' }).click();
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    expect(await page.getByLabel('Organization').count()).toBe(0);
    await page.getByLabel('Username').fill('erin@contoso.example');
    await page.getByLabel('Temporary Access Pass').fill(pass);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Account added' }).waitFor();
    expect((await world.contoso.admin('GET', '/users/erin@contoso.example/devices')).body.devices).toHaveLength(1);

    // Where the sign-in comes from, on the phone: the request from the portal (a loopback address) says "This network".
    await page.getByRole('button', { name: 'Enable phone sign-in' }).click();
    await page.getByText('Phone sign-in is on').waitFor();
    await page.getByRole('link', { name: 'Done' }).click();
    const desktop = await portalSignIn();
    await desktop.getByLabel('Username').fill('erin@contoso.example');
    await desktop.getByRole('button', { name: 'Next' }).click();
    await desktop.getByTestId('number').waitFor();
    const listed = requestLink(page, 'erin@contoso.example');
    await expect.poll(() => listed.textContent()).toContain('This network');
    await listed.click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('This network');
    // As in the app's own tests: a refused fetch the app handles is no page error.
    expect(phoneErrors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
    // A phone, a passkey, the app's own start and a sign-in: slow on a loaded machine.
  }, 120_000);
});
