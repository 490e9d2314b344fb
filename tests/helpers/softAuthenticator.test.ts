import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, sha256, utf8 } from '../../shared/base64url';
import { deviceAuthorizationHeader, deviceSigningInput, parseDeviceAuthorization } from '../../shared/deviceSignature';
import { createDeviceKey, createSoftAuthenticator } from './softAuthenticator';

const origin = 'https://nod.test:8443';
const rpID = 'nod.test';

async function registrationOptions() {
  return generateRegistrationOptions({
    rpName: 'Nod',
    rpID,
    userName: 'bala@contoso.example',
    attestationType: 'none',
    authenticatorSelection: { userVerification: 'required', residentKey: 'required' },
  });
}

/** Registers a credential and verifies it the way the relay will. */
async function registered() {
  const authenticator = createSoftAuthenticator({ origin });
  const options = await registrationOptions();
  const response = await authenticator.register(options);
  const verification = await verifyRegistrationResponse({
    response,
    expectedChallenge: options.challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    requireUserVerification: true,
  });
  expect(verification.verified).toBe(true);
  return { authenticator, options, response, credential: verification.registrationInfo!.credential };
}

async function verifyAssertion(
  authenticator: ReturnType<typeof createSoftAuthenticator>,
  credential: WebAuthnCredential,
  opts: Parameters<ReturnType<typeof createSoftAuthenticator>['authenticate']>[1] = {},
  expectedChallenge?: string,
) {
  const options = await generateAuthenticationOptions({
    rpID,
    allowCredentials: [{ id: credential.id }],
    userVerification: 'required',
  });
  const response = await authenticator.authenticate(options, opts);
  return verifyAuthenticationResponse({
    response,
    expectedChallenge: expectedChallenge ?? options.challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    credential,
    requireUserVerification: true,
  });
}

describe('softAuthenticator', () => {
  it('registers a credential that @simplewebauthn/server verifies', async () => {
    const { authenticator, options, response } = await registered();
    const verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: options.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: true,
    });
    const info = verification.registrationInfo!;
    expect(info.fmt).toBe('none');
    expect(info.userVerified).toBe(true);
    expect(info.aaguid).toBe('00000000-0000-0000-0000-000000000000');
    expect(info.credential.id).toBe(response.id);
    expect(info.credential.counter).toBe(0);
    expect(info.credentialDeviceType).toBe('singleDevice');
    expect(response.response.transports).toEqual(['internal']);
    expect(response.authenticatorAttachment).toBe('platform');
    expect(fromBase64Url(response.rawId)).toHaveLength(32);
    expect(authenticator.credentials()).toEqual([response.id]);
    const clientData = JSON.parse(new TextDecoder().decode(fromBase64Url(response.response.clientDataJSON)));
    expect(clientData).toEqual({ type: 'webauthn.create', challenge: options.challenge, origin, crossOrigin: false });
  });

  it('produces two assertions with increasing counters and the user handle', async () => {
    const { authenticator, options, credential } = await registered();
    const first = await verifyAssertion(authenticator, credential);
    expect(first.verified).toBe(true);
    expect(first.authenticationInfo.newCounter).toBe(1);
    expect(first.authenticationInfo.userVerified).toBe(true);
    const second = await verifyAssertion(authenticator, { ...credential, counter: 1 });
    expect(second.verified).toBe(true);
    expect(second.authenticationInfo.newCounter).toBe(2);

    const assertion = await authenticator.authenticate({ challenge: 'abc', rpId: rpID });
    expect(assertion.response.userHandle).toBe(options.user.id);
  });

  it('omits UV when userVerified is false, and the server then refuses it', async () => {
    const authenticator = createSoftAuthenticator({ origin });
    const options = await registrationOptions();
    const response = await authenticator.register(options, { userVerified: false });
    await expect(
      verifyRegistrationResponse({
        response,
        expectedChallenge: options.challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        requireUserVerification: true,
      }),
    ).rejects.toThrow(/User verification was required/);

    const ok = await registered();
    await expect(verifyAssertion(ok.authenticator, ok.credential, { userVerified: false })).rejects.toThrow(/User verification required/);
  });

  it('fails verification for a wrong challenge, a wrong origin and a wrong RP ID', async () => {
    const { authenticator, credential } = await registered();
    await expect(verifyAssertion(authenticator, credential, {}, 'another-challenge')).rejects.toThrow(
      /Unexpected authentication response challenge/,
    );
    await expect(verifyAssertion(authenticator, credential, { originOverride: 'https://evil.test' })).rejects.toThrow(
      /Unexpected authentication response origin/,
    );
    const elsewhere = createSoftAuthenticator({ origin, rpId: 'evil.test', state: authenticator.toJSON() });
    await expect(verifyAssertion(elsewhere, credential)).rejects.toThrow(/RP ID/i);
  });

  it('reports a lowered sign counter the way @simplewebauthn/server v14 does: it throws', async () => {
    const { authenticator, credential } = await registered();
    await verifyAssertion(authenticator, credential);
    await verifyAssertion(authenticator, { ...credential, counter: 1 });
    // The relay now stores 2; a cloned authenticator reports 1.
    await expect(verifyAssertion(authenticator, { ...credential, counter: 2 }, { signCount: 1 })).rejects.toThrow(
      'Response counter value 1 was lower than expected 2',
    );
    // An equal counter is refused too (v14 checks `counter <= stored`).
    await expect(verifyAssertion(authenticator, { ...credential, counter: 2 }, { signCount: 2 })).rejects.toThrow(
      /counter value 2 was lower than expected 2/,
    );
    // The stored counter never went down, so the genuine authenticator carries on.
    expect(authenticator.counter(credential.id)).toBe(2);
    const next = await verifyAssertion(authenticator, { ...credential, counter: 2 });
    expect(next.authenticationInfo.newCounter).toBe(3);
  });

  it('detects a forged signature', async () => {
    const { authenticator, credential } = await registered();
    const options = await generateAuthenticationOptions({ rpID, allowCredentials: [{ id: credential.id }] });
    const response = await authenticator.authenticate(options);
    const signature = fromBase64Url(response.response.signature);
    signature[signature.length - 1] ^= 0x01;
    response.response.signature = Buffer.from(signature).toString('base64url');
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: options.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential,
    });
    expect(result.verified).toBe(false);
  });

  it('keeps its credentials across toJSON() and a new instance', async () => {
    const { authenticator, credential } = await registered();
    await verifyAssertion(authenticator, credential);
    const state = JSON.parse(JSON.stringify(authenticator.toJSON()));
    const restored = createSoftAuthenticator({ origin, state });
    expect(restored.credentials()).toEqual([credential.id]);
    const result = await verifyAssertion(restored, { ...credential, counter: 1 });
    expect(result.verified).toBe(true);
    expect(result.authenticationInfo.newCounter).toBe(2);
  });

  it('picks the credential: explicit id, else first allowed one it holds, else refuses', async () => {
    const authenticator = createSoftAuthenticator({ origin });
    const a = await authenticator.register(await registrationOptions());
    const b = await authenticator.register(await registrationOptions());
    expect(authenticator.credentials()).toEqual([a.id, b.id]);
    const byAllow = await authenticator.authenticate({ challenge: 'x', allowCredentials: [{ id: 'unknown' }, { id: b.id }] });
    expect(byAllow.id).toBe(b.id);
    const byId = await authenticator.authenticate({ challenge: 'x', allowCredentials: [{ id: b.id }] }, { credentialId: a.id });
    expect(byId.id).toBe(a.id);
    await expect(authenticator.authenticate({ challenge: 'x', allowCredentials: [{ id: 'unknown' }] })).rejects.toThrow(/allowCredentials/);
    await expect(authenticator.authenticate({ challenge: 'x' })).rejects.toThrow(/credentialId/);
    await expect(
      authenticator.register({ ...(await registrationOptions()), excludeCredentials: [{ id: a.id, type: 'public-key' }] }),
    ).rejects.toMatchObject({ name: 'InvalidStateError' });
  });
});

describe('createDeviceKey', () => {
  it('makes a non-extractable P-256 key whose signatures verify against the exported JWK', async () => {
    const device = await createDeviceKey();
    expect(device.privateKey.extractable).toBe(false);
    expect(device.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(fromBase64Url(device.publicJwk.x)).toHaveLength(32);

    const request = { method: 'POST', path: '/api/device/requests', body: '{"a":1}' };
    const header = await deviceAuthorizationHeader('dev1', device.privateKey, request, 1_700_000_000_000);
    const parsed = parseDeviceAuthorization(header)!;
    expect(parsed.deviceId).toBe('dev1');
    const verifyKey = await crypto.subtle.importKey('jwk', device.publicJwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    const input = await deviceSigningInput({ ...request, timestamp: parsed.timestamp, body: utf8(request.body) });
    const verify = (data: Uint8Array) =>
      crypto.subtle.verify(
        { name: 'ECDSA', hash: 'SHA-256' },
        verifyKey,
        fromBase64Url(parsed.signature) as BufferSource,
        data as BufferSource,
      );
    expect(await verify(input)).toBe(true);
    expect(await verify(await sha256(input))).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', device.privateKey)).rejects.toThrow();
  });
});
