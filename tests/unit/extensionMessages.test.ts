/**
 * The extension's message boundary: every message is validated against shared/extensionMessages.ts,
 * the sender (extension, tab, frame, origin) is checked before any handler runs, unknown messages
 * are ignored, and the page ↔ extension hand-off has its own schemas.
 */
import { describe, expect, it } from 'vitest';
import {
  extensionMessages,
  message,
  pageToExtensionMessage,
  parseMessage,
  parseReply,
  parseSignInPageMarker,
} from '../../shared/schemas/extensionMessages';
import { verifyContentScriptSender, verifyExtensionPageSender, verifyPanelFrameSender } from '../../extension/lib/messaging/verifySender';

const extensionId = 'abcdefghijklmnopabcdefghijklmnop';
const extensionBase = `chrome-extension://${extensionId}/`;

const contentScript = {
  id: extensionId,
  url: 'https://nod.contoso.example/t/contoso/interaction/abc',
  origin: 'https://nod.contoso.example',
  frameId: 0,
  tab: { id: 7, url: 'https://nod.contoso.example/t/contoso/interaction/abc' },
};

describe('message validation', () => {
  it('accepts a known message on its own channel and strips unknown fields', () => {
    const parsed = parseMessage('contentScript', {
      type: 'signIn:start',
      payload: { username: 'Alice@Contoso.Example', origin: 'https://evil.test' },
      extra: 1,
    });
    expect(parsed).toEqual({ type: 'signIn:start', payload: { username: 'alice@contoso.example' } });
  });

  it('ignores unknown names, including Object.prototype keys', () => {
    for (const type of ['signIn:steal', 'toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(parseMessage('contentScript', { type, payload: {} })).toBeUndefined();
    }
  });

  it('ignores a message sent on another channel than its own', () => {
    // A content script (or a page that got hold of one) cannot speak as the options page or the background.
    expect(parseMessage('contentScript', message('ui:addRelay', { url: 'https://evil.test' }))).toBeUndefined();
    expect(parseMessage('contentScript', message('ui:getState', {}))).toBeUndefined();
    expect(parseMessage('contentScript', message('signIn:grant', { grant: 'g', requestId: 'r' }))).toBeUndefined();
    expect(parseMessage('extensionPage', message('signIn:start', { username: 'alice' }))).toBeUndefined();
    // The panel's frame speaks only for itself, and nothing else speaks as it.
    expect(parseMessage('panelFrame', message('ui:cancelSignIn', { tabId: 1 }))).toBeUndefined();
    expect(parseMessage('contentScript', message('panel:retry', {}))).toBeUndefined();
    expect(parseMessage('panelFrame', message('panel:retry', {}))).toEqual({ type: 'panel:retry', payload: {} });
  });

  it('the content script is never sent the number; the panel frame is', () => {
    const view = {
      tabId: 1,
      tenant: 'contoso',
      tenantDisplayName: 'Contoso',
      username: 'alice@contoso.example',
      site: 'https://nod.contoso.example',
      number: 42,
      status: 'pending' as const,
    };
    const { number: _number, ...withoutNumber } = view;
    const toPage = parseMessage('toContentScript', { type: 'signIn:view', payload: { view } });
    expect(toPage?.payload).toStrictEqual({ view: withoutNumber });
    expect(parseMessage('toPanelFrame', { type: 'panel:view', payload: { view } })?.payload).toEqual({ view });
  });

  it('ignores malformed payloads and non-objects', () => {
    expect(parseMessage('contentScript', { type: 'signIn:start', payload: { username: 'a b' } })).toBeUndefined();
    expect(parseMessage('contentScript', { type: 'signIn:start' })).toBeUndefined();
    expect(parseMessage('contentScript', { type: 'page:observed', payload: { marker: 'x' } })).toBeUndefined();
    for (const raw of [null, undefined, 'signIn:start', 42, []]) expect(parseMessage('contentScript', raw)).toBeUndefined();
  });

  it('every message names its channel and has a payload schema', () => {
    for (const [name, spec] of Object.entries(extensionMessages)) {
      expect(['contentScript', 'toContentScript', 'extensionPage', 'panelFrame', 'toPanelFrame'], name).toContain(spec.channel);
      expect(typeof spec.payload.safeParse, name).toBe('function');
      if (spec.channel === 'extensionPage') expect('reply' in spec, name).toBe(true);
    }
  });

  it('replies are checked against their schema too', () => {
    expect(parseReply('ui:addRelay', { ok: true })).toEqual({ ok: true });
    expect(parseReply('ui:addRelay', { ok: 'yes' })).toBeUndefined();
  });
});

describe('sender checks', () => {
  it('accepts our content script in the top frame of a tab and reports the browser’s origin', () => {
    expect(verifyContentScriptSender(contentScript, extensionId)).toEqual({ tabId: 7, origin: 'https://nod.contoso.example' });
    // Firefox reports no `origin`: the frame URL decides.
    const { origin: _origin, ...firefox } = contentScript;
    expect(verifyContentScriptSender(firefox, extensionId)).toEqual({ tabId: 7, origin: 'https://nod.contoso.example' });
  });

  it('refuses another extension, no tab, a sub-frame, or disagreeing origins', () => {
    expect(verifyContentScriptSender({ ...contentScript, id: 'other' }, extensionId)).toBeUndefined();
    expect(verifyContentScriptSender({ ...contentScript, tab: undefined }, extensionId)).toBeUndefined();
    expect(verifyContentScriptSender({ ...contentScript, frameId: 3 }, extensionId)).toBeUndefined();
    expect(verifyContentScriptSender({ ...contentScript, origin: 'https://evil.test' }, extensionId)).toBeUndefined();
    expect(verifyContentScriptSender({ ...contentScript, tab: { id: 7, url: 'https://evil.test/' } }, extensionId)).toBeUndefined();
    expect(verifyContentScriptSender(undefined, extensionId)).toBeUndefined();
  });

  it('refuses opaque and non-web frames', () => {
    for (const url of ['about:blank', 'data:text/html,hi', 'file:///tmp/x.html', `${extensionBase}popup.html`]) {
      expect(verifyContentScriptSender({ ...contentScript, url, origin: undefined, tab: { id: 7 } }, extensionId), url).toBeUndefined();
    }
    expect(verifyContentScriptSender({ ...contentScript, origin: 'null' }, extensionId)).toBeUndefined();
  });

  it('accepts extension pages only from our own origin, and only the popup and the options page', () => {
    expect(verifyExtensionPageSender({ id: extensionId, url: `${extensionBase}popup.html` }, extensionId, extensionBase)).toBe(true);
    expect(
      verifyExtensionPageSender({ id: extensionId, url: `${extensionBase}options.html`, tab: { id: 3 } }, extensionId, extensionBase),
    ).toBe(true);
    expect(verifyExtensionPageSender(contentScript, extensionId, extensionBase)).toBe(false);
    expect(verifyExtensionPageSender({ id: 'other', url: `${extensionBase}popup.html` }, extensionId, extensionBase)).toBe(false);
    expect(verifyExtensionPageSender({ id: extensionId, url: 'chrome-extension://other/popup.html' }, extensionId, extensionBase)).toBe(
      false,
    );
    // The panel page can be framed by any web page: it never speaks as the popup or the options page.
    expect(verifyExtensionPageSender({ id: extensionId, url: `${extensionBase}panel.html#k` }, extensionId, extensionBase)).toBe(false);
  });

  it('accepts the panel frame only as our panel page, framed in a tab, with a key in its URL', () => {
    const key = 'a1b2c3d4-e5f6-4789-8abc-def012345678';
    const frame = {
      id: extensionId,
      url: `${extensionBase}panel.html#${key}`,
      origin: `chrome-extension://${extensionId}`,
      frameId: 4,
      tab: { id: 7, url: 'https://nod.contoso.example/t/contoso/interaction/abc' },
    };
    expect(verifyPanelFrameSender(frame, extensionId, extensionBase)).toEqual({ tabId: 7, key });
    expect(verifyPanelFrameSender({ ...frame, frameId: 0 }, extensionId, extensionBase)).toBeUndefined(); // a tab of its own
    expect(verifyPanelFrameSender({ ...frame, tab: undefined }, extensionId, extensionBase)).toBeUndefined();
    expect(verifyPanelFrameSender({ ...frame, url: `${extensionBase}panel.html` }, extensionId, extensionBase)).toBeUndefined();
    expect(verifyPanelFrameSender({ ...frame, url: `${extensionBase}panel.html#short` }, extensionId, extensionBase)).toBeUndefined();
    expect(verifyPanelFrameSender({ ...frame, url: `${extensionBase}popup.html#${key}` }, extensionId, extensionBase)).toBeUndefined();
    expect(verifyPanelFrameSender({ ...frame, id: 'other' }, extensionId, extensionBase)).toBeUndefined();
    // Our content script has our id too, but its URL is the web page's.
    expect(verifyPanelFrameSender({ ...contentScript, frameId: 4 }, extensionId, extensionBase)).toBeUndefined();
    expect(verifyPanelFrameSender({ ...frame, origin: 'https://evil.test' }, extensionId, extensionBase)).toBeUndefined();
  });
});

describe('the hosted page marker and hand-off', () => {
  it('parses a valid marker and ignores unknown fields', () => {
    expect(parseSignInPageMarker('{"v":1,"tenant":"contoso","step":"phone","requestId":"r1","number":42}')).toEqual({
      v: 1,
      tenant: 'contoso',
      step: 'phone',
      requestId: 'r1',
    });
  });

  it('rejects malformed markers', () => {
    for (const content of [
      null,
      '',
      'not json',
      '{"v":2,"tenant":"contoso","step":"username"}',
      '{"v":1,"tenant":"Contoso!","step":"username"}',
      `{"v":1,"tenant":"contoso","step":"username","x":"${'a'.repeat(3000)}"}`,
    ]) {
      expect(parseSignInPageMarker(content), String(content).slice(0, 40)).toBeUndefined();
    }
  });

  it('accepts only the page’s hand-off messages from the page', () => {
    expect(pageToExtensionMessage.safeParse({ type: 'nod:phone-sign-in-requested', username: 'alice@contoso.example' }).success).toBe(true);
    expect(pageToExtensionMessage.safeParse({ type: 'nod:grant', grant: 'x', requestId: 'r' }).success).toBe(false);
    expect(pageToExtensionMessage.safeParse({ type: 'nod:get-collector-secret' }).success).toBe(false);
    expect(pageToExtensionMessage.safeParse({ type: 'nod:phone-sign-in-requested', username: '<script>' }).success).toBe(false);
  });
});
