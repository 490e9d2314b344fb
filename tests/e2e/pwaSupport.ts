/**
 * Driving the phone app (pwa/) in Chromium: make sure the built app the relay serves is current,
 * open it, and do what a person does (add an account, read a code) by the controls' accessible
 * names.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type VirtualAuthenticator, addVirtualAuthenticator, newPhoneContext, waitForServiceWorkerControl } from '../helpers/browser';
import type { TestTenant } from '../helpers/startRelay';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const builtWorker = path.join(root, 'dist/pwa/sw.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function isCurrent(): boolean {
  if (!fs.existsSync(builtWorker)) return false;
  const built = fs.statSync(builtWorker).mtimeMs;
  return newestSource(path.join(root, 'pwa')) <= built && newestSource(path.join(root, 'shared')) <= built;
}

/**
 * Build the app unless dist/pwa is newer than every source (pwa/, shared/). Test files run in
 * parallel, so one builds while the others wait on a lock directory.
 */
export async function ensurePwaBuilt(): Promise<void> {
  if (isCurrent()) return;
  const lock = path.join(root, 'dist/.pwa-build-lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // Another test file is building: wait for it, then see whether that was enough.
      if (Date.now() > deadline) fs.rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    if (!isCurrent()) execFileSync(path.join(root, 'node_modules/.bin/tsx'), ['pwa/build.ts'], { cwd: root, stdio: 'pipe' });
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Open the app and wait until its service worker controls it (from then on it starts offline). */
export async function openApp(page: Page, relayUrl: string, hash = '#/'): Promise<void> {
  await page.goto(`${relayUrl}/app/${hash}`);
  await waitForServiceWorkerControl(page);
}

/** Issue a Temporary Access Pass as the tenant's admin. */
export async function issuePass(tenant: TestTenant, username: string): Promise<string> {
  const issued = await tenant.admin('POST', `/users/${username}/temporary-access-pass`, {});
  if (issued.status !== 201) throw new Error(`TAP for ${username}: ${issued.status} ${JSON.stringify(issued.body)}`);
  return issued.body.temporaryAccessPass;
}

/**
 * Add account → Work or school account → Sign in with username and Temporary Access Pass,
 * create the passkey, and land on "Account added".
 */
export async function addAccountWithPass(page: Page, relayUrl: string, tenant: string, username: string, pass: string): Promise<void> {
  await page.goto(`${relayUrl}/app/#/`);
  await page.getByRole('link', { name: 'Add account' }).click();
  await page.getByRole('link', { name: 'Work or school account' }).click();
  await page.getByRole('link', { name: 'Sign in', exact: true }).click();
  await page.getByLabel('Organization').fill(tenant);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Temporary Access Pass').fill(pass);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Account added' }).waitFor();
}

/** The verification code the app shows for an account, digits only. */
export async function shownCode(page: Page, username: string): Promise<string> {
  const output = page.getByLabel(`Verification code for ${username}`);
  await page.waitForFunction((name) => {
    const element = document.querySelector(`output[aria-label="Verification code for ${name}"]`);
    return !!element && /\d/.test(element.textContent ?? '');
  }, username);
  return ((await output.textContent()) ?? '').replace(/\D/g, '');
}

export interface Phone {
  context: BrowserContext;
  page: Page;
  authenticator: VirtualAuthenticator;
}

/** A phone: a phone-sized context with a platform authenticator, the app open and in its service worker's hands. */
export async function openPhone(browser: Browser, relayUrl: string): Promise<Phone> {
  await ensurePwaBuilt();
  const context = await newPhoneContext(browser);
  const page = await context.newPage();
  const authenticator = await addVirtualAuthenticator(page);
  await openApp(page, relayUrl);
  return { context, page, authenticator };
}

/** Add the account with a fresh Temporary Access Pass and enable phone sign-in; back on the list. */
export async function enrollWithPhoneSignIn(page: Page, relayUrl: string, tenant: TestTenant, username: string): Promise<void> {
  await addAccountWithPass(page, relayUrl, tenant.name, username, await issuePass(tenant, username));
  await page.getByRole('button', { name: 'Enable phone sign-in' }).click();
  await page.getByText('Phone sign-in is on').waitFor();
  await page.getByRole('link', { name: 'Done' }).click();
}

/** The list entry of a pending request for this username. */
export function requestLink(page: Page, username: string) {
  return page.getByRole('link', { name: new RegExp(`Approve sign-in\\?.*\\(${username.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`) });
}

/**
 * What the person does on the phone: open the pending request for this username from the list
 * (it arrives over the live channel), type the number, press the button. Answers the outcome
 * sentence the app shows, and returns to the list.
 */
export async function answerOnPhone(
  page: Page,
  username: string,
  typed: string | number | undefined,
  button: 'Approve' | 'Deny' | "No, it's not me" = 'Approve',
): Promise<string> {
  await requestLink(page, username).click();
  await page.getByRole('heading', { name: 'Approve sign-in?' }).waitFor();
  if (typed !== undefined) await page.getByLabel('Enter the number shown to sign in').fill(String(typed));
  await page.getByRole('button', { name: button, exact: true }).click();
  const done = page.getByRole('link', { name: 'Done' });
  await done.waitFor();
  const said = (await page.getByRole('status').filter({ hasText: /\w/ }).textContent()) ?? '';
  await done.click();
  return said;
}
