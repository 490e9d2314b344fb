/**
 * The content script in real Chromium (its modules bundled as the build does, run in a page with a fake
 * port): it reads the marker, the identity-provider declaration, the hosted page's title, words and form,
 * and only the top of a large page; a page with nothing to act on opens no port until it changes or the
 * background asks; a reported page relays the genuine page's hand-off and hands state to the UI bridge.
 */
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageObservation } from '../../shared/schemas/extensionMessages';
import { launchBrowser } from '../helpers/browser';

let bundle: string;
let browser: Browser;
let context: BrowserContext;

const site = 'http://nod.test';

beforeAll(async () => {
  const result = await build({
    stdin: {
      contents: `
        export { readPage, observePage, worthReporting, pageReadBudget } from './extension/lib/page/observePage';
        export { runContentScript } from './extension/lib/page/runContentScript';
        export { requestPageReport, findPageUiBridge } from './extension/lib/page/pageBridge';`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    globalName: 'Nod',
    write: false,
    target: 'es2022',
  });
  bundle = result.outputFiles[0].text;
  browser = await launchBrowser();
  context = await browser.newContext();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** A page at http://nod.test/ with `html`, and the content script's modules loaded (as `Nod`). */
async function open(html: string): Promise<Page> {
  const page = await context.newPage();
  await page.route(`${site}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
  await page.goto(`${site}/`);
  await page.addScriptTag({ content: bundle });
  return page;
}

const observe = (page: Page) =>
  page.evaluate(() => {
    const nod = (window as any).Nod;
    const observation: PageObservation = nod.observePage(document);
    return { observation, worth: nod.readPage(document).worthReporting as boolean, expected: nod.worthReporting(observation) as boolean };
  });

const doc = (head: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;

describe('what the content script reads', () => {
  it('bundles no schema library and no UI framework', () => {
    expect(bundle).not.toMatch(/zod|jitless|preact/i);
  });

  it('the marker and the identity-provider declarations in <head>', async () => {
    const marked = await open(
      doc(
        `<title>Sign in</title><meta name="nod-sign-in" content='{"v":1,"tenant":"contoso","step":"username","interaction":"uid_AB-1","x":1}'>`,
        '<h1>Sign in</h1>',
      ),
    );
    const seen = await observe(marked);
    expect(seen.observation.marker).toEqual({ v: 1, tenant: 'contoso', step: 'username', interaction: 'uid_AB-1' });
    expect(seen.worth).toBe(true);

    const meta = await open(
      doc('<meta name="nod-identity-provider" content="https://nod.example/t/contoso https://portal.test/login">', '<p>Welcome</p>'),
    );
    expect((await observe(meta)).observation.identityProvider).toEqual({
      issuer: 'https://nod.example/t/contoso',
      loginUrl: 'https://portal.test/login',
    });

    const link = await open(
      doc('<link rel="nod-identity-provider" href="https://nod.example/t/contoso" data-login-url="/login">', '<p>Welcome</p>'),
    );
    const linked = await observe(link);
    expect(linked.observation.identityProvider).toEqual({ issuer: 'https://nod.example/t/contoso', loginUrl: '/login' });
    expect(linked.worth).toBe(true);

    const broken = await open(doc(`<meta name="nod-sign-in" content='{"v":1,"tenant":"Not A Tenant","step":"username"}'>`, '<p>x</p>'));
    expect((await observe(broken)).observation.marker).toBeNull();
    await Promise.all([marked, meta, link, broken].map((p) => p.close()));
  });

  it('a copy of the hosted page: its title, heading, words and form, but not words inside scripts', async () => {
    const copy = await open(
      doc(
        '<title>Contoso · Sign in</title>',
        `<h1>Sign in to <b>Contoso</b></h1><form><input name="username" autocomplete="username"></form>
         <script>const hidden = "Use a verification code Use your password";</script>
         <ul><li><button>Approve a request on my Authenticator app</button></li><li><button>Use a
           verification code</button></li></ul><a href="#">Other ways to sign in</a>`,
      ),
    );
    const { observation, worth, expected } = await observe(copy);
    expect(observation.imitation).toEqual({
      title: false,
      phrases: 3,
      signInForm: true,
      mentions: ['Contoso', 'Sign in', 'Sign in to Contoso'],
    });
    expect(worth).toBe(expected);

    const titled = await open(doc('<title>Approve sign in request</title>', '<p>Open your Authenticator app</p>'));
    const byTitle = await observe(titled);
    expect(byTitle.observation.imitation.title).toBe(true);
    expect(byTitle.worth).toBe(true);
    await Promise.all([copy.close(), titled.close()]);
  });

  it('every kind of sign-in field, and not a search box', async () => {
    for (const [field, expected] of [
      ['<input type="PASSWORD">', true],
      ['<input type="email">', true],
      ['<input name="username">', true],
      ['<input autocomplete="section-a username">', true],
      ['<input type="search" name="q">', false],
      ['<input name="Username">', false],
    ] as const) {
      const page = await open(doc('<title>Shop</title>', `<p>Hello</p>${field}`));
      const seen = await observe(page);
      expect(seen.observation.imitation.signInForm, field).toBe(expected);
      expect(seen.worth, field).toBe(expected);
      await page.close();
    }
  });

  it('only the top of a large page: a news page is not worth reporting, whatever lies past the budget', async () => {
    const articles = Array.from(
      { length: 3000 },
      (_, i) =>
        `<article><h2><a href="/s/${i}">Story ${i}</a></h2><p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p></article>`,
    ).join('\n');
    const page = await open(
      doc(
        '<title>The Daily Example</title>',
        `<header><form role="search"><input type="search" name="q"></form></header><main>${articles}</main>
         <footer><h1>Sign in to Nod</h1><p>Other ways to sign in</p><p>Use your password</p><input type="password"></footer>`,
      ),
    );
    const { observation, worth } = await observe(page);
    expect(observation.imitation).toEqual({ title: false, phrases: 0, signInForm: false, mentions: ['The Daily Example'] });
    expect(worth).toBe(false);
    const budget = await page.evaluate(() => (window as any).Nod.pageReadBudget);
    expect(budget.text).toBeLessThanOrEqual(4000);
    await page.close();
  });
});

/** Run the content script in the page with a fake port; what it posts goes to window.posted. */
async function runWithPort(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as any;
    w.posted = [];
    w.heard = [];
    w.portListeners = [];
    addEventListener('message', (event) => {
      if (event.data?.type?.startsWith('nod:') && !event.data.type.startsWith('nod:phone') && event.data.type !== 'nod:extension-probe')
        w.heard.push(event.data);
    });
    w.fromBackground = (message: unknown) => {
      for (const listener of w.portListeners) listener(message);
    };
    w.Nod.runContentScript({
      isValid: true,
      connect(name: string) {
        w.connectedAs = name;
        return {
          postMessage: (message: unknown) => w.posted.push(JSON.parse(JSON.stringify(message))),
          onMessage: { addListener: (listener: unknown) => w.portListeners.push(listener) },
          onDisconnect: { addListener: () => undefined },
        };
      },
    });
  });
}

const posted = (page: Page) => page.evaluate(() => (window as any).posted as Array<{ type: string; payload: any }>);

describe('when the content script talks to the background', () => {
  it('a page with nothing to act on opens no port — until the background asks for a report', async () => {
    const page = await open(doc('<title>Shop</title>', '<p>Nothing here</p>'));
    await runWithPort(page);
    expect(await page.evaluate(() => (window as any).connectedAs)).toBeUndefined();
    await page.evaluate(() => (window as any).Nod.requestPageReport());
    expect(await page.evaluate(() => (window as any).connectedAs)).toBe('nod-page');
    expect((await posted(page)).map((m) => m.type)).toEqual(['page:observed']);
    await page.close();
  });

  it('a report asked for before the script ran is made when it runs', async () => {
    const page = await open(doc('<title>Shop</title>', '<p>Nothing here</p>'));
    await page.evaluate(() => (window as any).Nod.requestPageReport());
    await runWithPort(page);
    expect((await posted(page)).map((m) => m.type)).toEqual(['page:observed']);
    await page.close();
  });

  it('a single-page app that becomes a sign-in page is reported when its <head> changes', async () => {
    const page = await open(doc('<title>App</title>', '<p>Loading</p>'));
    await runWithPort(page);
    await page.evaluate(() => {
      const meta = document.createElement('meta');
      meta.name = 'nod-sign-in';
      meta.content = '{"v":1,"tenant":"contoso","step":"username"}';
      document.head.append(meta);
    });
    await expect.poll(async () => (await posted(page)).map((m) => m.type)).toEqual(['page:observed']);
    expect((await posted(page))[0].payload.marker).toEqual({ v: 1, tenant: 'contoso', step: 'username' });
    await page.close();
  });

  it('on a page judged genuine: ready, the hand-off, status without the number, and the UI bridge', async () => {
    const page = await open(
      doc(`<meta name="nod-sign-in" content='{"v":1,"tenant":"contoso","step":"username"}'>`, '<input name="username">'),
    );
    await runWithPort(page);
    // Before any verdict the page's hand-off is ignored; a forged verdict is ignored too.
    await page.evaluate(() => postMessage({ type: 'nod:phone-sign-in-requested', username: 'alice@contoso.example' }, location.origin));
    await page.evaluate(() =>
      (window as any).fromBackground({
        type: 'page:verdict',
        payload: { kind: 'genuine', tenant: 'contoso', site: 'javascript:alert(1)' },
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await posted(page)).map((m) => m.type)).toEqual(['page:observed']);

    await page.evaluate(() =>
      (window as any).fromBackground({
        type: 'page:verdict',
        payload: { kind: 'genuine', tenant: 'contoso', tenantDisplayName: 'Contoso', site: location.origin },
      }),
    );
    await expect.poll(() => page.evaluate(() => (window as any).heard)).toEqual([{ type: 'nod:extension-ready', v: 1 }]);

    await page.evaluate(() => postMessage({ type: 'nod:phone-sign-in-requested', username: ' Alice@Contoso.example ' }, location.origin));
    await expect.poll(async () => (await posted(page)).map((m) => m.type)).toEqual(['page:observed', 'page:observed', 'signIn:start']);
    expect((await posted(page))[2].payload).toEqual({ username: 'alice@contoso.example' });

    // The UI script's side of the bridge: it is drawn with the state, and a new view shows again.
    await page.evaluate(() => {
      const w = window as any;
      w.draws = [];
      w.Nod.findPageUiBridge().attach({
        draw: (state: unknown, newView: boolean) => w.draws.push({ state: JSON.parse(JSON.stringify(state)), newView }),
        remove() {},
      });
    });
    const view = {
      tabId: 1,
      tenant: 'contoso',
      tenantDisplayName: 'Contoso',
      username: 'alice@contoso.example',
      site: 'http://nod.test',
      number: 42,
      status: 'pending',
      requestId: 'r1',
    };
    await page.evaluate((v) => (window as any).fromBackground({ type: 'signIn:view', payload: { view: v } }), view);
    const draws = await page.evaluate(() => (window as any).draws);
    // Even a number the background never sends is dropped: the content script does not hold it.
    const { number: _number, ...withoutNumber } = view;
    expect(draws.at(-1)).toStrictEqual({
      state: { verdict: expect.objectContaining({ kind: 'genuine' }), view: withoutNumber },
      newView: true,
    });
    // The page hears the status, never the number.
    await expect
      .poll(() => page.evaluate(() => (window as any).heard.at(-1)))
      .toEqual({ type: 'nod:status', status: 'pending', requestId: 'r1' });
    expect(JSON.stringify(await page.evaluate(() => (window as any).heard))).not.toContain('42');

    // The UI framed the panel: the background learns the frame's key, and sizes come back to the UI.
    await page.evaluate(() => (window as any).Nod.findPageUiBridge().panelFramed('a1b2c3d4-e5f6-4789-8abc-def012345678'));
    await expect
      .poll(async () => (await posted(page)).at(-1))
      .toEqual({ type: 'page:panelFrame', payload: { key: 'a1b2c3d4-e5f6-4789-8abc-def012345678' } });
    await page.evaluate(() => (window as any).fromBackground({ type: 'page:panelHeight', payload: { height: 236 } }));
    expect((await page.evaluate(() => (window as any).draws)).at(-1)).toMatchObject({ state: { panelHeight: 236 }, newView: false });
    await page.close();
  });
});
