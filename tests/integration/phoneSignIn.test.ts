import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceAuthorizationHeader } from '../../shared/deviceSignature';
import { type TestPhone, enrollPhone } from '../helpers/enrollPhone';
import { createDeviceKey } from '../helpers/softAuthenticator';
import { type TestRelay, type TestTenant, fetchJson, startRelay } from '../helpers/startRelay';

const users = {
  anna: { username: 'anna@contoso.example' }, // targeted in any mode
  paul: { username: 'paul@contoso.example' }, // targeted in passwordless mode
  pete: { username: 'pete@contoso.example' }, // targeted in push mode
  gina: { username: 'gina@contoso.example', kind: 'guest' }, // a guest, targeted in any mode
  eve: { username: 'eve@contoso.example' }, // in a targeted group, but excluded
  uma: { username: 'uma@contoso.example' }, // not targeted at all
  mallory: { username: 'mallory@contoso.example' }, // another phone in the same tenant
};
type Who = keyof typeof users;

describe('journey 2: the user enables phone sign-in in the app', () => {
  let relay: TestRelay;
  let contoso: TestTenant;
  const phones = {} as Record<Who, TestPhone>;

  const setPhoneSignIn = (who: Who, enabled: boolean) =>
    phones[who].call('PUT', `/api/registrations/${phones[who].account.registrationId}/phone-sign-in`, { enabled });
  const registrationOf = async (who: Who) =>
    (await contoso.admin('GET', `/users/${users[who].username}/registrations`)).body.registrations[0];

  beforeAll(async () => {
    relay = await startRelay();
    contoso = await relay.tenant('contoso', { displayName: 'Contoso' });
    await contoso.admin('POST', '/groups', { name: 'Staff' });
    // Everyone may add the app while the whole tenant is targeted...
    await contoso.admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'all_users', mode: 'any' }] });
    for (const [who, user] of Object.entries(users) as [Who, (typeof users)[Who]][]) {
      expect((await contoso.admin('POST', '/users', user)).status).toBe(201);
      const tap = await contoso.admin('POST', `/users/${user.username}/temporary-access-pass`, {});
      phones[who] = await enrollPhone(relay.url, {
        tenant: 'contoso',
        username: user.username,
        temporaryAccessPass: tap.body.temporaryAccessPass,
      });
    }
    await contoso.admin('PUT', `/groups/Staff/members/${users.eve.username}`);
    // ...then the admin narrows the policy.
    const saved = await contoso.admin('PUT', '/policy', {
      enabled: true,
      includeTargets: [
        { kind: 'user', name: users.anna.username, mode: 'any' },
        { kind: 'user', name: users.paul.username, mode: 'passwordless' },
        { kind: 'user', name: users.pete.username, mode: 'push' },
        { kind: 'user', name: users.gina.username, mode: 'any' },
        { kind: 'user', name: users.mallory.username, mode: 'any' },
        { kind: 'group', name: 'Staff', mode: 'any' },
      ],
      excludeTargets: [{ kind: 'user', name: users.eve.username }],
    });
    expect(saved.status).toBe(200);
  });
  afterAll(() => relay.close());

  describe('allowed', () => {
    it.each(['anna', 'paul'] as const)('%s (mode any / passwordless) enables phone sign-in', async (who) => {
      expect(await setPhoneSignIn(who, true)).toEqual({ status: 200, body: { phoneSignInEnabled: true } });
      expect(await registrationOf(who)).toMatchObject({ phoneSignInEnabled: true });
      const listed = await phones[who].call('GET', '/api/device/registrations');
      expect(listed.body.registrations).toEqual([expect.objectContaining({ phoneSignInEnabled: true })]);
    });
  });

  describe('refused with phone_sign_in_not_allowed and a plain message', () => {
    it.each([
      { who: 'gina' as const, journey: 'a guest account', reason: 'guest', message: /guest/i },
      { who: 'pete' as const, journey: 'a user whose mode is push', reason: 'mode push', message: /second step/ },
      { who: 'eve' as const, journey: 'an excluded user', reason: 'the user is excluded', message: /not enabled/ },
      { who: 'uma' as const, journey: 'a user the policy does not target', reason: 'the user is not targeted', message: /not enabled/ },
    ])('$journey cannot enable phone sign-in', async ({ who, reason, message }) => {
      const refused = await setPhoneSignIn(who, true);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'phone_sign_in_not_allowed', title: 'Phone sign-in is not allowed for this account' });
      expect(refused.body.detail).toMatch(message);
      // A sentence for a person: no codes, no ids, no policy internals.
      expect(refused.body.detail).toMatch(/^[A-Z][^_{}]*\.$/);
      expect(refused.body.detail).not.toContain(reason);
      expect(await registrationOf(who)).toMatchObject({ phoneSignInEnabled: false });
      // Why it was refused goes to the audit log only.
      const audit = await contoso.admin('GET', `/audit?type=phone_sign_in.enable&user=${users[who].username}&limit=1`);
      expect(audit.body.events[0]).toMatchObject({ outcome: 'refused', reason });
    });

    it('turning phone sign-in off is always allowed', async () => {
      expect(await setPhoneSignIn('pete', false)).toEqual({ status: 200, body: { phoneSignInEnabled: false } });
    });
  });

  describe("a device cannot touch another device's registration", () => {
    it("enabling phone sign-in on someone else's registration is 404, and theirs is unchanged", async () => {
      await setPhoneSignIn('anna', false);
      const attempt = await phones.mallory.call('PUT', `/api/registrations/${phones.anna.account.registrationId}/phone-sign-in`, {
        enabled: true,
      });
      expect(attempt.status).toBe(404);
      expect(attempt.body).toMatchObject({ code: 'registration_not_found' });
      expect(await registrationOf('anna')).toMatchObject({ phoneSignInEnabled: false });
    });

    it("removing someone else's registration is 404, and theirs stays", async () => {
      const attempt = await phones.mallory.call('DELETE', `/api/registrations/${phones.anna.account.registrationId}`);
      expect(attempt.status).toBe(404);
      expect(attempt.body).toMatchObject({ code: 'registration_not_found' });
      expect(await registrationOf('anna')).toMatchObject({ id: phones.anna.account.registrationId });
    });

    it('a device of another tenant cannot touch it either', async () => {
      const fabrikam = await relay.tenant('fabrikam');
      await fabrikam.admin('POST', '/users', { username: 'mallory@fabrikam.example' });
      await fabrikam.admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'all_users', mode: 'any' }] });
      const tap = await fabrikam.admin('POST', '/users/mallory@fabrikam.example/temporary-access-pass', {});
      const outsider = await enrollPhone(relay.url, {
        tenant: 'fabrikam',
        username: 'mallory@fabrikam.example',
        temporaryAccessPass: tap.body.temporaryAccessPass,
      });
      const attempt = await outsider.call('PUT', `/api/registrations/${phones.anna.account.registrationId}/phone-sign-in`, {
        enabled: true,
      });
      expect(attempt.status).toBe(404);
      expect(await registrationOf('anna')).toMatchObject({ phoneSignInEnabled: false });
    });

    it('a device removes its own registration', async () => {
      const removed = await phones.mallory.call('DELETE', `/api/registrations/${phones.mallory.account.registrationId}`);
      expect(removed.status).toBe(204);
      expect((await phones.mallory.call('GET', '/api/device/registrations')).body.registrations).toEqual([]);
      expect(await registrationOf('mallory')).toBeUndefined();
    });
  });

  describe('every device call is signed with the device key', () => {
    const path = '/api/device/registrations';
    const send = (authorization?: string) => fetchJson(`${relay.url}${path}`, { headers: authorization ? { authorization } : {} });
    const header = (options: { now?: number; path?: string; deviceId?: string; key?: CryptoKey } = {}) =>
      deviceAuthorizationHeader(
        options.deviceId ?? phones.anna.account.deviceId,
        options.key ?? phones.anna.deviceKey.privateKey,
        { method: 'GET', path: options.path ?? path },
        options.now,
      );
    const expectRefused = (answer: { status: number; body: any }) => {
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ code: 'device_signature_invalid', detail: 'Sign the call with the device key.' });
    };

    it('a fresh signature is accepted', async () => {
      expect((await send(await header())).status).toBe(200);
    });

    it('no signature is refused', async () => {
      expectRefused(await send());
    });

    it('a signature over another path is refused', async () => {
      expectRefused(await send(await header({ path: '/api/device/push' })));
    });

    it("a signature by another device's key is refused", async () => {
      expectRefused(await send(await header({ key: (await createDeviceKey()).privateKey })));
    });

    it('a signature for an unknown device id is refused', async () => {
      expectRefused(await send(await header({ deviceId: 'no-such-device' })));
    });

    it('a signature over another body is refused', async () => {
      const registration = `/api/registrations/${phones.anna.account.registrationId}/phone-sign-in`;
      const authorization = await deviceAuthorizationHeader(phones.anna.account.deviceId, phones.anna.deviceKey.privateKey, {
        method: 'PUT',
        path: registration,
        body: JSON.stringify({ enabled: false }),
      });
      const answer = await fetchJson(`${relay.url}${registration}`, {
        method: 'PUT',
        body: { enabled: true },
        headers: { authorization },
      });
      expectRefused(answer);
      expect(await registrationOf('anna')).toMatchObject({ phoneSignInEnabled: false });
    });

    /** A clock that is off is refused as such, with the relay's time to sign again on (shared/relay/relayClock). */
    const expectClockRefused = (answer: { status: number; body: any }) => {
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ code: 'device_clock_skew', serverTime: expect.any(String) });
    };

    it('a timestamp older than 60 seconds is refused', async () => {
      expectClockRefused(await send(await header({ now: Date.now() - 61_000 })));
    });

    it('a timestamp more than 60 seconds ahead is refused', async () => {
      expectClockRefused(await send(await header({ now: Date.now() + 61_000 })));
    });

    it('a replayed header is refused the second time', async () => {
      const authorization = await header();
      expect((await send(authorization)).status).toBe(200);
      expectRefused(await send(authorization));
    });
  });
});
