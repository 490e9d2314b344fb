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
import { verifyContentScriptSender, verifyExtensionPageSender } from '../../extension/lib/messaging/verifySender';

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
  });

  it('ignores malformed payloads and non-objects', () => {
    expect(parseMessage('contentScript', { type: 'signIn:start', payload: { username: 'a b' } })).toBeUndefined();
    expect(parseMessage('contentScript', { type: 'signIn:start' })).toBeUndefined();
    expect(parseMessage('contentScript', { type: 'page:observed', payload: { marker: 'x' } })).toBeUndefined();
    for (const raw of [null, undefined, 'signIn:start', 42, []]) expect(parseMessage('contentScript', raw)).toBeUndefined();
  });

  it('every message names its channel and has a payload schema', () => {
    for (const [name, spec] of Object.entries(extensionMessages)) {
      expect(['contentScript', 'toContentScript', 'extensionPage'], name).toContain(spec.channel);
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

  it('accepts extension pages only from our own origin', () => {
    expect(verifyExtensionPageSender({ id: extensionId, url: `${extensionBase}popup.html` }, extensionId, extensionBase)).toBe(true);
    expect(
      verifyExtensionPageSender({ id: extensionId, url: `${extensionBase}options.html`, tab: { id: 3 } }, extensionId, extensionBase),
    ).toBe(true);
    expect(verifyExtensionPageSender(contentScript, extensionId, extensionBase)).toBe(false);
    expect(verifyExtensionPageSender({ id: 'other', url: `${extensionBase}popup.html` }, extensionId, extensionBase)).toBe(false);
    expect(verifyExtensionPageSender({ id: extensionId, url: 'chrome-extension://other/popup.html' }, extensionId, extensionBase)).toBe(
      false,
    );
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
