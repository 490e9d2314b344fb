/**
 * The Nod extension in real Chromium for end-to-end tests: the test build (built once per run
 * before the tests, with NOD_EXTENSION_TEST_HOSTS: tests/helpers/builds.ts), loaded unpacked into a
 * persistent profile, its id read from its service worker; small loopback sites; and a reader for
 * the extension's UI on a page — its closed shadow root (the page cannot see into it, DevTools can)
 * and the sign-in panel's frame on the extension's origin (read through Playwright's frame API).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Frame, Page, Worker } from 'playwright-core';
import { cdp, chromiumPath, launchPersistentBrowser } from '../helpers/browser';
import { testExtensionDir } from '../helpers/builds';

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  /** The background service worker (it changes when Chrome stops and restarts it). */
  worker(): Promise<Worker>;
  /** Stop every service worker, as Chrome does when the background is idle (DevTools ServiceWorker.stopAllWorkers). */
  stopServiceWorkers(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A desktop browser with the extension loaded (by default the test build, whose host permissions are
 * granted). `args`: more Chromium switches (e.g. `--user-agent=…`, which the extension's calls carry too).
 */
export async function launchWithExtension(
  extensionPath = testExtensionDir,
  options: { args?: string[]; executablePath?: string } = {},
): Promise<ExtensionBrowser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-extension-profile-'));
  const context = await launchPersistentBrowser({
    extensionPath,
    userDataDir,
    args: options.args,
    // Playwright adds --disable-extensions by default.
    contextOptions: {
      ignoreDefaultArgs: ['--disable-extensions'],
      viewport: { width: 1100, height: 760 },
      ...(options.executablePath ? { executablePath: options.executablePath } : {}),
    },
  });
  const first = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  const extensionId = new URL(first.url()).host;
  let control: Page | undefined;
  return {
    context,
    extensionId,
    async worker() {
      const running = context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${extensionId}/`));
      return running ?? context.waitForEvent('serviceworker', { timeout: 15_000 });
    },
    async stopServiceWorkers() {
      control ??= await context.newPage();
      const session = await cdp(control);
      await session.send('ServiceWorker.enable');
      await session.send('ServiceWorker.stopAllWorkers');
    },
    async close() {
      await context.close();
      // Chromium may still be writing its profile for a moment after it closed.
      fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

/** The id Chromium gives an unpacked extension: the first 128 bits of SHA-256 of its absolute path, in the letters a–p. */
export function unpackedExtensionId(extensionPath: string): string {
  const hex = createHash('sha256').update(path.resolve(extensionPath)).digest('hex').slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode(97 + Number.parseInt(digit, 16))).join('');
}

/**
 * Chromium as an organization's managed machine runs it: with an enterprise policy for an extension
 * (`3rdparty.extensions.<id>`, what `storage.managed` reads). Linux Chromium reads policies from
 * /etc/chromium/policies/managed/*.json; so as not to touch this machine's /etc, the browser starts in
 * a mount namespace of its own (`unshare -m`, as root) where a copy of /etc/chromium holding the
 * policy file is bind-mounted over the real one. Returns the executable to launch, and a cleanup.
 */
export function chromiumWithExtensionPolicy(
  extensionPath: string,
  settings: Record<string, unknown>,
): { executablePath: string; dispose(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-managed-chromium-'));
  const etc = path.join(dir, 'etc-chromium');
  if (fs.existsSync('/etc/chromium')) fs.cpSync('/etc/chromium', etc, { recursive: true });
  fs.mkdirSync(path.join(etc, 'policies/managed'), { recursive: true });
  const policy = { '3rdparty': { extensions: { [unpackedExtensionId(extensionPath)]: settings } } };
  fs.writeFileSync(path.join(etc, 'policies/managed/nod.json'), JSON.stringify(policy));
  const executablePath = path.join(dir, 'chromium');
  const script = [
    '#!/bin/sh',
    // A private mount namespace (util-linux makes its mounts private): the bind mount is seen by this browser only.
    `exec unshare --mount sh -c 'mount --bind "$0" /etc/chromium && exec "$@"' ${JSON.stringify(etc)} ${JSON.stringify(chromiumPath)} "$@"`,
    '',
  ].join('\n');
  fs.writeFileSync(executablePath, script, { mode: 0o755 });
  return { executablePath, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The person adds their organization's relay in the extension's options (Relay address → Add relay);
 * the test build already holds the host permission, so no prompt. Waits until the browser is registered.
 */
export async function addRelay(ext: ExtensionBrowser, relayUrl: string): Promise<void> {
  const options = await ext.context.newPage();
  await options.goto(`chrome-extension://${ext.extensionId}/options.html`);
  await options.getByLabel('Relay address').fill(relayUrl);
  await options.getByRole('button', { name: 'Add relay' }).click();
  await options.getByTestId('relay').getByText('This browser is registered with the relay.').waitFor();
  await options.close();
}

/** The extension's popup for a tab, as its toolbar button opens it (opened here as a page of its own). */
export async function openPopupFor(ext: ExtensionBrowser, page: Page): Promise<Page> {
  const worker = await ext.worker();
  const url = page.url();
  const tabId = await worker.evaluate(async (wanted) => {
    const tabs: Array<{ id: number; url?: string }> = await (globalThis as any).chrome.tabs.query({});
    return tabs.find((tab) => tab.url === wanted)?.id;
  }, url);
  if (tabId === undefined) throw new Error(`no tab at ${url}`);
  const popup = await ext.context.newPage();
  await popup.setViewportSize({ width: 360, height: 460 });
  await popup.goto(`chrome-extension://${ext.extensionId}/popup.html?tabId=${tabId}`);
  return popup;
}

export interface LoopbackSite {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  close(): Promise<void>;
}

/** Serve fixed HTML pages by path on a loopback host (`127.0.0.1` or `localhost`). */
export async function serveSite(pages: Record<string, string>, host = '127.0.0.1'): Promise<LoopbackSite> {
  const server = http.createServer((request, response) => {
    const body = pages[new URL(request.url ?? '/', 'http://x').pathname];
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    // The browser keeps idle connections open: end them, or close waits for its keep-alive timeout.
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface DomNode {
  nodeId?: number;
  nodeType: number;
  nodeName: string;
  nodeValue?: string;
  attributes?: string[];
  children?: DomNode[];
  shadowRoots?: Array<DomNode & { shadowRootType?: string }>;
}

export interface ExtensionUi {
  /** Whether the extension's host element is on the page. */
  present: boolean;
  /** The shadow root's mode as DevTools reports it. */
  mode?: string;
  /** All text inside the shadow root and the panel's frame. */
  text: string;
  /** data-testid values inside the shadow root and the panel's frame. */
  testIds: string[];
  /** Text of the element with this data-testid. */
  byTestId: Record<string, string>;
  /** The URL of the sign-in panel's frame, when the panel shows. */
  panelFrameUrl?: string;
}

/** The sign-in panel's frame on the page: the extension's panel page, framed by the page UI. */
export function panelFrameOf(page: Page): Frame | undefined {
  return page.frames().find((frame) => /^chrome-extension:\/\/[a-z]+\/panel\.html#/.test(frame.url()));
}

/** What the panel's frame shows: its text and its data-testid elements (empty when it went away meanwhile). */
async function readPanelFrame(frame: Frame): Promise<{ text: string; byTestId: Record<string, string> }> {
  return frame
    .evaluate(() => {
      const textOf = (root: Node) => {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        const parts: string[] = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) parts.push(node.nodeValue ?? '');
        return parts.join(' ').replace(/\s+/g, ' ').trim();
      };
      const byTestId: Record<string, string> = {};
      for (const element of document.querySelectorAll('[data-testid]'))
        byTestId[element.getAttribute('data-testid') ?? ''] = textOf(element);
      return { text: textOf(document.body), byTestId };
    })
    .catch(() => ({ text: '', byTestId: {} }));
}

/**
 * Read the extension's UI on a page: its closed shadow root through DevTools (DOM.getDocument with
 * pierce), which page scripts cannot do (for them `element.shadowRoot` is null), and the panel's frame —
 * an extension page in a process of its own, which DevTools' page document does not include — through
 * Playwright's frame API.
 */
export async function readExtensionUi(page: Page): Promise<ExtensionUi> {
  const session = await cdp(page);
  const { root } = (await session.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
  const host = find(root, (node) => node.nodeName.toLowerCase() === 'nod-extension-ui');
  const shadow = host?.shadowRoots?.[0];
  if (!host || !shadow) return { present: Boolean(host), text: '', testIds: [], byTestId: {} };
  const testIds: string[] = [];
  const byTestId: Record<string, string> = {};
  walk(shadow, (node) => {
    const attributes = node.attributes ?? [];
    const index = attributes.indexOf('data-testid');
    if (index >= 0) {
      testIds.push(attributes[index + 1]);
      byTestId[attributes[index + 1]] = textOf(node);
    }
  });
  let text = textOf(shadow);
  const frame = testIds.includes('nod-panel-frame') ? panelFrameOf(page) : undefined;
  if (frame) {
    const inFrame = await readPanelFrame(frame);
    text = `${text} ${inFrame.text}`.trim();
    testIds.push(...Object.keys(inFrame.byTestId));
    Object.assign(byTestId, inFrame.byTestId);
  }
  return { present: true, mode: shadow.shadowRootType, text, testIds, byTestId, ...(frame ? { panelFrameUrl: frame.url() } : {}) };
}

/** Wait until the extension's UI on the page satisfies `until`. */
export async function waitForExtensionUi(page: Page, until: (ui: ExtensionUi) => boolean, timeoutMs = 15_000): Promise<ExtensionUi> {
  const deadline = Date.now() + timeoutMs;
  let last: ExtensionUi | undefined;
  while (Date.now() < deadline) {
    last = await readExtensionUi(page);
    if (until(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`extension UI never matched; last: ${JSON.stringify(last)}`);
}

/**
 * Click a button of the extension's UI, by its text, as a person would (mouse at its box): in the closed
 * shadow root, or else in the panel's frame.
 */
export async function clickInExtensionUi(page: Page, text: string): Promise<void> {
  const session = await cdp(page);
  const { root } = (await session.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
  const host = find(root, (node) => node.nodeName.toLowerCase() === 'nod-extension-ui');
  const button = host && find(host, (node) => node.nodeName === 'BUTTON' && textOf(node) === text);
  if (!button?.nodeId) {
    const frame = panelFrameOf(page);
    if (!frame) throw new Error(`no button "${text}" in the extension's UI`);
    await frame.getByRole('button', { name: text, exact: true }).click();
    return;
  }
  const { model } = (await session.send('DOM.getBoxModel', { nodeId: button.nodeId })) as { model: { content: number[] } };
  const [x1, y1, , , x3, y3] = model.content;
  await page.mouse.click((x1 + x3) / 2, (y1 + y3) / 2);
}

function walk(node: DomNode, visit: (node: DomNode) => void): void {
  visit(node);
  for (const child of node.children ?? []) walk(child, visit);
  for (const shadow of node.shadowRoots ?? []) walk(shadow, visit);
}

function find(node: DomNode, match: (node: DomNode) => boolean): DomNode | undefined {
  let found: DomNode | undefined;
  walk(node, (n) => {
    if (!found && match(n)) found = n;
  });
  return found;
}

function textOf(node: DomNode): string {
  if (node.nodeName === 'STYLE' || node.nodeName === 'SCRIPT') return '';
  let text = node.nodeType === 3 ? (node.nodeValue ?? '') : '';
  for (const child of [...(node.children ?? []), ...(node.shadowRoots ?? [])]) text += ` ${textOf(child)}`;
  return text.replace(/\s+/g, ' ').trim();
}
