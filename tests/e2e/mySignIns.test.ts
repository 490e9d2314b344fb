import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, launchBrowser, saveScreenshot } from '../helpers/browser';
import { enrollPhone, type TestPhone } from '../helpers/enrollPhone';
import { answer, readRequest } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';
import { markedRequestId, shownNumber } from './signInPageSupport';

describe('My Sign-ins: security info for the signed-in user', () => {
  let world: SignInWorld;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let alice: TestPhone;
  let errors: string[];

  beforeAll(async () => {
    world = await startSignInWorld();
    alice = await world.enroll('alice@contoso.example');
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    errors = collectPageErrors(page);
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  /** On the hosted page: the phone approves the number shown. */
  const approveOnPhone = async (target: Page, phone: TestPhone) => {
    const requestId = await markedRequestId(target);
    const number = await shownNumber(target);
    const details = await readRequest(phone, requestId);
    expect((await answer(world.relay.url, phone, details.body, 'approve', { typedNumber: number })).status).toBe(200);
  };

  const signInAsAlice = async () => {
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const username = page.getByLabel('Username');
    if ((await username.inputValue()) !== 'alice@contoso.example') await username.fill('alice@contoso.example');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByTestId('number').waitFor();
    await approveOnPhone(page, alice);
    await page.getByRole('heading', { name: 'Security info' }).waitFor();
  };

  it('asks to sign in through the hosted page, then lists the methods', async () => {
    await page.goto(`${world.relay.url}/t/contoso/my-sign-ins`);
    expect(page.url()).toContain('/t/contoso/interaction/');
    await page.getByText('to continue to My Sign-ins').waitFor();
    await signInAsAlice();
    expect(page.url()).toBe(`${world.relay.url}/t/contoso/my-sign-ins`);
    const methods = page.getByRole('table');
    await expect.poll(() => methods.textContent()).toContain('Test phone');
    expect(await methods.textContent()).toContain('Phone sign-in enabled');
    expect(await methods.textContent()).toContain('Verification codes');
    await expect
      .poll(() => page.getByRole('list', { name: 'Recent sign-ins' }).textContent())
      .toContain('Signed in to My Sign-ins with phone sign-in');
  });

  it('says when notifications aren’t reaching a phone, and stops saying it once the phone answers again', async () => {
    const { deviceId } = alice.account;
    const device = (await world.relay.ctx.storage.devices.byId(deviceId))!;
    // The daily health check went unanswered (tests/integration/delivery.test.ts drives that round itself).
    await world.relay.ctx.storage.devices.setPush(deviceId, device.pushSubscription, 'unreachable');
    await page.reload();
    const warning = page.getByRole('table').getByRole('note');
    await expect.poll(() => warning.textContent()).toBe("Notifications aren't reaching this phone — open the Nod app on it to fix.");
    await saveScreenshot(page, 'my-sign-ins-notifications-failing');
    // The app is opened and answers: the warning goes.
    expect((await alice.call('POST', '/api/device/push/received')).status).toBe(204);
    await page.reload();
    await expect.poll(() => page.getByRole('table').textContent()).toContain('Phone sign-in enabled');
    expect(await warning.count()).toBe(0);
  });

  let second: TestPhone;
  it('Add method → Authenticator app gives a QR code and a link that a phone redeems once', async () => {
    await page.getByRole('button', { name: '+ Add method' }).click();
    await page.getByRole('button', { name: 'Authenticator app', exact: true }).click();
    await page.getByRole('heading', { name: 'Set up your account in the app' }).waitFor();
    const qr = page.getByRole('img', { name: 'QR code to add your account in the Authenticator app' });
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    const link = (await page.getByRole('link', { name: 'Open the link on your phone' }).getAttribute('href'))!;
    expect(link).toMatch(new RegExp(`^${world.relay.url}/app/#/enroll\\?code=[A-Za-z0-9_-]+$`));
    await saveScreenshot(page, 'my-sign-ins-add-authenticator');
    const enrollmentCode = decodeURIComponent(link.split('code=')[1]);

    // Named as the app names itself on a phone's browser (pwa/src/enrollment/enrollAccount.ts).
    second = await enrollPhone(world.relay.url, { enrollmentCode }, { deviceName: 'Nod on Android phone' });
    expect(second.account).toMatchObject({ tenant: 'contoso', username: 'alice@contoso.example' });
    // The code works once.
    const again = await fetchJson(`${world.relay.url}/api/enrollment/start`, { body: { enrollmentCode } });
    expect(again.status).toBe(400);

    await page.getByRole('button', { name: 'Done' }).click();
    // Problem 13: the device as people call it, not the app on it.
    await expect.poll(() => page.getByRole('table').textContent()).toContain('Android phone');
    expect(await page.getByRole('table').textContent()).not.toContain('Nod on');
  });

  it('removes a method: the phone it was on can no longer use it', async () => {
    await page.getByRole('button', { name: 'Remove Authenticator app on Android phone' }).click();
    await page.getByRole('button', { name: 'Yes, remove' }).click();
    await page.getByRole('status').getByText('Authenticator app on Android phone was removed.').waitFor();
    expect(await page.getByText('on Nod on').count()).toBe(0);
    // The notice shows before the page has reloaded its table.
    await expect.poll(() => page.getByRole('table').textContent()).not.toContain('Android phone');
    const mine = await second.call('GET', '/api/device/registrations');
    expect(mine.status === 401 || mine.body.registrations.length === 0).toBe(true);
  });

  it('changing methods needs a sign-in within the last 20 minutes', async () => {
    world.advance(21 * 60_000);
    await page.reload();
    await page.getByRole('heading', { name: 'Security info' }).waitFor();
    await page.getByRole('button', { name: '+ Add method' }).click();
    await page.getByRole('alert').getByText('For your security, sign in again').waitFor();
    // The relay enforces it, whatever the page shows.
    const direct = await page.evaluate(async () => {
      const response = await fetch(`${location.pathname}/api/authenticator`, { method: 'POST' });
      return { status: response.status, code: (await response.json()).code };
    });
    expect(direct).toEqual({ status: 401, code: 'recent_sign_in_required' });

    await page.getByRole('link', { name: 'Sign in again' }).click();
    await signInAsAlice();
    await page.getByRole('button', { name: '+ Add method' }).click();
    await page.getByRole('button', { name: 'Authenticator app', exact: true }).click();
    await page.getByRole('heading', { name: 'Set up your account in the app' }).waitFor();
    expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  });

  it('says why when policy forbids the guided path (passwordless-only users set up with a pass)', async () => {
    await world.contoso.admin('POST', '/groups', { name: 'Pilot' });
    await world.contoso.admin('POST', '/users', { username: 'carol@contoso.example', displayName: 'Carol' });
    await world.contoso.admin('PUT', '/groups/Pilot/members/carol@contoso.example');
    const policy = await world.contoso.admin('GET', '/policy');
    const targets = policy.body.includeTargets.map((t: any) => ({ kind: t.kind, name: t.name, mode: t.mode }));
    expect(
      (
        await world.contoso.admin('PUT', '/policy', {
          enabled: true,
          includeTargets: [...targets, { kind: 'group', name: 'Pilot', mode: 'passwordless' }],
        })
      ).status,
    ).toBe(200);
    const tap = await world.contoso.admin('POST', '/users/carol@contoso.example/temporary-access-pass', {});

    const carolContext = await browser.newContext();
    const carol = await carolContext.newPage();
    await carol.goto(`${world.relay.url}/t/contoso/my-sign-ins`);
    await carol.getByLabel('Username').fill('carol@contoso.example');
    await carol.getByRole('button', { name: 'Next' }).click();
    // A browser that never signed carol in is offered what everyone is (phone sign-in first): she picks the pass.
    await carol.getByRole('button', { name: 'Other ways to sign in' }).click();
    await carol.getByRole('button', { name: /Use a Temporary Access Pass/ }).click();
    await carol.getByRole('heading', { name: 'Enter Temporary Access Pass' }).waitFor();
    await carol.getByLabel('Temporary Access Pass').fill(tap.body.temporaryAccessPass);
    await carol.getByRole('button', { name: 'Sign in', exact: true }).click();
    await carol.getByRole('heading', { name: 'Security info' }).waitFor();
    await carol.getByText('only for passwordless sign-in').first().waitFor();
    await carol.getByRole('button', { name: '+ Add method' }).click();
    expect(await carol.getByRole('button', { name: 'Authenticator app', exact: true }).isDisabled()).toBe(true);
    await carolContext.close();
  });
});
