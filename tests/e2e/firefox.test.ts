/**
 * Issue 18 item 5: the extension's Firefox build, run for real. The desktop is Debian's Firefox ESR with
 * the release Firefox build installed as a temporary add-on, driven over WebDriver BiDi
 * (tests/e2e/firefoxSupport.ts says how its permission is granted); the phone is the app (pwa/) in
 * Chromium with a platform authenticator, as in the journey test. The person adds the relay in the
 * extension's options, signs in to Contoso Portal through the relay's hosted page, reads the number in
 * Nod's panel, types it on the phone and approves; the extension finishes the sign-in and the portal
 * greets them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser as Chromium } from 'playwright-core';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoSite } from '../../server/demo/createDemoSite';
import { artifactsDir, launchBrowser } from '../helpers/browser';
import { startContosoPortal } from '../helpers/contosoPortal';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import {
  type FirefoxWithExtension,
  addRelayInFirefox,
  launchFirefoxWithExtension,
  numberIn,
  panelText,
  waitForPanel,
} from './firefoxSupport';
import { type Phone, answerOnPhone, enrollWithPhoneSignIn, listedRequestIds, openPhone } from './pwaSupport';

const alice = 'alice@contoso.example';

describe('the browser extension in Firefox', () => {
  let world: SignInWorld;
  let portal: DemoSite;
  let chromium: Chromium;
  let phone: Phone;
  let firefox: FirefoxWithExtension;

  beforeAll(async () => {
    world = await startSignInWorld();
    portal = await startContosoPortal(world.relay, world.contoso);
    // One browser at a time: both starting together on a loaded 2-core machine only slows each.
    chromium = await launchBrowser();
    phone = await openPhone(chromium, world.relay.url, { pushSubscription: world.push.createSubscription().subscription });
    await enrollWithPhoneSignIn(phone.page, world.relay.url, world.contoso, alice);
    firefox = await launchFirefoxWithExtension();
  }, 180_000);

  afterAll(async () => {
    await firefox?.close();
    await chromium?.close();
    await portal?.close();
    await world?.close();
  });

  it('the options page adds the relay: its host permission through the extension’s own request, the browser registered', async () => {
    await addRelayInFirefox(firefox, world.relay.url);
  }, 60_000);

  it('recognises the hosted sign-in page, shows the number in its panel, and finishes the sign-in once the phone approves', async () => {
    const tab: Page = await firefox.browser.newPage();
    await tab.goto(portal.url);
    await tab.locator('::-p-aria([name="Sign in"][role="link"])').click();
    await tab.locator('::-p-aria([name="Username"][role="textbox"])').fill(alice);
    await tab.locator('::-p-aria([name="Next"][role="button"])').click();
    // The page hands off to the extension: it says so, and shows no number of its own.
    await tab.locator('::-p-text(Your Nod browser extension shows the number)').wait();

    // Nod's panel on the page: the genuine site it verified, the number, the countdown.
    const shown = await waitForPanel(tab, firefox.extensionOrigin, (text) => numberIn(text) !== undefined);
    expect(shown).toContain(`Verified by Nod: ${world.relay.url} · Contoso`);
    expect(shown).toMatch(/Expires in [12]:\d\d/);
    const number = numberIn(shown)!;
    fs.mkdirSync(artifactsDir, { recursive: true });
    await tab.screenshot({ path: path.join(artifactsDir, 'firefox-extension-panel.png') });
    // The hosted page shows no number of its own (the panel's is in the extension's frame, out of the page's reach).
    expect(await tab.$('[data-testid="number"]')).toBeNull();

    // The phone: the request arrives in the open app, created by the extension for the origin Firefox saw.
    await expect.poll(() => listedRequestIds(phone.page, alice), { timeout: 30_000 }).toHaveLength(1);
    const created = await world.contoso.admin('GET', '/audit?type=sign_in_request.created');
    expect(created.body.events).toEqual([expect.objectContaining({ username: alice, origin: world.relay.url })]);
    expect(await answerOnPhone(phone.page, alice, number)).toContain('Approved');

    // The extension redeems the approval and hands the grant to the page: Contoso Portal greets Alice.
    await tab.locator('::-p-aria([name="Hello, alice"][role="heading"])').setTimeout(30_000).wait();
    expect(new URL(tab.url()).origin).toBe(portal.url);
    expect(await panelText(tab, firefox.extensionOrigin)).toBe('');
    await tab.close();
  }, 120_000);
});
