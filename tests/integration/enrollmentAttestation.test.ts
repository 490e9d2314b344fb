import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enrollPhone, enrollmentProof } from '../helpers/enrollPhone';
import { type DeviceKey, type SoftAuthenticator, createDeviceKey, createSoftAuthenticator } from '../helpers/softAuthenticator';
import { type TestRelay, type TestTenant, fetchJson, startRelay } from '../helpers/startRelay';

const alice = 'alice@contoso.example';

describe('journey 2: the relay checks the phone’s new credential before it stores anything', () => {
  // The relay's clock runs with real time plus an offset a test may move.
  let offset = 0;
  let relay: TestRelay;
  let contoso: TestTenant;
  let pass: string;

  beforeAll(async () => {
    relay = await startRelay({}, { now: () => Date.now() + offset });
    contoso = await relay.tenant('contoso', { displayName: 'Contoso' });
    await contoso.admin('POST', '/users', { username: alice });
    await contoso.admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'all_users', mode: 'any' }] });
    // A multi-use pass, so each test can start its own enrollment.
    const issued = await contoso.admin('POST', `/users/${alice}/temporary-access-pass`, { oneTime: false, lifetimeMinutes: 24 * 60 });
    pass = issued.body.temporaryAccessPass;
  });
  beforeEach(() => {
    offset = 0;
  });
  afterAll(() => relay.close());

  /** The challenge of each enrollment started, for the device key's proof of possession. */
  const challenges = new Map<string, string>();
  /** Start an enrollment as the PWA does; the test then makes the credential and finishes. */
  const startEnrollment = async () => {
    const started = await fetchJson(`${relay.url}/api/enrollment/start`, {
      body: { tenant: 'contoso', username: alice, temporaryAccessPass: pass },
    });
    expect(started.status).toBe(200);
    challenges.set(started.body.enrollmentId, started.body.options.challenge);
    return { enrollmentId: started.body.enrollmentId as string, options: started.body.options as PublicKeyCredentialCreationOptionsJSON };
  };
  /** A finish with a good proof of the device key: whatever is refused is refused for the credential. */
  const finishBody = async (enrollmentId: string, registration: unknown, deviceKey?: DeviceKey) => {
    const key = deviceKey ?? (await createDeviceKey());
    const challenge = challenges.get(enrollmentId) ?? 'never-issued';
    const deviceProof = await enrollmentProof(key, { enrollmentId, options: { challenge } });
    return { enrollmentId, registration, devicePublicKey: key.publicJwk, deviceProof, deviceName: 'Pixel' };
  };
  const finish = async (enrollmentId: string, registration: unknown) =>
    fetchJson(`${relay.url}/api/enrollment/finish`, { body: await finishBody(enrollmentId, registration) });
  const registrations = async () => (await contoso.admin('GET', `/users/${alice}/registrations`)).body.registrations as unknown[];
  const newAuthenticator = (options: { rpId?: string } = {}): SoftAuthenticator =>
    createSoftAuthenticator({ origin: relay.url, ...options });

  const expectRefused = async (answer: { status: number; body: any }, before: number) => {
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      type: expect.any(String),
      title: 'The enrollment could not be completed',
      status: 400,
      code: 'enrollment_invalid',
      detail: 'The Authenticator app could not be added. Start again.',
    });
    expect(await registrations()).toHaveLength(before);
  };

  it('asks for a platform credential with user verification required and no attestation', async () => {
    const { options } = await startEnrollment();
    expect(options.rp).toEqual({ name: 'Contoso', id: 'localhost' });
    expect(options.authenticatorSelection).toMatchObject({ authenticatorAttachment: 'platform', userVerification: 'required' });
    expect(options.attestation).toBe('none');
    expect(options.pubKeyCredParams).toEqual([{ alg: -7, type: 'public-key' }]);
  });

  it('a valid attestation from the software authenticator is stored', async () => {
    const before = (await registrations()).length;
    const { enrollmentId, options } = await startEnrollment();
    const answer = await finish(enrollmentId, await newAuthenticator().register(options));
    expect(answer.status).toBe(201);
    expect(await registrations()).toHaveLength(before + 1);
  });

  it('a credential made without user verification is refused', async () => {
    const before = (await registrations()).length;
    const { enrollmentId, options } = await startEnrollment();
    await expectRefused(await finish(enrollmentId, await newAuthenticator().register(options, { userVerified: false })), before);
  });

  it('clientData from another origin is refused', async () => {
    const before = (await registrations()).length;
    const { enrollmentId, options } = await startEnrollment();
    const registration = await newAuthenticator().register(options, { originOverride: 'https://evil.example' });
    await expectRefused(await finish(enrollmentId, registration), before);
  });

  it('a credential scoped to another RP ID is refused', async () => {
    const before = (await registrations()).length;
    const { enrollmentId, options } = await startEnrollment();
    const registration = await newAuthenticator({ rpId: 'evil.example' }).register(options);
    await expectRefused(await finish(enrollmentId, registration), before);
  });

  it('a credential made for another enrollment’s challenge is refused', async () => {
    const before = (await registrations()).length;
    const first = await startEnrollment();
    const second = await startEnrollment();
    await expectRefused(await finish(first.enrollmentId, await newAuthenticator().register(second.options)), before);
  });

  it('a replayed finish (the same enrollment id twice) is refused', async () => {
    const { enrollmentId, options } = await startEnrollment();
    const registration = await newAuthenticator().register(options);
    const body = await finishBody(enrollmentId, registration);
    expect((await fetchJson(`${relay.url}/api/enrollment/finish`, { body })).status).toBe(201);
    const before = (await registrations()).length;
    await expectRefused(await fetchJson(`${relay.url}/api/enrollment/finish`, { body }), before);
  });

  it('a refused finish ends the enrollment: a good credential cannot follow on the same id', async () => {
    const before = (await registrations()).length;
    const { enrollmentId, options } = await startEnrollment();
    await expectRefused(await finish(enrollmentId, await newAuthenticator().register(options, { userVerified: false })), before);
    await expectRefused(await finish(enrollmentId, await newAuthenticator().register(options)), before);
  });

  it('an enrollment id the relay never issued is refused', async () => {
    const before = (await registrations()).length;
    const { options } = await startEnrollment();
    await expectRefused(await finish('no-such-enrollment', await newAuthenticator().register(options)), before);
  });

  it('an enrollment finished after its ten minutes is refused', async () => {
    const before = (await registrations()).length;
    const { enrollmentId, options } = await startEnrollment();
    const registration = await newAuthenticator().register(options);
    offset = 10 * 60_000 + 1000;
    await expectRefused(await finish(enrollmentId, registration), before);
  });

  it('a device key that is not P-256 is refused, naming the field', async () => {
    const { enrollmentId, options } = await startEnrollment();
    const registration = await newAuthenticator().register(options);
    const body = await finishBody(enrollmentId, registration);
    const answer = await fetchJson(`${relay.url}/api/enrollment/finish`, {
      body: { ...body, devicePublicKey: { ...body.devicePublicKey, crv: 'P-384' } },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'validation_failed', field: 'devicePublicKey.crv' });
  });

  it('one phone holding accounts of two tenants is a separate device in each', async () => {
    const fabrikam = await relay.tenant('fabrikam', { displayName: 'Fabrikam' });
    await fabrikam.admin('POST', '/users', { username: 'bala@fabrikam.example' });
    await fabrikam.admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'all_users', mode: 'any' }] });
    await contoso.admin('POST', '/users', { username: 'bala@contoso.example' });
    const fabrikamPass = (await fabrikam.admin('POST', '/users/bala@fabrikam.example/temporary-access-pass', {})).body.temporaryAccessPass;
    const contosoPass = (await contoso.admin('POST', '/users/bala@contoso.example/temporary-access-pass', {})).body.temporaryAccessPass;
    const authenticator = newAuthenticator();
    const deviceKey = await createDeviceKey();
    const atContoso = await enrollPhone(
      relay.url,
      { tenant: 'contoso', username: 'bala@contoso.example', temporaryAccessPass: contosoPass },
      { authenticator, deviceKey },
    );
    const atFabrikam = await enrollPhone(
      relay.url,
      { tenant: 'fabrikam', username: 'bala@fabrikam.example', temporaryAccessPass: fabrikamPass },
      { authenticator, deviceKey },
    );
    expect(atContoso.account.deviceId).not.toBe(atFabrikam.account.deviceId);
    expect(authenticator.credentials()).toHaveLength(2);
    expect((await atFabrikam.call('GET', '/api/device/registrations')).body.registrations).toEqual([
      expect.objectContaining({ id: atFabrikam.account.registrationId }),
    ]);
  });
});
