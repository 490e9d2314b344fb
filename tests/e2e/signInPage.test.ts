import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DemoSite } from '../../server/demo/createDemoSite';
import { expireDueSignInRequests } from '../../server/signin/requests/expireDueSignInRequests';
import { totpCode } from '../../shared/totp';
import { collectPageErrors, launchBrowser, newPhoneContext, saveScreenshot } from '../helpers/browser';
import { startContosoPortal } from '../helpers/contosoPortal';
import type { TestPhone } from '../helpers/enrollPhone';
import { answer, readRequest } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { markerWithRequest, shownNumber } from './signInPageSupport';

/** The request id the page's marker names (the marker never holds the number or the secret). */
async function markedRequestId(page: Page, after?: string): Promise<string> {
  const marker = await markerWithRequest(page, after);
  expect(marker).toMatchObject({ v: 1, tenant: 'contoso', step: 'phone', interaction: expect.stringMatching(/^[A-Za-z0-9_-]+$/) });
  return marker.requestId;
}

describe('the hosted sign-in page, driven in Chromium by the seed’s words', () => {
  let world: SignInWorld;
  let portal: DemoSite;
  let browser: Browser;
  let alice: TestPhone;
  let bob: TestPhone;
  const contexts: BrowserContext[] = [];
  let errors: string[] = [];

  beforeAll(async () => {
    world = await startSignInWorld();
    [alice, bob] = await Promise.all([world.enroll('alice@contoso.example'), world.enroll('bob@contoso.example', { phoneSignIn: false })]);
    portal = await startContosoPortal(world.relay, world.contoso);
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    // Refusals the page shows in words (a wrong password) are expected answers, not page errors.
    expect(errors.filter((e) => !/status of (400|409)/.test(e))).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.close();
    await world?.close();
  });

  const open = async (options: { phone?: boolean; context?: BrowserContext } = {}) => {
    const context =
      options.context ??
      (options.phone
        ? await newPhoneContext(browser, { colorScheme: 'dark' })
        : await browser.newContext({ viewport: { width: 1280, height: 800 } }));
    if (!options.context) contexts.push(context);
    const page = await context.newPage();
    errors = collectPageErrors(page);
    await page.goto(portal.url);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await expect.poll(() => page.url()).toContain('/t/contoso/interaction/');
    return { context, page };
  };

  const enterUsername = async (page: Page, username: string) => {
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Username').fill(username);
    await page.getByRole('button', { name: 'Next' }).click();
  };

  /** The phone's side: read the request the page shows and answer it. */
  /** With `after`: the request that replaced that one (the page's marker changes before it is answered). */
  const phoneAnswers = async (
    page: Page,
    phone: TestPhone,
    decision: 'approve' | 'deny' | 'report',
    typed?: (n: number) => number,
    after?: string,
  ) => {
    const requestId = await markedRequestId(page, after);
    const number = await shownNumber(page);
    const details = await readRequest(phone, requestId);
    expect(details.status).toBe(200);
    const typedNumber = typed ? typed(number) : number;
    return answer(world.relay.url, phone, details.body, decision, { typedNumber: decision === 'approve' ? typedNumber : null });
  };

  const signedInToPortal = async (page: Page, name: string) => {
    await page.getByRole('heading', { name: `Hello, ${name}` }).waitFor();
    expect(new URL(page.url()).origin).toBe(portal.url);
  };

  it('passwordless: username, Next, the number with a countdown, approval on the phone, and back at the site', async () => {
    const { page } = await open();
    expect((await page.request.get(page.url())).headers()['content-security-policy']).toContain("script-src 'self'");
    await enterUsername(page, 'alice@contoso.example');
    await page.getByRole('heading', { name: 'Approve sign-in request' }).waitFor();
    await expect.poll(() => page.getByTestId('countdown').textContent()).toMatch(/expires in [12]:\d\d/);
    await page.getByRole('status').getByText('Waiting for your approval').waitFor();
    await saveScreenshot(page, 'sign-in-number-desktop');
    expect((await phoneAnswers(page, alice, 'approve')).status).toBe(200);
    await signedInToPortal(page, 'alice');
    await expect.poll(() => page.getByRole('table', { name: 'ID token claims' }).textContent()).toContain('"pop","user","mfa"');

    // Sign out: the portal hands over to the relay (RP-initiated logout), which asks, then sends the browser back.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign out' }).waitFor();
    await saveScreenshot(page, 'sign-out-confirm');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Welcome to Contoso Portal' }).waitFor();
    // Signed out of the relay too: signing in again asks for the username.
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('deny ends the request with a plain message, and Send another request tries again (phone width, dark)', async () => {
    const { page } = await open({ phone: true });
    await enterUsername(page, 'alice@contoso.example');
    await page.getByTestId('number').waitFor();
    await saveScreenshot(page, 'sign-in-number-phone');
    const denied = await markedRequestId(page);
    expect((await phoneAnswers(page, alice, 'deny')).status).toBe(200);
    await page.getByRole('heading', { name: 'Request denied' }).waitFor();
    await page.getByRole('status').getByText('denied on your phone').waitFor();
    await page.getByRole('button', { name: 'Send another request' }).click();
    await page.getByRole('heading', { name: 'Approve sign-in request' }).waitFor();
    expect((await phoneAnswers(page, alice, 'approve', undefined, denied)).status).toBe(200);
    await signedInToPortal(page, 'alice');
  });

  it('a wrong number typed on the phone closes the request and says so', async () => {
    const { page } = await open();
    await enterUsername(page, 'alice@contoso.example');
    await page.getByTestId('number').waitFor();
    const answered = await phoneAnswers(page, alice, 'approve', (n) => (n === 99 ? 10 : n + 1));
    expect(answered.status).toBe(409);
    await page.getByRole('heading', { name: 'The numbers didn’t match' }).waitFor();
    await page.getByRole('button', { name: 'Send another request' }).waitFor();
    await page.getByRole('button', { name: 'Other ways to sign in' }).waitFor();
  });

  it('an unanswered request expires with a way to try again', async () => {
    const { page } = await open();
    await enterUsername(page, 'alice@contoso.example');
    await markedRequestId(page);
    world.advance(121_000);
    await expireDueSignInRequests(world.relay.ctx);
    await page.getByRole('heading', { name: 'Request timed out' }).waitFor();
    await page.getByRole('button', { name: 'Send another request' }).waitFor();
  });

  /** Signed out of the relay, but still a browser where the user signed in before (its known-browser cookie stays). */
  const signOutKeepingKnownBrowser = async (context: BrowserContext) => {
    const kept = (await context.cookies()).filter((cookie) => cookie.name.startsWith('nod_known_'));
    expect(kept).toHaveLength(1);
    await context.clearCookies();
    await context.addCookies(kept);
  };

  /** Every text the page's delivery stage shows from now on (recorded in the page, so none is missed between reads). */
  const recordDeliveryStage = (page: Page) =>
    page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { deliveryStages: string[] }).deliveryStages = seen;
      const read = () => {
        const text = document.querySelector('[data-testid="delivery"]')?.textContent ?? null;
        if (text !== null && seen.at(-1) !== text) seen.push(text);
      };
      read();
      new MutationObserver(read).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
  const deliveryStages = (page: Page) => page.evaluate(() => (window as unknown as { deliveryStages: string[] }).deliveryStages);

  it('in a browser where the user signed in before, the page says sent, offers the other ways at once while no phone acknowledges it, and says delivered when one does', async () => {
    const { context, page: first } = await open();
    await enterUsername(first, 'alice@contoso.example');
    expect((await phoneAnswers(first, alice, 'approve')).status).toBe(200);
    await signedInToPortal(first, 'alice');
    await signOutKeepingKnownBrowser(context);

    const { page } = await open({ context });
    await enterUsername(page, 'alice@contoso.example');
    const requestId = await markedRequestId(page);
    const stage = page.getByTestId('delivery');
    await expect.poll(() => stage.textContent()).toContain('Sent to your phone.');
    // Nothing reached the phone (the test's phone does not acknowledge pushes): after a few seconds, the fallbacks.
    const fallback = page.getByRole('note', { name: 'Not on your phone yet?' });
    await fallback.waitFor();
    expect(await fallback.textContent()).toContain('Open the Nod app on your phone');
    await fallback.getByRole('button', { name: 'Use a verification code' }).waitFor();
    await saveScreenshot(page, 'sign-in-not-delivered');

    // The phone's app opens and acknowledges the request: the page says so, the fallbacks go.
    expect((await alice.call('POST', `/api/device/sign-in-requests/${requestId}/received`, { via: 'app' })).status).toBe(204);
    await expect.poll(() => stage.textContent()).toContain('Delivered to your phone.');
    await fallback.waitFor({ state: 'detached' });

    expect((await phoneAnswers(page, alice, 'approve')).status).toBe(200);
    await signedInToPortal(page, 'alice');
  });

  it('in a browser that never signed the user in, the phone’s receipt changes nothing: a real username reads like a mistyped one', async () => {
    const seenFor = async (username: string, phone?: TestPhone) => {
      const { page } = await open();
      await enterUsername(page, username);
      const requestId = await markedRequestId(page);
      await recordDeliveryStage(page);
      await page.getByRole('note', { name: 'Not on your phone yet?' }).waitFor();
      if (phone) {
        expect((await phone.call('POST', `/api/device/sign-in-requests/${requestId}/received`, { via: 'app' })).status).toBe(204);
        // The relay took the receipt; had it told this browser, the stage would come before the denial does.
        expect((await phoneAnswers(page, phone, 'deny')).status).toBe(200);
        await page.getByRole('heading', { name: 'Request denied' }).waitFor();
      } else {
        // A mistyped username: no phone ever answers; the person gives up on the phone.
        await page.getByRole('note', { name: 'Not on your phone yet?' }).getByRole('button', { name: 'Use a verification code' }).click();
        await page.getByLabel('Code').waitFor();
      }
      return deliveryStages(page);
    };
    const real = await seenFor('alice@contoso.example', alice);
    const mistyped = await seenFor('alise@contoso.example');
    expect(real).toEqual(['Sent to your phone. Waiting for your approval…']);
    expect(mistyped).toEqual(real);
  });

  it('the fallback’s verification code ends the phone request and asks for the code', async () => {
    const { page } = await open();
    await enterUsername(page, 'alice@contoso.example');
    const requestId = await markedRequestId(page);
    const fallback = page.getByRole('note', { name: 'Not on your phone yet?' });
    await fallback.getByRole('button', { name: 'Use a verification code' }).click();
    await page.getByLabel('Code').waitFor();
    await expect.poll(async () => (await world.relay.ctx.storage.signInRequests.byId(requestId))?.status).toBe('cancelled');
  });

  it('a verification code from the app signs in, and becomes the default next time (this browser and this user)', async () => {
    const { context, page } = await open();
    await enterUsername(page, 'alice@contoso.example');
    await page.getByTestId('number').waitFor();
    await page.getByRole('button', { name: 'Other ways to sign in' }).click();
    await page.getByRole('heading', { name: 'Other ways to sign in' }).waitFor();
    for (const name of ['Approve a request on my Authenticator app', 'Use a verification code', 'Use a Temporary Access Pass']) {
      await page.getByRole('button', { name }).waitFor();
    }
    await page.getByRole('button', { name: 'Use a verification code' }).click();
    await page.getByLabel('Code').fill(await totpCode(alice.account.totpSecret, world.relay.ctx.now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await signedInToPortal(page, 'alice');
    await expect.poll(() => page.getByRole('table', { name: 'ID token claims' }).textContent()).toContain('"otp"');

    // Next time in this browser (signed out of the relay; its known-browser cookie stays): the code comes first.
    const signOut = () => signOutKeepingKnownBrowser(context);
    await signOut();
    const again = await open({ context });
    await enterUsername(again.page, 'alice@contoso.example');
    await again.page.getByRole('heading', { name: 'Enter code' }).waitFor();
    await again.page.getByRole('button', { name: 'Other ways to sign in' }).click();
    await again.page.getByRole('button', { name: 'Approve a request on my Authenticator app' }).waitFor();

    // The relay's memory is that cookie: with the page's own memory gone, the code still comes first.
    await again.page.evaluate(() => localStorage.clear());
    await signOut();
    const cookieOnly = await open({ context });
    await enterUsername(cookieOnly.page, 'alice@contoso.example');
    await cookieOnly.page.getByRole('heading', { name: 'Enter code' }).waitFor();

    // In another browser nothing says who signed in before (issue 13: `lastMethod` only for a known
    // browser), so it gets what everyone gets: phone sign-in first.
    const elsewhere = await open();
    await enterUsername(elsewhere.page, 'alice@contoso.example');
    await elsewhere.page.getByTestId('number').waitFor();
    expect(await elsewhere.page.getByRole('heading', { name: 'Enter code' }).count()).toBe(0);
  });

  it('push MFA mode: password first, then a push with number matching', async () => {
    const { page } = await open();
    await enterUsername(page, 'bob@contoso.example');
    // Before a first factor a browser that never signed Bob in gets what everyone gets (issue 13): phone
    // sign-in first, a request that never reaches a push-mode user's phone. He picks his password.
    const decoy = await markedRequestId(page);
    await page.getByRole('button', { name: 'Other ways to sign in' }).click();
    await page.getByRole('button', { name: 'Use a verification code' }).waitFor();
    await page.getByRole('button', { name: 'Use your password' }).click();
    expect((await world.relay.ctx.storage.signInRequests.byId(decoy))?.deliverable).toBe(false);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').getByText('incorrect').waitFor();
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('number').waitFor();
    expect((await phoneAnswers(page, bob, 'approve')).status).toBe(200);
    await signedInToPortal(page, 'bob');
    await expect.poll(() => page.getByRole('table', { name: 'ID token claims' }).textContent()).toContain('"pwd"');
  });

  it('three denied requests in a row back off, said plainly with when to try again; a report holds this browser’s next pushes', async () => {
    // The world's limits are loose for the other tests; here the defaults' back-off after 3 unanswered.
    const { updatedAt: _, ...policy } = (await world.contoso.admin('GET', '/policy')).body;
    await world.contoso.admin('PUT', '/policy', { ...policy, limits: { ...policy.limits, unansweredBeforeBackOff: 3 } });
    const enrolled: Record<string, TestPhone> = {};
    for (const username of ['dave@contoso.example', 'erin@contoso.example']) {
      await world.contoso.admin('POST', '/users', { username, displayName: username.split('@')[0] });
      await world.contoso.admin('PUT', `/groups/Sales/members/${username}`);
      enrolled[username] = await world.enroll(username);
    }
    const { page } = await open();
    await enterUsername(page, 'dave@contoso.example');
    let previous: string | undefined;
    for (let i = 0; i < 3; i++) {
      if (i > 0) await page.getByRole('button', { name: 'Send another request' }).click();
      await page.getByTestId('number').waitFor();
      const current = await markedRequestId(page, previous);
      expect((await phoneAnswers(page, enrolled['dave@contoso.example'], 'deny', undefined, previous)).status).toBe(200);
      previous = current;
      await page.getByRole('heading', { name: 'Request denied' }).waitFor();
    }
    await page.getByRole('button', { name: 'Send another request' }).click();
    await page.getByRole('heading', { name: 'Too many requests' }).waitFor();
    await page.getByText(/You can send another request in \d+:\d\d\./).waitFor();
    // One time format: a countdown, never a clock time beside it.
    expect(await page.getByText(/after \d/).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Send another request' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Other ways to sign in' }).waitFor();

    // "No, it's not me" from the phone: this browser, never one Erin signed in from, is the reported source.
    const second = await open();
    await enterUsername(second.page, 'erin@contoso.example');
    await second.page.getByTestId('number').waitFor();
    const reported = await markedRequestId(second.page);
    expect((await phoneAnswers(second.page, enrolled['erin@contoso.example'], 'report')).status).toBe(200);
    await second.page.getByRole('heading', { name: 'Request reported' }).waitFor();
    expect(await second.page.getByRole('button', { name: 'Send another request' }).count()).toBe(0);
    await second.page.getByRole('button', { name: 'Other ways to sign in' }).click();
    await second.page.getByRole('button', { name: 'Use a Temporary Access Pass' }).waitFor();
    // It may still ask (it looks like any other request), but nothing from it reaches Erin's phone.
    await second.page.getByRole('button', { name: 'Approve a request on my Authenticator app' }).click();
    const held = await markedRequestId(second.page, reported);
    expect(await world.relay.ctx.storage.signInRequests.byId(held)).toMatchObject({ deliverable: false, reason: 'a reported source' });
    await world.contoso.admin('PUT', '/policy', policy);
  });
});
