import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../shared/totp';
import type { TestPhone } from '../helpers/enrollPhone';
import { answer, createRequest, readRequest } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';
import { storages } from '../helpers/storages';

describe.each(storages)('journey 4 (push MFA) and journey 5 (verification codes), on $storage', ({ postgres }) => {
  let world: SignInWorld;
  let bob: TestPhone;
  let alice: TestPhone;

  beforeAll(async () => {
    world = await startSignInWorld({}, { postgres });
    bob = await world.enroll('bob@contoso.example', { phoneSignIn: false });
    alice = await world.enroll('alice@contoso.example');
  });
  afterAll(() => world.close());

  it('a push-mode user cannot enable phone sign-in', async () => {
    const enable = await bob.call('PUT', `/api/registrations/${bob.account.registrationId}/phone-sign-in`, { enabled: true });
    expect(enable.status).toBe(403);
    expect(enable.body.code).toBe('phone_sign_in_not_allowed');
  });

  it('password first, then a number-matched push without user verification signs in with mfa', async () => {
    const created = await createRequest(world.relay.url, 'contoso', {
      username: 'bob@contoso.example',
      kind: 'mfa',
      password: 'correct horse battery',
    });
    expect(created.status).toBe(201);
    expect(created.body.methods).toContain('password');
    expect(created.body.methods).not.toContain('phone_sign_in');
    const details = await readRequest(bob, created.body.requestId);
    expect(details.body.kind).toBe('mfa');
    expect(details.body.webauthn.userVerification).toBe('preferred');
    const approved = await answer(world.relay.url, bob, details.body, 'approve', { typedNumber: created.body.number, userVerified: false });
    expect(approved.status).toBe(200);
    const grant = await fetchJson(`${world.relay.url}/api/sign-in-requests/${created.body.requestId}/redeem`, {
      method: 'POST',
      headers: { authorization: `Bearer ${created.body.collectorSecret}` },
    });
    expect(grant.body).toMatchObject({ method: 'push_mfa', amr: ['pwd', 'pop', 'mfa'] });
  });

  it('a wrong password gets the same answer as an unknown user, and no push', async () => {
    const wrong = await createRequest(world.relay.url, 'contoso', { username: 'bob@contoso.example', kind: 'mfa', password: 'nope' });
    const unknown = await createRequest(world.relay.url, 'contoso', { username: 'nobody@contoso.example', kind: 'mfa', password: 'nope' });
    expect(wrong.status).toBe(400);
    expect(unknown.status).toBe(400);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.code).toBe('credentials_invalid');
  });

  it('passwordless phone sign-in is never delivered to a push-mode user', async () => {
    const created = await createRequest(world.relay.url, 'contoso', { username: 'bob@contoso.example' });
    expect(created.body.status).toBe('pending');
    expect((await readRequest(bob, created.body.requestId)).status).toBe(404);
  });

  it('a verification code signs a phone-sign-in user in, and works only once', async () => {
    const code = await totpCode(alice.account.totpSecret, Date.now());
    const first = await fetchJson(`${world.relay.url}/api/t/contoso/code-sign-in`, { body: { username: 'alice@contoso.example', code } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ method: 'verification_code', amr: ['otp'], username: 'alice@contoso.example' });
    const again = await fetchJson(`${world.relay.url}/api/t/contoso/code-sign-in`, { body: { username: 'alice@contoso.example', code } });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('code_invalid');
  });

  it('a code from the step before still works (±1 step), one from two steps back does not', async () => {
    const late = await totpCode(alice.account.totpSecret, Date.now() + 30_000);
    const old = await totpCode(alice.account.totpSecret, Date.now() - 90_000);
    const wrongUser = await fetchJson(`${world.relay.url}/api/t/contoso/code-sign-in`, {
      body: { username: 'nobody@contoso.example', code: late },
    });
    expect(wrongUser.body.code).toBe('code_invalid');
    expect(
      (await fetchJson(`${world.relay.url}/api/t/contoso/code-sign-in`, { body: { username: 'alice@contoso.example', code: old } })).status,
    ).toBe(400);
    expect(
      (await fetchJson(`${world.relay.url}/api/t/contoso/code-sign-in`, { body: { username: 'alice@contoso.example', code: late } }))
        .status,
    ).toBe(200);
  });

  it('a push-mode user needs the password before a code', async () => {
    const code = await totpCode(bob.account.totpSecret, Date.now());
    const alone = await fetchJson(`${world.relay.url}/api/t/contoso/code-sign-in`, { body: { username: 'bob@contoso.example', code } });
    expect(alone.status).toBe(400);
    const withPassword = await fetchJson(`${world.relay.url}/api/t/contoso/code-sign-in`, {
      body: { username: 'bob@contoso.example', code, password: 'correct horse battery' },
    });
    expect(withPassword.status).toBe(200);
    expect(withPassword.body.amr).toEqual(['pwd', 'otp', 'mfa']);
  });
});
