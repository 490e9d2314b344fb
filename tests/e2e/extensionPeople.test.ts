/**
 * Issue 17 in the extension, in Chromium with the test build loaded: a first run in people's words,
 * an organization's Nod address typed without https:// with each step shown while the permission
 * prompt is up, the organization's pre-set addresses declared for Chrome's enterprise policy and
 * read from a real one, which skips the setup step (problem 11); and Cancel and × never a dead end: the page and the popup say the request was
 * cancelled and offer Send another request (problem 5).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoSite } from '../../server/demo/createDemoSite';
import { testExtensionDir } from '../helpers/builds';
import { startContosoPortal } from '../helpers/contosoPortal';
import type { TestPhone } from '../helpers/enrollPhone';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import {
  type ExtensionBrowser,
  chromiumWithExtensionPolicy,
  clickInExtensionUi,
  launchWithExtension,
  openPopupFor,
  readExtensionUi,
  waitForExtensionUi,
} from './extensionSupport';

const alice = 'alice@contoso.example';

describe('the extension for people and their organizations', () => {
  let world: SignInWorld;
  let phone: TestPhone;
  let portal: DemoSite;
  let ext: ExtensionBrowser;

  const waitingOnPhone = async () => ((await phone.call('GET', '/api/device/sign-in-requests')).body.requests as unknown[]).length;

  beforeAll(async () => {
    world = await startSignInWorld();
    portal = await startContosoPortal(world.relay, world.contoso);
    phone = await world.enroll(alice);
    ext = await launchWithExtension();
  });
  afterAll(async () => {
    await ext?.close();
    await portal?.close();
    await world?.close();
  });

  it('problem 11: the manifest declares the schema of what an organization may pre-set', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(testExtensionDir, 'manifest.json'), 'utf8'));
    expect(manifest.storage).toEqual({ managed_schema: 'managed_schema.json' });
    const schema = JSON.parse(fs.readFileSync(path.join(testExtensionDir, manifest.storage.managed_schema), 'utf8'));
    expect(schema).toMatchObject({ type: 'object', properties: { relays: { type: 'array', items: { type: 'string' } } } });
  });

  it('problem 11: pre-set by the organization’s policy, the first run names the organization, with no setup step', async () => {
    // Chromium with the organization's policy for the extension (storage.managed), as a managed machine has it.
    const managed = chromiumWithExtensionPolicy(testExtensionDir, { relays: [world.relay.url] });
    let preset: ExtensionBrowser | undefined;
    try {
      preset = await launchWithExtension(testExtensionDir, { executablePath: managed.executablePath });
      const worker = await preset.worker();
      expect(await worker.evaluate(() => (globalThis as any).chrome.storage.managed.get(null))).toEqual({ relays: [world.relay.url] });
      const popup = await preset.context.newPage();
      await popup.goto(`chrome-extension://${preset.extensionId}/popup.html`);
      await popup.getByText('Sign in with your phone at Contoso').waitFor();
      expect(await popup.getByRole('button', { name: 'Set up Nod' }).count()).toBe(0);
      expect(await popup.getByRole('button', { name: /^Turn on Nod/ }).count()).toBe(0);
      expect((await popup.textContent('body')) ?? '').not.toMatch(/relay|P-256/i);
      // The browser was registered with the organization without a step of the person's.
      const options = await preset.context.newPage();
      await options.goto(`chrome-extension://${preset.extensionId}/options.html`);
      await options.getByTestId('relay').getByText('This browser is registered with the relay.').waitFor();
    } finally {
      await preset?.close();
      managed.dispose();
    }
  });

  it('problem 11: the first run says what Nod does in people’s words, with one step to start', async () => {
    const popup = await ext.context.newPage();
    await popup.goto(`chrome-extension://${ext.extensionId}/popup.html`);
    await popup.getByRole('heading', { name: 'Sign in with your phone' }).waitFor();
    await popup.getByRole('button', { name: 'Set up Nod' }).waitFor();
    const text = (await popup.textContent('body')) ?? '';
    expect(text).not.toMatch(/relay|P-256/i);
    await popup.close();
    const options = await ext.context.newPage();
    await options.goto(`chrome-extension://${ext.extensionId}/options.html`);
    await options.getByText('No organization yet. Your admin gives you its Nod address.').waitFor();
    expect((await options.textContent('body')) ?? '').not.toContain('P-256');
    await options.close();
  });

  it('problem 11: adding the organization shows each step, and then who you sign in at', async () => {
    const options = await ext.context.newPage();
    await options.goto(`chrome-extension://${ext.extensionId}/options.html`);
    // Typed the way people type it: spaces, a trailing slash.
    await options.getByLabel('Relay address').fill(` ${world.relay.url}/ `);
    await options.getByRole('button', { name: 'Add relay' }).click();
    await options
      .getByRole('status')
      .filter({ hasText: `Connected to ${world.relay.url}.` })
      .waitFor();
    await options.getByTestId('relay').getByText('Sign in with your phone at Contoso').waitFor();
    await options.getByTestId('relay').getByText('This browser is registered with the relay.').waitFor();
    // The popup now names the organization.
    const popup = await ext.context.newPage();
    await popup.goto(`chrome-extension://${ext.extensionId}/popup.html`);
    await popup.getByText('Sign in with your phone at Contoso').waitFor();
    await popup.close();
    await options.close();
  });

  /** The portal's "Sign in with Nod" into the hosted page, username, Next: the extension's panel shows the number. */
  async function startSignIn(): Promise<{ page: Page; number: string }> {
    const page = await ext.context.newPage();
    await page.goto(portal.url);
    await waitForExtensionUi(page, (u) => u.testIds.includes('nod-offer'));
    await clickInExtensionUi(page, 'Sign in with Nod');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Username').fill(alice);
    await page.getByRole('button', { name: 'Next' }).click();
    const ui = await waitForExtensionUi(page, (u) => /^\d{2}$/.test(u.byTestId.number ?? ''));
    return { page, number: ui.byTestId.number };
  }

  /** The hosted page after the extension's request was cancelled: it says so, claims no number, and offers a new request. */
  async function pageOffersAnotherRequest(page: Page): Promise<void> {
    await page.getByRole('heading', { name: /cancelled/i }).waitFor();
    await page.getByRole('button', { name: 'Send another request' }).waitFor();
    expect(await page.getByText('extension shows the number').count()).toBe(0);
  }

  it('problem 5: Cancel in the panel ends the request; the page and the panel offer Send another request', async () => {
    const { page } = await startSignIn();
    expect(await waitingOnPhone()).toBe(1);
    await clickInExtensionUi(page, 'Cancel');
    await expect.poll(waitingOnPhone).toBe(0);
    await pageOffersAnotherRequest(page);
    const ui = await waitForExtensionUi(page, (u) => u.text.includes('Sign-in cancelled'));
    expect(ui.text).toContain('Send another request');
    expect(ui.testIds).not.toContain('number');
    // From the page: a new request, its number in the panel again.
    await page.getByRole('button', { name: 'Send another request' }).click();
    await waitForExtensionUi(page, (u) => /^\d{2}$/.test(u.byTestId.number ?? ''));
    expect(await waitingOnPhone()).toBe(1);
    await page.close();
    await expect.poll(waitingOnPhone).toBe(0);
  });

  it('problem 5: × on the panel cancels too; the popup shows the cancelled request and sends another', async () => {
    const { page } = await startSignIn();
    await clickInExtensionUi(page, '×');
    await expect.poll(waitingOnPhone).toBe(0);
    await pageOffersAnotherRequest(page);
    expect((await readExtensionUi(page)).testIds).not.toContain('nod-panel');
    const popup = await openPopupFor(ext, page);
    await popup.getByRole('heading', { name: 'Sign-in cancelled' }).waitFor();
    await popup.getByRole('button', { name: 'Send another request' }).click();
    await popup
      .getByTestId('number')
      .filter({ hasText: /^\d{2}$/ })
      .waitFor();
    expect(await waitingOnPhone()).toBe(1);
    // The page follows the new request: it no longer says cancelled.
    await page.getByRole('heading', { name: /cancelled/i }).waitFor({ state: 'detached' });
    // And Cancel in the popup is no dead end either.
    await popup.getByRole('button', { name: 'Cancel' }).click();
    await popup.getByRole('button', { name: 'Send another request' }).waitFor();
    await expect.poll(waitingOnPhone).toBe(0);
    await pageOffersAnotherRequest(page);
    await popup.close();
    await page.close();
  });

  it('problem 11: an address without https:// is taken as https://, and the step shows while the browser asks', async () => {
    const options = await ext.context.newPage();
    await options.goto(`chrome-extension://${ext.extensionId}/options.html`);
    await options.getByLabel('Relay address').fill('nod.contoso.example');
    await options.getByRole('button', { name: 'Add relay' }).click();
    // Whatever the browser does with its prompt (headless Chromium may leave it open), the person sees where it stands.
    const step = options.getByRole('status').or(options.getByRole('alert')).filter({ hasText: 'nod.contoso.example' });
    await step.first().waitFor();
    expect(await step.first().textContent()).not.toMatch(/not a web address|must use https/);
    await options.close();
  });
});
