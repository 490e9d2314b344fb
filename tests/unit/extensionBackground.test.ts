/**
 * The background as the browser runs it (its entry point's `main`), with WXT's fakeBrowser: the sender
 * is checked before any handler runs, unknown and malformed messages are ignored, a content script
 * speaks only for its tab's real origin, a page that is not genuine never gets a request made for it,
 * and the number goes only to the panel frame the page UI made — never to the content script.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type PageObservation, message } from '../../shared/schemas/extensionMessages';
import background from '../../extension/entrypoints/background';
import type { RelayRecord } from '../../extension/lib/relays/relayRecord';

const relay: RelayRecord = {
  origin: 'https://nod.contoso.example',
  addedAt: '2026-01-01T00:00:00.000Z',
  fetchedAt: new Date().toISOString(),
  deviceIds: {},
  tenants: [
    {
      name: 'contoso',
      displayName: 'Contoso',
      signInOrigins: ['https://nod.contoso.example'],
      issuer: 'https://nod.contoso.example/t/contoso',
    },
  ],
};

const observation = (marker: PageObservation['marker']): PageObservation => ({
  marker,
  imitation: { title: false, phrases: 0, signInForm: true, mentions: [] },
  identityProvider: null,
});
const marker = { v: 1 as const, tenant: 'contoso', step: 'username' as const };

interface FakePort {
  name: string;
  sender: unknown;
  posted: unknown[];
  disconnected: boolean;
  send(raw: unknown): void;
}

let connect: (port: unknown) => void;
let fetchSpy: ReturnType<typeof vi.fn>;

function openPort(sender: unknown, name = 'nod-page'): FakePort {
  const listeners: Array<(raw: unknown) => void> = [];
  const port: FakePort & Record<string, unknown> = {
    name,
    sender,
    posted: [],
    disconnected: false,
    onMessage: { addListener: (fn: (raw: unknown) => void) => listeners.push(fn) },
    onDisconnect: { addListener: () => undefined },
    postMessage(raw: unknown) {
      port.posted.push(raw);
    },
    disconnect() {
      port.disconnected = true;
    },
    send(raw: unknown) {
      for (const fn of listeners) fn(raw);
    },
  };
  connect(port);
  return port;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
const extensionUrl = (path: string) => fakeBrowser.runtime.getURL(path);
const tabSender = (url: string, extra: Record<string, unknown> = {}): any => ({
  id: fakeBrowser.runtime.id,
  url,
  origin: new URL(url).origin,
  frameId: 0,
  tab: { id: 5, url },
  ...extra,
});

beforeEach(async () => {
  fakeBrowser.reset();
  await fakeBrowser.storage.local.set({ relays: [relay] });
  const noop = { addListener: () => undefined };
  Object.assign(fakeBrowser.runtime, { onConnect: { addListener: (fn: (port: unknown) => void) => (connect = fn) } });
  Object.assign(fakeBrowser, {
    permissions: {
      getAll: async () => ({ origins: ['https://nod.contoso.example/*'] }),
      contains: async () => true,
      onAdded: noop,
      onRemoved: noop,
    },
    scripting: {
      getRegisteredContentScripts: async () => [],
      registerContentScripts: vi.fn(async () => undefined),
      updateContentScripts: vi.fn(async () => undefined),
      unregisterContentScripts: vi.fn(async () => undefined),
      executeScript: vi.fn(async () => []),
    },
  });
  Object.assign(fakeBrowser.action, { setBadgeText: async () => undefined, setBadgeBackgroundColor: async () => undefined });
  fetchSpy = vi.fn(async () => Response.json({}, { status: 500 }));
  vi.stubGlobal('fetch', fetchSpy);
  background.main();
  await settle();
});
afterEach(() => vi.unstubAllGlobals());

describe('background message handling', () => {
  it('registers the content script for the granted origins only', () => {
    expect(fakeBrowser.scripting.registerContentScripts).toHaveBeenCalledWith([
      expect.objectContaining({ id: 'nod-page', matches: ['https://nod.contoso.example/*'], js: ['/nod-page.js'], allFrames: false }),
    ]);
  });

  it('answers extension pages, and ignores the same message from a content script', async () => {
    const fromPopup = await fakeBrowser.runtime.onMessage.trigger(message('ui:getState', {}), {
      id: fakeBrowser.runtime.id,
      url: extensionUrl('/popup.html'),
    });
    expect(fromPopup[0]).toMatchObject({ relays: [{ origin: 'https://nod.contoso.example' }], pending: [] });
    const fromPage = await fakeBrowser.runtime.onMessage.trigger(
      message('ui:getState', {}),
      tabSender('https://nod.contoso.example/t/contoso'),
    );
    expect(fromPage[0]).toBeUndefined();
    const fromOtherExtension = await fakeBrowser.runtime.onMessage.trigger(message('ui:getState', {}), {
      id: 'someone-else',
      url: 'chrome-extension://someone-else/popup.html',
    });
    expect(fromOtherExtension[0]).toBeUndefined();
  });

  it('ignores unknown and malformed messages from extension pages', async () => {
    const sender = { id: fakeBrowser.runtime.id, url: extensionUrl('/options.html') };
    expect((await fakeBrowser.runtime.onMessage.trigger({ type: 'ui:exportKey', payload: {} }, sender))[0]).toBeUndefined();
    expect((await fakeBrowser.runtime.onMessage.trigger({ type: 'ui:addRelay', payload: { url: 42 } }, sender))[0]).toBeUndefined();
    expect((await fakeBrowser.runtime.onMessage.trigger('ui:getState', sender))[0]).toBeUndefined();
  });

  it('refuses ports from sub-frames, other extensions and under other names before any handler runs', () => {
    expect(openPort(tabSender('https://nod.contoso.example/x', { frameId: 2 })).disconnected).toBe(true);
    expect(openPort(tabSender('https://nod.contoso.example/x', { id: 'other' })).disconnected).toBe(true);
    expect(openPort(tabSender('https://nod.contoso.example/x'), 'something-else').disconnected).toBe(true);
    expect(openPort(tabSender('https://nod.contoso.example/x')).disconnected).toBe(false);
  });

  it('judges the page by the sender’s origin: genuine on the registered origin, a look-alike elsewhere', async () => {
    const genuine = openPort(tabSender('https://nod.contoso.example/t/contoso/interaction/1'));
    genuine.send(message('page:observed', observation(marker)));
    await settle();
    expect(genuine.posted).toContainEqual(
      message('page:verdict', { kind: 'genuine', tenant: 'contoso', tenantDisplayName: 'Contoso', site: 'https://nod.contoso.example' }),
    );

    const lookalike = openPort(tabSender('https://nod.contoso.example.evil.test/signin'));
    lookalike.send(message('page:observed', observation(marker)));
    await settle();
    expect(lookalike.posted[0]).toMatchObject({
      type: 'page:verdict',
      payload: { kind: 'lookalike', expected: ['https://nod.contoso.example'] },
    });
  });

  it('a look-alike (or a page that never reported itself) cannot start a sign-in: no request leaves the browser', async () => {
    const lookalike = openPort(tabSender('https://nod.contoso.example:8443/signin'));
    lookalike.send(message('page:observed', observation(marker)));
    lookalike.send(message('signIn:start', { username: 'alice@contoso.example' }));
    const silent = openPort(tabSender('https://nod.contoso.example/t/contoso'));
    silent.send(message('signIn:start', { username: 'alice@contoso.example' }));
    // Messages only the background may send, sent by a content script, are ignored too.
    silent.send(message('signIn:grant', { grant: 'forged', requestId: 'r' }));
    await settle();
    expect(fetchSpy.mock.calls.filter(([url]) => String(url).includes('/sign-in-requests'))).toEqual([]);
  });

  it('injects the page UI only when there is something to show: a look-alike or an offer, a sign-in on a genuine page', async () => {
    const injected = () =>
      (fakeBrowser.scripting.executeScript as ReturnType<typeof vi.fn>).mock.calls.filter(([details]) =>
        details.files?.includes('/nod-page-ui.js'),
      );
    const plain = openPort(tabSender('https://news.example/', { tab: { id: 6, url: 'https://news.example/' } }));
    plain.send(message('page:observed', { ...observation(null), imitation: { title: false, phrases: 0, signInForm: true, mentions: [] } }));
    const genuine = openPort(tabSender('https://nod.contoso.example/t/contoso/interaction/1'));
    genuine.send(message('page:observed', observation(marker)));
    await settle();
    expect(plain.posted[0]).toMatchObject({ payload: { kind: 'none' } });
    expect(injected()).toEqual([]); // nothing to show yet

    const lookalike = openPort(
      tabSender('https://nod.contoso.example.evil.test/signin', { tab: { id: 7, url: 'https://nod.contoso.example.evil.test/signin' } }),
    );
    lookalike.send(message('page:observed', observation(marker)));
    lookalike.send(message('page:observed', observation(marker)));
    await settle();
    expect(injected()).toEqual([[{ target: { tabId: 7, frameIds: [0] }, files: ['/nod-page-ui.js'] }]]); // once per page

    genuine.send(message('signIn:start', { username: 'alice@contoso.example' }));
    await vi.waitFor(() => expect(injected()).toContainEqual([{ target: { tabId: 5, frameIds: [0] }, files: ['/nod-page-ui.js'] }]));
  });

  it('asks a tab with a sign-in to report the page it loaded (the content script reports ordinary pages only when asked)', async () => {
    const asked = () => (fakeBrowser.scripting.executeScript as ReturnType<typeof vi.fn>).mock.calls.filter(([details]) => details.func);
    await fakeBrowser.tabs.onUpdated.trigger(5, { status: 'complete' }, { id: 5 } as never);
    await settle();
    expect(asked()).toEqual([]); // no sign-in in that tab

    const genuine = openPort(tabSender('https://nod.contoso.example/t/contoso/interaction/1'));
    genuine.send(message('page:observed', observation(marker)));
    genuine.send(message('signIn:start', { username: 'alice@contoso.example' }));
    await vi.waitFor(() => expect(fetchSpy.mock.calls.some(([url]) => String(url).endsWith('/sign-in-requests'))).toBe(true));
    await settle();
    await fakeBrowser.tabs.onUpdated.trigger(5, { status: 'loading' }, { id: 5 } as never);
    await fakeBrowser.tabs.onUpdated.trigger(5, { status: 'complete' }, { id: 5 } as never);
    await settle();
    expect(asked()).toEqual([[{ target: { tabId: 5, frameIds: [0] }, func: expect.any(Function) }]]);
  });

  it('a genuine page’s start makes the request for the sender’s origin, whatever the page claims', async () => {
    const genuine = openPort(tabSender('https://nod.contoso.example/t/contoso/interaction/1'));
    genuine.send(message('page:observed', observation(marker)));
    genuine.send({ type: 'signIn:start', payload: { username: 'alice@contoso.example', origin: 'https://evil.test' } });
    await vi.waitFor(() => expect(fetchSpy.mock.calls.some(([url]) => String(url).endsWith('/api/t/contoso/sign-in-requests'))).toBe(true));
    const [, init] = fetchSpy.mock.calls.find(([url]) => String(url).endsWith('/sign-in-requests'))!;
    expect(JSON.parse(init.body)).toMatchObject({ username: 'alice@contoso.example', origin: 'https://nod.contoso.example' });
    expect(init.headers['nod-collector-key']).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('the sign-in panel’s frame', () => {
  const key = 'a1b2c3d4-e5f6-4789-8abc-def012345678';
  const panelSender = (frameKey: string, extra: Record<string, unknown> = {}): any => ({
    id: fakeBrowser.runtime.id,
    url: `${extensionUrl('/panel.html')}#${frameKey}`,
    origin: `chrome-extension://${fakeBrowser.runtime.id}`,
    frameId: 3,
    tab: { id: 5, url: 'https://nod.contoso.example/t/contoso/interaction/1' },
    ...extra,
  });
  const created = {
    requestId: 'req1',
    number: 42,
    expiresAt: new Date(Date.now() + 120_000).toISOString(),
    collectorSecret: 's'.repeat(43),
    status: 'pending',
    methods: [],
  };

  beforeEach(() => {
    fetchSpy.mockImplementation(async (url: string, init?: RequestInit) => {
      if (String(url).endsWith('/sign-in-requests')) return Response.json(created, { status: 201 });
      if (String(url).endsWith('/events')) {
        // A stream that says nothing until it is aborted.
        return new Response(
          new ReadableStream({ start: (c) => init?.signal?.addEventListener('abort', () => c.error(new Error('aborted'))) }),
          { status: 200, headers: { 'content-type': 'text/event-stream' } },
        );
      }
      return new Response(null, { status: 204 });
    });
  });

  it('is refused unless it is our panel page, framed in a tab, with a key in its URL', () => {
    expect(openPort(panelSender(key, { frameId: 0 }), 'nod-panel').disconnected).toBe(true);
    expect(openPort(panelSender(key, { id: 'someone-else' }), 'nod-panel').disconnected).toBe(true);
    expect(openPort({ ...panelSender(key), url: extensionUrl('/panel.html') }, 'nod-panel').disconnected).toBe(true);
    expect(openPort({ ...panelSender(key), url: `${extensionUrl('/popup.html')}#${key}` }, 'nod-panel').disconnected).toBe(true);
    // Our content script carries our id too, but it is not the panel.
    expect(openPort(tabSender('https://nod.contoso.example/x', { frameId: 3 }), 'nod-panel').disconnected).toBe(true);
    expect(openPort(panelSender(key), 'nod-panel').disconnected).toBe(false);
  });

  it('gets the number, the content script never does, and a frame with another key gets nothing', async () => {
    const page = openPort(tabSender('https://nod.contoso.example/t/contoso/interaction/1'));
    page.send(message('page:observed', observation(marker)));
    page.send(message('page:panelFrame', { key }));
    const panel = openPort(panelSender(key), 'nod-panel');
    const stranger = openPort(panelSender('ffffffff-e5f6-4789-8abc-def012345678', { frameId: 9 }), 'nod-panel');
    page.send(message('signIn:start', { username: 'alice@contoso.example' }));

    await vi.waitFor(() =>
      expect(panel.posted).toContainEqual(
        message('panel:view', { view: expect.objectContaining({ number: 42, status: 'pending', site: 'https://nod.contoso.example' }) }),
      ),
    );
    // Every post to frames goes to all of them at once: the other frame would have had it by now.
    expect(stranger.posted).toEqual([]);
    const toPage = page.posted.filter((m: any) => m.type === 'signIn:view');
    expect(toPage).toContainEqual(message('signIn:view', { view: expect.objectContaining({ status: 'pending', requestId: 'req1' }) }));
    expect(JSON.stringify(page.posted)).not.toContain('"number"');

    // The frame reports its height; the page UI hears it through the content script.
    panel.send(message('panel:resized', { height: 236 }));
    await vi.waitFor(() => expect(page.posted).toContainEqual(message('page:panelHeight', { height: 236 })));
    // The other frame can neither resize the panel nor cancel the sign-in.
    stranger.send(message('panel:resized', { height: 1 }));
    stranger.send(message('panel:cancel', {}));
    await settle();
    expect(page.posted).not.toContainEqual(message('page:panelHeight', { height: 1 }));
    expect(fetchSpy.mock.calls.filter(([, init]) => init?.method === 'DELETE')).toEqual([]);

    // The panel's own Cancel ends the sign-in at the relay; the panel then shows it cancelled, without the number (issue 17).
    panel.send(message('panel:cancel', {}));
    await vi.waitFor(() => expect(fetchSpy.mock.calls.filter(([, init]) => init?.method === 'DELETE')).toHaveLength(1));
    await vi.waitFor(() => expect((panel.posted.at(-1) as any)?.payload?.view).toMatchObject({ status: 'cancelled' }));
    expect((panel.posted.at(-1) as any).payload.view.number).toBeUndefined();
  });

  it('a frame that connects after the sign-in started is shown it at once', async () => {
    const page = openPort(tabSender('https://nod.contoso.example/t/contoso/interaction/1'));
    page.send(message('page:observed', observation(marker)));
    page.send(message('signIn:start', { username: 'alice@contoso.example' }));
    await vi.waitFor(() => expect(JSON.stringify(page.posted)).toContain('"pending"'));
    page.send(message('page:panelFrame', { key }));
    const panel = openPort(panelSender(key), 'nod-panel');
    await vi.waitFor(() => expect(panel.posted).toContainEqual(message('panel:view', { view: expect.objectContaining({ number: 42 }) })));
  });

  it('cannot speak as the popup: extension-page messages from the panel page get no answer', async () => {
    const answer = await fakeBrowser.runtime.onMessage.trigger(message('ui:getState', {}), panelSender(key));
    expect(answer[0]).toBeUndefined();
  });
});
