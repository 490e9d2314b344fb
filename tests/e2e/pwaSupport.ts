/**
 * Driving the phone app (pwa/) in Chromium: open the built app the relay serves (dist/pwa, built
 * before the tests: tests/helpers/builds.ts), and do what a person does (add an account, read a
 * code, answer a request) by the controls' accessible names.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  type VirtualAuthenticator,
  activatedServiceWorker,
  addVirtualAuthenticator,
  deliverPushMessage,
  newPhoneContext,
  waitForServiceWorkerControl,
  watchServiceWorkers,
} from '../helpers/browser';
import type { PushService, PushSubscriptionJSON } from '../helpers/pushService';
import type { TestTenant } from '../helpers/startRelay';

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
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Temporary Access Pass').fill(pass);
  // The tests' tenants register no domain: name the organization (people type only the username; see people.test.ts).
  await page.getByRole('button', { name: 'Other organization' }).click();
  await page.getByLabel('Organization').fill(tenant);
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

/**
 * A phone: a phone-sized context with a platform authenticator, the app open and in its service worker's hands.
 *
 * `pushSubscription`: headless Chromium has no push service (subscribing never answers), so the test
 * plays it. The browser's push subscription is then one of the loopback push service
 * (tests/helpers/pushService.ts), which receives what the relay sends and decrypts it (RFC 8291, with
 * http_ece); `deliverRelayPush` hands that payload to the app's service worker as the browser would.
 * Notification permission is left to the person (grant it when they tap Allow).
 */
export async function openPhone(
  browser: Browser,
  relayUrl: string,
  options: { pushSubscription?: PushSubscriptionJSON } = {},
): Promise<Phone> {
  const context = await newPhoneContext(browser);
  if (options.pushSubscription) {
    await context.addInitScript((json) => {
      let current: PushSubscription | null = null;
      PushManager.prototype.subscribe = async () => {
        current = {
          endpoint: json.endpoint,
          expirationTime: null,
          toJSON: () => json,
          getKey: () => null,
          unsubscribe: async () => true,
        } as unknown as PushSubscription;
        return current;
      };
      PushManager.prototype.getSubscription = async () => current;
    }, options.pushSubscription);
  }
  const page = await context.newPage();
  const authenticator = await addVirtualAuthenticator(page);
  await watchServiceWorkers(page);
  await openApp(page, relayUrl);
  return { context, page, authenticator };
}

/**
 * The relay's push for this request, as the loopback push service received and decrypted it,
 * delivered to the app's service worker (DevTools ServiceWorker.deliverPushMessage). Answers the payload.
 */
export async function deliverRelayPush(page: Page, push: PushService, relayUrl: string, requestId: string): Promise<any> {
  const pushed = await push.waitFor((m) => m.payload?.type === 'sign_in_request' && m.payload.requestId === requestId);
  const worker = await activatedServiceWorker(page, `${relayUrl}/app/`);
  await deliverPushMessage(page, worker, pushed.payloadText);
  return pushed.payload;
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
  return page.getByRole('link', { name: new RegExp(`Approve sign-in request.*\\(${username.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`) });
}

/** The ids of the pending requests the list shows for this username (once the list, with its account, is on screen). */
export async function listedRequestIds(page: Page, username: string): Promise<string[]> {
  // Read too early (the app still on the request it just answered) there are no links, and "none" would pass.
  await page.getByRole('link', { name: `Account ${username}`, exact: true }).waitFor();
  const hrefs = await requestLink(page, username).evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
  return hrefs.map((href) => href.split('/').pop()!);
}

/**
 * What the person does on the phone: open the pending request for this username from the list
 * (it arrives over the live channel), type the number, press the button. Answers the outcome
 * sentence the app shows, and returns to the list. With `requestId`, that one of the listed requests.
 */
export async function answerOnPhone(
  page: Page,
  username: string,
  typed: string | number | undefined,
  button: 'Approve' | 'Deny' | "No, it's not me" = 'Approve',
  options: { requestId?: string } = {},
): Promise<string> {
  await (options.requestId ? page.locator(`a[href$="/${options.requestId}"]`) : requestLink(page, username)).click();
  return answerShownRequest(page, typed, button);
}

/** On the open "Approve sign-in request" screen: type the number, press the button; the outcome sentence, then back to the list. */
export async function answerShownRequest(
  page: Page,
  typed: string | number | undefined,
  button: 'Approve' | 'Deny' | "No, it's not me" = 'Approve',
): Promise<string> {
  await page.getByRole('heading', { name: 'Approve sign-in request' }).waitFor();
  if (typed !== undefined) await page.getByLabel('Enter the number shown to sign in').fill(String(typed));
  await page.getByRole('button', { name: button, exact: true }).click();
  // A report is confirmed after the app says what it will do.
  if (button === "No, it's not me") await page.getByRole('button', { name: 'Report it', exact: true }).click();
  const done = page.getByRole('link', { name: 'Done' });
  await done.waitFor();
  const said = (await page.getByRole('status').filter({ hasText: /\w/ }).textContent()) ?? '';
  await done.click();
  return said;
}

/** The accounts the app keeps in IndexedDB: which tenant, which user, and which device key (one per tenant). */
export function accountsOnPhone(page: Page): Promise<Array<{ tenant: string; username: string; deviceId: string }>> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('nod');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const all = await new Promise<Array<{ tenant: string; username: string; deviceId: string }>>((resolve, reject) => {
      const request = db.transaction('accounts').objectStore('accounts').getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    db.close();
    return all.map(({ tenant, username, deviceId }) => ({ tenant, username, deviceId }));
  });
}
