/**
 * Issue 17's pure parts in the phone app and the extension: what the account screen says of phone
 * sign-in from the relay's word, the report sheet's period, a failed passkey check told apart,
 * and the organization's pre-set relay addresses (storage.managed) normalised.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceAccountState } from '../../shared/schemas/deviceAccounts';
import { relaysFromPolicy } from '../../extension/lib/relays/relaysFromPolicy';
import { normaliseRelayUrl } from '../../extension/lib/relays/normaliseRelayUrl';
import { passkeyFailure } from '../../pwa/src/requests/answerSignInRequest';
import { phoneSignInWords } from '../../pwa/src/screens/phoneSignInWords';
import type { Account } from '../../pwa/src/store/accountStore';
import { describeMinutes } from '../../pwa/src/ui/hooks';

const account = { phoneSignInEnabled: true } as Account;
const state = (change: Partial<DeviceAccountState>): DeviceAccountState => ({
  registrationId: 'r1',
  phoneSignInEnabled: true,
  phoneSignIn: 'on',
  approvalsAllowed: true,
  disabled: false,
  disabledSince: null,
  pausedSince: null,
  reportedSourcesBlockedUntil: null,
  reportBlockMinutes: 1440,
  ...change,
});

describe('phone sign-in on the account screen follows the relay', () => {
  it('never says "on" when the relay paused it, and offers no Enable button then', () => {
    const words = phoneSignInWords(account, state({ phoneSignIn: 'paused', pausedSince: new Date().toISOString() }));
    expect(words.text).toMatch(/^Phone sign-in is paused/);
    expect(words.text).not.toContain('Phone sign-in is on');
    expect(words.offer).toBe('disable');
  });

  it('offers a push-only user nothing to enable (only to turn off what was on before)', () => {
    expect(phoneSignInWords(account, state({ phoneSignIn: 'push_only' })).offer).toBe('disable');
    expect(
      phoneSignInWords({ ...account, phoneSignInEnabled: false }, state({ phoneSignIn: 'push_only', phoneSignInEnabled: false })),
    ).toEqual({
      text: expect.stringContaining('not available for this account'),
      offer: 'none',
    });
  });

  it('says a removed account is removed, whatever the phone remembers', () => {
    expect(phoneSignInWords(account, 'removed')).toEqual({ text: expect.stringContaining('removed at your organization'), offer: 'none' });
  });

  it('says an account the admin disabled is blocked, and offers nothing to turn on or off', () => {
    const words = phoneSignInWords(account, state({ phoneSignIn: 'blocked', disabled: true, disabledSince: new Date().toISOString() }));
    expect(words).toEqual({ text: expect.stringContaining('Sign-in is blocked for this account'), offer: 'none' });
    expect(words.text).not.toContain('Phone sign-in is on');
  });

  it('uses the phone’s memory only until the relay was read', () => {
    expect(phoneSignInWords(account, undefined).offer).toBe('disable');
    expect(phoneSignInWords({ ...account, phoneSignInEnabled: false }, undefined).offer).toBe('enable');
    expect(phoneSignInWords(account, state({ phoneSignIn: 'off', phoneSignInEnabled: false })).offer).toBe('enable');
  });
});

describe('the report sheet’s period', () => {
  it('reads as hours, days or minutes', () => {
    expect(describeMinutes(1440)).toBe('24 hours');
    expect(describeMinutes(60)).toBe('1 hour');
    expect(describeMinutes(2 * 1440)).toBe('2 days');
    expect(describeMinutes(90)).toBe('90 minutes');
  });
});

describe('a failed passkey check', () => {
  const named = (name: string, cause?: string) => Object.assign(new Error('x'), { name, ...(cause ? { cause: { name: cause } } : {}) });
  it('is a missing passkey when the platform cannot use it at all', () => {
    expect(passkeyFailure(named('InvalidStateError'))).toBe('passkey_missing');
    expect(passkeyFailure(named('WebAuthnError', 'NotFoundError'))).toBe('passkey_missing');
  });
  it('is "not confirmed" when it may be a cancel or a PIN not confirmed', () => {
    expect(passkeyFailure(named('NotAllowedError'))).toBe('not_verified');
    expect(passkeyFailure(named('AbortError'))).toBe('not_verified');
  });
});

describe('relay addresses people and organizations type', () => {
  it('adds https:// to a bare address; http only on this computer', () => {
    expect(normaliseRelayUrl('nod.contoso.example')).toBe('https://nod.contoso.example');
    expect(normaliseRelayUrl(' nod.contoso.example:8443/path ')).toBe('https://nod.contoso.example:8443');
    expect(normaliseRelayUrl('http://localhost:4000')).toBe('http://localhost:4000');
    expect(normaliseRelayUrl('http://127.0.0.1:4000')).toBe('http://127.0.0.1:4000');
    expect(() => normaliseRelayUrl('http://nod.contoso.example')).toThrow(/https:\/\//);
  });

  it('takes an organization’s pre-set relays from its policy, normalised, once each, skipping what is not an address', () => {
    expect(
      relaysFromPolicy({
        relays: ['nod.contoso.example', 'https://nod.contoso.example/', 'http://nod.evil.example', 42, 'https://nod.fabrikam.example'],
      }),
    ).toEqual(['https://nod.contoso.example', 'https://nod.fabrikam.example']);
    expect(relaysFromPolicy({})).toEqual([]);
    expect(relaysFromPolicy(undefined)).toEqual([]);
    expect(relaysFromPolicy({ relays: 'nod.contoso.example' })).toEqual([]);
  });
});
