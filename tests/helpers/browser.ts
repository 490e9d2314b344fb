/**
 * Real Chromium for end-to-end tests, driven by playwright-core: Debian's /usr/bin/chromium
 * (never a downloaded browser), headless, with the DevTools protocol for what a person or the
 * platform would do — a WebAuthn platform authenticator with PIN/biometric (virtual
 * authenticator), pushes delivered to a service worker, notifications read back.
 *
 * Keep tests lean: one browser per test file (`launchBrowser` in beforeAll), contexts per
 * scenario, `browser.close()` in afterAll.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type CDPSession,
  type Page,
  type Worker,
  chromium,
} from 'playwright-core';

export const chromiumPath = process.env.NOD_CHROMIUM ?? '/usr/bin/chromium';

/** Quiet, offline-friendly Chromium: no sandbox (containers), no GPU, no background calls home. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where tests leave screenshots and other artifacts (gitignored). */
export const artifactsDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../test-artifacts');

/** A phone-sized viewport (an iPhone 14's CSS pixels). */
export const phoneViewport = { width: 390, height: 844 } as const;

export async function launchBrowser(options: { args?: string[]; headless?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: options.headless ?? true,
    args: [...chromiumArgs, ...(options.args ?? [])],
  });
}

/** Options of `chromium.launchPersistentContext` (launch and context options together). */
export type PersistentContextOptions = NonNullable<Parameters<typeof chromium.launchPersistentContext>[1]>;

/**
 * A persistent profile, needed to load an unpacked extension (`--load-extension`). The profile
 * directory is temporary unless given; it is removed when the context closes.
 */
export async function launchPersistentBrowser(
  options: { extensionPath?: string; userDataDir?: string; args?: string[]; contextOptions?: PersistentContextOptions } = {},
): Promise<BrowserContext> {
  const userDataDir = options.userDataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'nod-chromium-'));
  const extensionArgs = options.extensionPath
    ? [`--disable-extensions-except=${options.extensionPath}`, `--load-extension=${options.extensionPath}`]
    : [];
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    // Playwright's defaults include --disable-extensions.
    ...(options.extensionPath ? { ignoreDefaultArgs: ['--disable-extensions'] } : {}),
    ...options.contextOptions,
    args: [...chromiumArgs, ...extensionArgs, ...(options.args ?? []), ...(options.contextOptions?.args ?? [])],
  });
  if (!options.userDataDir) context.on('close', () => fs.rmSync(userDataDir, { recursive: true, force: true }));
  return context;
}

/** A context that looks like a phone: small viewport, touch, mobile layout. */
export function newPhoneContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({
    viewport: phoneViewport,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    ...options,
  });
}

const sessions = new WeakMap<Page, Promise<CDPSession>>();

/** The page's DevTools session (one per page, reused by every helper here). */
export function cdp(page: Page): Promise<CDPSession> {
  let session = sessions.get(page);
  if (!session) {
    session = page.context().newCDPSession(page);
    sessions.set(page, session);
  }
  return session;
}

export interface VirtualAuthenticator {
  id: string;
  /** Make the next PIN/biometric check pass (true) or fail (false). */
  setUserVerified(verified: boolean): Promise<void>;
  /** The credentials the authenticator holds (ids are base64, as the protocol gives them). */
  credentials(): Promise<
    Array<{ credentialId: string; rpId?: string; userHandle?: string; signCount: number; isResidentCredential: boolean }>
  >;
  remove(): Promise<void>;
}

/**
 * A platform authenticator with user verification (like a phone's fingerprint or PIN) on this
 * page, through DevTools `WebAuthn`. Presence and verification are simulated automatically.
 */
export async function addVirtualAuthenticator(
  page: Page,
  options: Partial<{ protocol: 'ctap2' | 'u2f'; transport: 'internal' | 'usb' | 'nfc' | 'ble' | 'hybrid'; isUserVerified: boolean }> = {},
): Promise<VirtualAuthenticator> {
  const session = await cdp(page);
  await session.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await session.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: options.protocol ?? 'ctap2',
      transport: options.transport ?? 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: options.isUserVerified ?? true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    id: authenticatorId,
    async setUserVerified(isUserVerified) {
      await session.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified });
    },
    async credentials() {
      const { credentials } = await session.send('WebAuthn.getCredentials', { authenticatorId });
      return credentials;
    },
    async remove() {
      await session.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    },
  };
}

export interface ServiceWorkerInfo {
  registrationId: string;
  scopeURL: string;
}

/**
 * The DevTools id of the service worker registration for `scopeURL`, once a version of it is
 * activated (waits for it: DevTools reports every registration and version change).
 */
export async function activatedServiceWorker(page: Page, scopeURL: string, timeoutMs = 15_000): Promise<ServiceWorkerInfo> {
  const session = await cdp(page);
  const registrations = new Map<string, string>();
  const activated = new Set<string>();
  return new Promise<ServiceWorkerInfo>((resolve, reject) => {
    const check = () => {
      for (const [registrationId, scope] of registrations) {
        if (scope === scopeURL && activated.has(registrationId)) {
          cleanup();
          resolve({ registrationId, scopeURL: scope });
          return;
        }
      }
    };
    const onRegistrations = (event: { registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> }) => {
      for (const r of event.registrations) {
        if (r.isDeleted) registrations.delete(r.registrationId);
        else registrations.set(r.registrationId, r.scopeURL);
      }
      check();
    };
    const onVersions = (event: { versions: Array<{ registrationId: string; status: string }> }) => {
      for (const v of event.versions) if (v.status === 'activated') activated.add(v.registrationId);
      check();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no activated service worker for ${scopeURL} within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      session.off('ServiceWorker.workerRegistrationUpdated', onRegistrations);
      session.off('ServiceWorker.workerVersionUpdated', onVersions);
    };
    session.on('ServiceWorker.workerRegistrationUpdated', onRegistrations);
    session.on('ServiceWorker.workerVersionUpdated', onVersions);
    // Enabling (again) makes DevTools report the current state.
    void session
      .send('ServiceWorker.disable')
      .catch(() => undefined)
      .then(() => session.send('ServiceWorker.enable'))
      .catch((error: Error) => {
        cleanup();
        reject(error);
      });
  });
}

const workerLogs = new WeakMap<Page, { lines: string[]; note: (line: string) => void }>();

/**
 * What the page's service workers said and went through, from now on: their console (every level),
 * the errors DevTools reports for them (uncaught exceptions), and each version's status and running
 * status. For a failure message: `serviceWorkerLog(page)`. Idempotent.
 */
export async function watchServiceWorkers(page: Page): Promise<void> {
  if (workerLogs.has(page)) return;
  const lines: string[] = [];
  const started = performance.now();
  const note = (line: string) => {
    lines.push(`+${Math.round(performance.now() - started)} ms ${line}`);
    if (lines.length > 300) lines.shift();
  };
  workerLogs.set(page, { lines, note });
  page.context().on('console', (message) => {
    if (message.worker()) note(`console.${message.type()}: ${message.text()}`);
  });
  page.context().on('serviceworker', (worker) => {
    note(`worker attached ${worker.url()}`);
    worker.on('close', () => note(`worker closed ${worker.url()}`));
  });
  const session = await cdp(page);
  const versions = new Map<string, string>();
  session.on('ServiceWorker.workerVersionUpdated', (event) => {
    for (const v of event.versions) {
      const state = `${v.status}/${v.runningStatus} clients=${v.controlledClients?.length ?? 0}`;
      if (versions.get(v.versionId) === state) continue;
      versions.set(v.versionId, state);
      note(`registration ${v.registrationId} version ${v.versionId}: ${state}`);
    }
  });
  session.on('ServiceWorker.workerErrorReported', ({ errorMessage: e }) =>
    note(`error in version ${e.versionId}: ${e.errorMessage} (${e.sourceURL}:${e.lineNumber}:${e.columnNumber})`),
  );
  await session.send('ServiceWorker.enable');
}

/** The log `watchServiceWorkers` keeps for this page, one event a line ('' when not watched). */
export function serviceWorkerLog(page: Page): string {
  const log = workerLogs.get(page);
  return log ? log.lines.join('\n') : '(not watched: call watchServiceWorkers(page) first)';
}

/** Per page: the running service worker pushes were delivered to, and how many. */
const deliveries = new WeakMap<Page, { worker: Worker; delivered: number }>();

/**
 * Count, inside the running service worker, the push events it has handled: each `push` event's
 * `waitUntil` promise, once it settles (and why, when it rejected). Idempotent while the worker runs.
 */
async function countHandledPushes(worker: Worker): Promise<void> {
  await worker.evaluate(() => {
    const scope = self as any;
    if (scope.__nodTestPushes) return;
    const pushes = { started: 0, handled: 0, failures: [] as string[] };
    scope.__nodTestPushes = pushes;
    const prototype = scope.ExtendableEvent.prototype;
    const waitUntil = prototype.waitUntil;
    prototype.waitUntil = function (this: { type: string }, promise: Promise<unknown>) {
      if (this.type === 'push') {
        pushes.started++;
        Promise.resolve(promise).then(
          () => {
            pushes.handled++;
          },
          (error) => {
            pushes.handled++;
            pushes.failures.push(String(error?.stack ?? error));
          },
        );
      }
      return waitUntil.call(this, promise);
    };
  });
}

/**
 * Deliver a push message to a service worker as the browser's push service would (DevTools
 * `ServiceWorker.deliverPushMessage`). Grant the `notifications` permission to the origin first
 * so the worker may show a notification. The worker must be running (DevTools keeps a worker it is
 * attached to running): it counts the pushes it handles, for `waitForNotifications`.
 */
export async function deliverPushMessage(page: Page, worker: ServiceWorkerInfo, data: unknown): Promise<void> {
  await watchServiceWorkers(page);
  const running = page
    .context()
    .serviceWorkers()
    .find((w) => w.url().startsWith(worker.scopeURL));
  if (!running) throw new Error(`no running service worker under ${worker.scopeURL} to deliver a push to\n${serviceWorkerLog(page)}`);
  await countHandledPushes(running);
  const previous = deliveries.get(page);
  const delivered = previous?.worker === running ? previous.delivered + 1 : 1;
  const session = await cdp(page);
  await session.send('ServiceWorker.deliverPushMessage', {
    origin: new URL(worker.scopeURL).origin,
    registrationId: worker.registrationId,
    data: typeof data === 'string' ? data : JSON.stringify(data),
  });
  deliveries.set(page, { worker: running, delivered });
  workerLogs.get(page)?.note(`push ${delivered} delivered to registration ${worker.registrationId}`);
}

export interface ShownNotification {
  title: string;
  body: string;
  tag: string;
  data: any;
}

/** The notifications a service worker registration is showing (`registration.getNotifications()`). */
export function getNotifications(page: Page, filter: { tag?: string } = {}): Promise<ShownNotification[]> {
  return page.evaluate(async (options) => {
    const registration = await navigator.serviceWorker.ready;
    const shown = await registration.getNotifications(options.tag ? { tag: options.tag } : undefined);
    return shown.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data }));
  }, filter);
}

/**
 * Wait until the page's service worker has handled every push `deliverPushMessage` gave it (each
 * push event's `waitUntil` settled, so its `showNotification` resolved), then read its
 * notifications once and expect `count` with this tag; return them.
 *
 * Never poll `getNotifications()` while a push is being shown: Chromium's read keeps a stored
 * notification only if the platform already reports it displayed or it was created after the read
 * began, and deletes every other one from its database (content/browser/notifications/
 * platform_notification_context_impl.cc, DoReadAllNotificationDataForServiceWorkerRegistration).
 * A read that lands between the worker's write and the display drops the notification for good —
 * it stays on screen, but no later read lists it. Under load that window is wide, and a 20 ms poll
 * fell into it (the push mode journey failed in 2 of 3 full runs). The app itself never reads its
 * notifications, so a phone never lost one.
 */
export async function waitForNotifications(page: Page, tag: string, count: number, timeoutMs = 20_000): Promise<ShownNotification[]> {
  const delivery = deliveries.get(page);
  if (!delivery) throw new Error(`no push was delivered to this page's service worker (deliverPushMessage) before waiting for ${tag}`);
  const handled = await delivery.worker
    .evaluate(
      async ({ delivered, timeoutMs }) => {
        const pushes = (self as any).__nodTestPushes as { started: number; handled: number; failures: string[] } | undefined;
        if (!pushes) return { ok: false, why: 'the service worker restarted after the push was delivered (its push count is gone)' };
        const deadline = performance.now() + timeoutMs;
        // Reads a counter of the worker's own, never the notifications.
        while (pushes.handled < delivered && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        return {
          ok: pushes.handled >= delivered,
          why: `${pushes.started} of ${delivered} push event(s) started, ${pushes.handled} handled`,
          failures: pushes.failures,
        };
      },
      { delivered: delivery.delivered, timeoutMs },
    )
    .catch((error: Error) => ({ ok: false, why: `the service worker is gone: ${error.message}`, failures: [] as string[] }));
  const shown = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const all = await registration.getNotifications();
    return {
      all: all.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data })),
      registrations: (await navigator.serviceWorker.getRegistrations()).map(
        (r) => `${r.scope} active=${r.active?.state} waiting=${r.waiting?.state} installing=${r.installing?.state}`,
      ),
      controlled: navigator.serviceWorker.controller !== null,
    };
  });
  const found = shown.all.filter((n) => n.tag === tag);
  if (handled.ok && found.length === count) return found;
  throw new Error(
    `expected ${count} notification(s) tagged ${tag} once the service worker handled its pushes (${timeoutMs} ms at most): ` +
      `${handled.ok ? 'handled' : 'not handled'} (${handled.why}); push failures: ${JSON.stringify(handled.failures ?? [])}\n` +
      `shown: ${JSON.stringify(shown.all.map((n) => `${n.tag}: ${n.title} — ${n.body}`))}\n` +
      `registrations: ${JSON.stringify(shown.registrations)}, page controlled: ${shown.controlled}\n` +
      `service worker log:\n${serviceWorkerLog(page)}`,
  );
}

/** Wait until a notification with this tag is shown, and return it. */
export async function waitForNotification(page: Page, tag: string, timeoutMs = 20_000): Promise<ShownNotification> {
  const [shown] = await waitForNotifications(page, tag, 1, timeoutMs);
  return shown;
}

/**
 * Click a notification, as far as a test can: dispatch a `notificationclick` event for it in
 * its service worker (DevTools cannot click a notification). The event is synthetic, so inside
 * it `event.waitUntil` throws and focusing or opening a window is refused; what the handler
 * starts before those (posting to the open page) still happens.
 */
export async function clickNotification(context: BrowserContext, scopeURL: string, tag: string): Promise<void> {
  const worker = context.serviceWorkers().find((w) => w.url().startsWith(scopeURL));
  if (!worker) throw new Error(`no running service worker under ${scopeURL}`);
  await worker.evaluate(async (wanted) => {
    const scope = self as any;
    const [notification] = await scope.registration.getNotifications({ tag: wanted });
    if (!notification) throw new Error(`no notification tagged ${wanted}`);
    scope.dispatchEvent(new scope.NotificationEvent('notificationclick', { notification }));
  }, tag);
}

/** Wait until a service worker controls the page (it then serves the page offline). */
export async function waitForServiceWorkerControl(page: Page, timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, { timeout: timeoutMs });
}

const controlRoles = new Set([
  'button',
  'link',
  'textbox',
  'searchbox',
  'spinbutton',
  'checkbox',
  'radio',
  'switch',
  'combobox',
  'slider',
  'menuitem',
  'tab',
]);

/**
 * Controls on the page that have no accessible name (the browser's own computation, from the
 * DevTools accessibility tree), as "role (html tag#id.class)" lines: expect it to be empty.
 */
export async function controlsWithoutNames(page: Page): Promise<string[]> {
  const session = await cdp(page);
  await session.send('Accessibility.enable');
  try {
    const { nodes } = await session.send('Accessibility.getFullAXTree');
    const missing = nodes.filter(
      (node) => !node.ignored && controlRoles.has(String(node.role?.value)) && !String(node.name?.value ?? '').trim(),
    );
    const described: string[] = [];
    for (const node of missing) {
      let where = '';
      if (node.backendDOMNodeId) {
        const { object } = await session.send('DOM.resolveNode', { backendNodeId: node.backendDOMNodeId });
        const html = await session.send('Runtime.callFunctionOn', {
          objectId: object.objectId,
          functionDeclaration: 'function () { return this.outerHTML.slice(0, 120); }',
          returnByValue: true,
        });
        where = String(html.result.value);
      }
      described.push(`${node.role?.value} ${where}`);
    }
    return described;
  } finally {
    await session.send('Accessibility.disable');
  }
}

/**
 * The README's screenshots (committed, kept small: CSS pixels). An end-to-end run refreshes them
 * only when asked (`NOD_UPDATE_DOCS=1 npm test`), so a plain test run leaves the work tree clean.
 */
export const docsDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../docs');

/**
 * Save a screenshot as test-artifacts/<name>.png and answer its path. With `docs`, at CSS pixels (a
 * phone's 2× screen makes four times the bytes) and also as docs/<name>.png, for the README.
 */
export async function saveScreenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean; docs?: boolean; clip?: { x: number; y: number; width: number; height: number } } = {},
): Promise<string> {
  fs.mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
  await page.screenshot({
    path: file,
    ...(options.clip ? { clip: options.clip } : { fullPage: options.fullPage ?? true }),
    ...(options.docs ? { scale: 'css' as const } : {}),
  });
  if (options.docs && process.env.NOD_UPDATE_DOCS === '1') {
    fs.mkdirSync(docsDir, { recursive: true });
    fs.copyFileSync(file, path.join(docsDir, path.basename(file)));
  }
  return file;
}

/**
 * Keep the page's console errors and uncaught exceptions, to print when a test fails
 * (`expect(errors).toEqual([])`, or log them in afterEach).
 */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}
