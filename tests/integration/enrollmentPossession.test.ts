import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollmentProofInput, signWithDeviceKey } from '../../shared/deviceSignature';
import { enrollPhone, enrollmentProof } from '../helpers/enrollPhone';
import { createDeviceKey, createSoftAuthenticator } from '../helpers/softAuthenticator';
import { type TestRelay, type TestTenant, fetchJson, startRelay } from '../helpers/startRelay';

const alice = 'alice@contoso.example';
const mallory = 'mallory@contoso.example';

/** Issue 14 item 6: enrolling proves possession of the device key; a key alone takes over nothing. */
describe('journey 2: enrollment proves the phone holds its device key', () => {
  let relay: TestRelay;
  let contoso: TestTenant;
  const pass = async (username: string) =>
    (await contoso.admin('POST', `/users/${username}/temporary-access-pass`, {})).body.temporaryAccessPass as string;

  beforeAll(async () => {
    relay = await startRelay();
    contoso = await relay.tenant('contoso');
    for (const username of [alice, mallory]) await contoso.admin('POST', '/users', { username });
    await contoso.admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'all_users', mode: 'any' }] });
  });
  afterAll(() => relay.close());

  /** Mallory, with her own good pass and credential, starts an enrollment and finishes it with this device key and proof. */
  const malloryFinishes = async (finishWith: (started: { enrollmentId: string; options: { challenge: string } }) => Promise<object>) => {
    const started = await fetchJson(`${relay.url}/api/enrollment/start`, {
      body: { tenant: 'contoso', username: mallory, temporaryAccessPass: await pass(mallory) },
    });
    expect(started.status).toBe(200);
    const registration = await createSoftAuthenticator({ origin: relay.url }).register(started.body.options);
    return fetchJson(`${relay.url}/api/enrollment/finish`, {
      body: { enrollmentId: started.body.enrollmentId, registration, deviceName: 'Mallory’s phone', ...(await finishWith(started.body)) },
    });
  };
  const malloryRegistrations = async () => (await contoso.admin('GET', `/users/${mallory}/registrations`)).body.registrations as unknown[];

  it('enrollment with a foreign device key is refused: the other phone keeps its name, its push and its accounts', async () => {
    const victim = await enrollPhone(
      relay.url,
      { tenant: 'contoso', username: alice, temporaryAccessPass: await pass(alice) },
      {
        deviceName: 'Alice’s phone',
      },
    );
    const before = await relay.ctx.storage.devices.byId(victim.account.deviceId);
    const malloryKey = await createDeviceKey();
    // Alice's public key (it is public: every call of hers names it by her device), signed by Mallory's own key.
    const answer = await malloryFinishes(async (started) => ({
      devicePublicKey: victim.deviceKey.publicJwk,
      deviceProof: await enrollmentProof(malloryKey, started),
    }));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'enrollment_invalid' });
    expect(await relay.ctx.storage.devices.byId(victim.account.deviceId)).toEqual(before);
    expect((await relay.ctx.storage.registrations.listForDevice(victim.account.deviceId)).map((r) => r.userId)).toHaveLength(1);
    expect(await malloryRegistrations()).toEqual([]);
  });

  it('a proof the key made for another enrollment is refused', async () => {
    const victim = await enrollPhone(relay.url, { tenant: 'contoso', username: alice, temporaryAccessPass: await pass(alice) });
    // A signature by Alice's key, but over another enrollment's id and challenge.
    const elsewhere = await signWithDeviceKey(
      victim.deviceKey.privateKey,
      enrollmentProofInput({ enrollmentId: 'another-enrollment', challenge: 'another-challenge' }),
    );
    const answer = await malloryFinishes(async () => ({ devicePublicKey: victim.deviceKey.publicJwk, deviceProof: elsewhere }));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'enrollment_invalid' });
    expect(await malloryRegistrations()).toEqual([]);
  });

  it('a finish without a proof, or with a malformed one, is a 400 naming the field', async () => {
    const key = await createDeviceKey();
    for (const deviceProof of [undefined, 'A', 'A'.repeat(81), `${'A'.repeat(85)}B`, `${'A'.repeat(86)}==`]) {
      const answer = await malloryFinishes(async () => ({
        devicePublicKey: key.publicJwk,
        ...(deviceProof === undefined ? {} : { deviceProof }),
      }));
      expect(answer.status, String(deviceProof)).toBe(400);
      if (deviceProof === undefined || deviceProof.length !== 86) {
        expect(answer.body).toMatchObject({ code: 'validation_failed', field: 'deviceProof' });
      } else {
        // 86 characters, but not the canonical spelling of any signature.
        expect(answer.body).toMatchObject({ code: 'enrollment_invalid' });
      }
    }
    expect(await malloryRegistrations()).toEqual([]);
  });

  it('the phone that holds the key adds a second account of the tenant to its own device', async () => {
    const phone = await enrollPhone(relay.url, { tenant: 'contoso', username: alice, temporaryAccessPass: await pass(alice) });
    const second = await enrollPhone(
      relay.url,
      { tenant: 'contoso', username: mallory, temporaryAccessPass: await pass(mallory) },
      { deviceKey: phone.deviceKey },
    );
    expect(second.account.deviceId).toBe(phone.account.deviceId);
    expect((await phone.call('GET', '/api/device/registrations')).body.registrations).toHaveLength(2);
  });
});
