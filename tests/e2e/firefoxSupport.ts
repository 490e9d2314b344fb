/**
 * The Nod extension in real Firefox for end-to-end tests: Debian's Firefox ESR (never a downloaded
 * browser; NOD_FIREFOX overrides the path), headless, driven by puppeteer-core over WebDriver BiDi
 * (Firefox has no DevTools protocol), with the release Firefox build of the extension
 * (dist/extension/firefox-mv3, built before the tests: tests/helpers/builds.ts) installed as a temporary
 * add-on, the way about:debugging's Load Temporary Add-on installs it (BiDi `webExtension.install`).
 *
 * The release build asks for nothing at install: its host permissions are optional, and Firefox grants
 * none by default. The options page's **Add relay** asks for the relay's address with
 * `permissions.request` inside the click, as for a person; the test clicks it with real input (BiDi
 * `input.performActions`, a trusted click that counts as the user gesture Firefox demands), and the
 * profile's `extensions.webextOptionalPermissionPrompts = false` (the pref Firefox's own extension tests
 * use) stands for the person answering the browser's doorhanger with Allow — a doorhanger is browser UI,
 * which BiDi cannot click. The extension's own code path runs unchanged: request, grant, content script
 * registered for the granted address.
 *
 * Two more prefs pin what Firefox would otherwise pick at random: `extensions.webextensions.uuids`
 * fixes the extension's moz-extension:// host, so the test knows its options page's address. And
 * BiDi refuses to navigate a tab to a moz-extension:// address unless the driver was started with
 * `--remote-allow-system-access` (a person opens the options page from about:addons or the toolbar
 * popup, neither of which BiDi reaches); that flag widens what the *driver* may do, not what the
 * extension or any page may.
 */
import fs from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type Frame, type Page } from 'puppeteer-core';
import { firefoxExtensionDir } from '../helpers/builds';

export const firefoxPath = process.env.NOD_FIREFOX ?? '/usr/bin/firefox-esr';

/** The id in the Firefox build's manifest (browser_specific_settings.gecko.id, wxt.config.ts). */
const extensionId = 'nod@nod.invalid';

export interface FirefoxWithExtension {
  browser: Browser;
  /** e.g. moz-extension://6f1c…/ */
  extensionOrigin: string;
  close(): Promise<void>;
}

/** Firefox ESR with the built Nod extension installed as a temporary add-on. */
export async function launchFirefoxWithExtension(extensionPath = firefoxExtensionDir): Promise<FirefoxWithExtension> {
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionPath, 'manifest.json'), 'utf8'));
  if (manifest.browser_specific_settings?.gecko?.id !== extensionId) throw new Error(`${extensionPath} is not the Firefox build`);
  const uuid = crypto.randomUUID();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath,
    headless: true,
    // Starting Firefox on a loaded 2-core machine can take longer than Puppeteer's default 30 s.
    timeout: 90_000,
    args: ['--remote-allow-system-access'],
    defaultViewport: { width: 1100, height: 760 },
    protocolTimeout: 60_000,
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [extensionId]: uuid }),
      'extensions.webextOptionalPermissionPrompts': false,
    },
  });
  try {
    const installed = await browser.installExtension(extensionPath);
    if (installed !== extensionId) throw new Error(`installed ${installed}, expected ${extensionId}`);
  } catch (error) {
    await browser.close();
    throw error;
  }
  return { browser, extensionOrigin: `moz-extension://${uuid}/`, close: () => browser.close() };
}

/**
 * The person adds their organization's relay in the extension's options (Relay address → Add relay),
 * the browser asks for that one address (answered Allow by the profile, above), and the options page
 * says the browser is registered with the relay.
 */
export async function addRelayInFirefox(firefox: FirefoxWithExtension, relayUrl: string): Promise<void> {
  const options = await firefox.browser.newPage();
  try {
    await openExtensionPage(options, firefox, 'options.html');
    await options.locator('::-p-aria([name="Relay address"][role="textbox"])').fill(relayUrl);
    await options.locator('::-p-aria([name="Add relay"][role="button"])').click();
    await options
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, as a person reads it
      .waitForFunction(() => document.body.innerText.includes('This browser is registered with the relay.'), { timeout: 30_000 })
      .catch(async (error) => {
        // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, as a person reads it
        const said = await options.evaluate(() => document.body.innerText).catch(() => '(unreadable)');
        throw new Error(`the options page never said the browser is registered; it says: ${said}`, { cause: error });
      });
  } finally {
    await options.close();
  }
}

/**
 * Open one of the extension's own pages in a tab. Firefox reports no navigation events over BiDi for a
 * document in the extension's process (Puppeteer's `goto` would wait for them until it times out), so
 * wait instead for the page's document itself: the extension's address, fully loaded.
 */
async function openExtensionPage(page: Page, firefox: FirefoxWithExtension, file: string): Promise<void> {
  const url = `${firefox.extensionOrigin}${file}`;
  void page.goto(url).catch(() => undefined);
  await page.waitForFunction((wanted) => location.href === wanted && document.readyState === 'complete', { timeout: 30_000 }, url);
}

/** Where each frame of the page is, as its own document says (see `openExtensionPage` for why not `frame.url()`). */
async function frameAddresses(page: Page): Promise<Array<{ frame: Frame; href: string }>> {
  return Promise.all(
    page.frames().map(async (frame) => ({ frame, href: await frame.evaluate(() => location.href).catch(() => frame.url()) })),
  );
}

/**
 * The sign-in panel's frame on the page: the extension's panel.html, which Nod's page UI frames into the
 * page. Its document lives in the extension's process, for which Firefox reports no navigation over BiDi,
 * so the frame is told by the address its document has.
 */
export async function panelFrameOf(page: Page, extensionOrigin: string): Promise<Frame | undefined> {
  return (await frameAddresses(page)).find(({ href }) => href.startsWith(`${extensionOrigin}panel.html#`))?.frame;
}

/** What the panel shows, as rendered text (what a person reads); empty while there is no panel. */
export async function panelText(page: Page, extensionOrigin: string): Promise<string> {
  const frame = await panelFrameOf(page, extensionOrigin);
  if (!frame) return '';
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, as a person reads it
  return frame.evaluate(() => document.body.innerText.replace(/\s+/g, ' ').trim()).catch(() => '');
}

/** Wait until the panel's text satisfies `until`; answers the text. */
export async function waitForPanel(
  page: Page,
  extensionOrigin: string,
  until: (text: string) => boolean,
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await panelText(page, extensionOrigin);
    if (until(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const frames = (await frameAddresses(page)).map(({ frame, href }) => `${frame.url()} (${href})`);
  throw new Error(`the Nod panel never matched; last it said: ${JSON.stringify(last)}; the page's frames: ${frames.join(', ')}`);
}

/** The number the panel asks to enter on the phone: the two digits after its instruction. */
export function numberIn(text: string): number | undefined {
  const match = /enter the number shown to sign in\.\s*(\d{2})\b/.exec(text);
  return match ? Number(match[1]) : undefined;
}
