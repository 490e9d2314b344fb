import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundSite, canonicalApproval } from '../../shared/approvalChallenge';
import { fromBase64Url, toBase64Url } from '../../shared/base64url';
import { deviceAuthorizationHeader, parseDeviceAuthorization, signWithDeviceKey } from '../../shared/deviceSignature';
import type { TestPhone } from '../helpers/enrollPhone';
import { createRequest, readRequest } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';
import { storages } from '../helpers/storages';

/** P-256's group order (SEC 2 §2.4.2). */
const order = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** (r, n − s): the other valid ECDSA signature of the same input. */
function malleate(signature: string): string {
  const bytes = fromBase64Url(signature);
  const s = BigInt(`0x${Buffer.from(bytes.subarray(32)).toString('hex')}`);
  const flipped = Buffer.from((order - s).toString(16).padStart(64, '0'), 'hex');
  return toBase64Url(new Uint8Array([...bytes.subarray(0, 32), ...flipped]));
}

/** Other spellings of the same 64 bytes: the 4 spare bits of the last character set, padding, the standard alphabet. */
function respellings(signature: string): string[] {
  const last = alphabet.indexOf(signature.at(-1)!);
  const spare = Array.from({ length: 15 }, (_, i) => `${signature.slice(0, -1)}${alphabet[last + i + 1]}`);
  const standard = signature.replace(/-/g, '+').replace(/_/g, '/');
  // (A signature without - or _ reads the same in both alphabets: that one is no other spelling.)
  return [...spare, `${signature}=`, `${signature}==`, ` ${signature}`, ...(standard === signature ? [] : [standard])];
}

/** Issue 14 item 5: device signatures are strict and single use. */
describe.each(storages)('device-signed calls: one encoding of each signature, each signed call once, on $storage', ({ postgres }) => {
  let world: SignInWorld;
  let phone: TestPhone;
  const path = '/api/device/registrations';

  beforeAll(async () => {
    world = await startSignInWorld({}, { postgres });
    phone = await world.enroll('alice@contoso.example');
  });
  afterAll(() => world.close());

  const signed = (at = Date.now()) =>
    deviceAuthorizationHeader(phone.account.deviceId, phone.deviceKey.privateKey, { method: 'GET', path }, at);
  const withSignature = (header: string, sig: string) => {
    const auth = parseDeviceAuthorization(header)!;
    return `Nod-Device id="${auth.deviceId}", ts="${auth.timestamp}", sig="${sig}"`;
  };
  const call = (authorization: string) => fetchJson(`${world.relay.url}${path}`, { headers: { authorization } });
  const expectRefused = (answer: { status: number; body: any; headers: Headers }, label: string) => {
    expect(answer.status, label).toBe(401);
    expect(answer.headers.get('content-type'), label).toMatch(/^application\/problem\+json/);
    expect(answer.body.code, label).toBe('device_signature_invalid');
  };

  it('the phone signs with the low s, so the relay can refuse the high one', async () => {
    for (let i = 0; i < 20; i++) {
      const sig = parseDeviceAuthorization(await signed())!.signature;
      expect(BigInt(`0x${Buffer.from(fromBase64Url(sig).subarray(32)).toString('hex')}`) <= order >> 1n).toBe(true);
    }
  });

  it('each malleated signature ((r, n − s), non-canonical base64url) is refused, and the call itself still works once', async () => {
    const header = await signed();
    const sig = parseDeviceAuthorization(header)!.signature;
    const high = malleate(sig);
    const variants = [high, ...respellings(sig), ...respellings(high)];
    expect(variants.length).toBeGreaterThanOrEqual(37);
    for (const variant of variants) expectRefused(await call(withSignature(header, variant)), variant);
    // None of them used the call up: the original is accepted, once.
    expect((await call(header)).status).toBe(200);
    expectRefused(await call(header), 'replay');
    for (const variant of variants) expectRefused(await call(withSignature(header, variant)), `${variant} after use`);
  });

  it('the same call made twice in one millisecond goes through twice: the signer moves the second on by a millisecond', async () => {
    const at = Date.now();
    const [first, second] = [await signed(at), await signed(at)];
    expect(parseDeviceAuthorization(second)!.timestamp).toBe(parseDeviceAuthorization(first)!.timestamp + 1);
    expect((await Promise.all([call(first), call(second)])).map((a) => a.status)).toEqual([200, 200]);
  });

  it('a signature replayed after a relay restart is refused, in every spelling', async () => {
    const header = await signed();
    expect((await call(header)).status).toBe(200);
    await world.relay.restart();
    expectRefused(await call(header), 'replay after restart');
    const sig = parseDeviceAuthorization(header)!.signature;
    for (const variant of [malleate(sig), ...respellings(sig)]) expectRefused(await call(withSignature(header, variant)), variant);
    // A fresh call of the phone goes through as ever.
    expect((await call(await signed())).status).toBe(200);
  });

  it('malformed signatures and headers answer 401 problem+json, never 500', async () => {
    const header = await signed();
    const auth = parseDeviceAuthorization(header)!;
    const cases = [
      withSignature(header, 'A'),
      withSignature(header, 'A'.repeat(81)),
      withSignature(header, 'A'.repeat(86)),
      withSignature(header, ''),
      withSignature(header, '%%%'),
      withSignature(header, 'é'.repeat(86)),
      withSignature(header, auth.signature.repeat(3)),
      `Nod-Device id="${auth.deviceId}", ts="${auth.timestamp}"`,
      `Nod-Device id="${auth.deviceId}", ts="1e12", sig="${auth.signature}"`,
      `Nod-Device id="${auth.deviceId}", ts="0${auth.timestamp}", sig="${auth.signature}"`,
      `Nod-Device id="${'x'.repeat(5000)}", ts="${auth.timestamp}", sig="${auth.signature}"`,
      `Nod-Device id="no-such-device", ts="${auth.timestamp}", sig="${auth.signature}"`,
      'Nod-Device',
      'Nod-Device ',
    ];
    for (const authorization of cases) expectRefused(await call(authorization), authorization.slice(0, 120));
  });

  it('an approval signature in another spelling is refused and changes nothing; malformed ones are 4xx', async () => {
    const created = await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example' });
    expect(created.status).toBe(201);
    const details = (await readRequest(phone, created.body.requestId)).body;
    const binding = {
      requestId: details.requestId,
      nonce: details.nonce,
      site: boundSite(details.context),
      typedNumber: null,
      decision: 'deny' as const,
    };
    const good = await signWithDeviceKey(phone.deviceKey.privateKey, canonicalApproval(binding));
    const send = (deviceSignature: string) =>
      fetchJson(`${world.relay.url}/api/sign-in-requests/${details.requestId}/answer`, {
        body: { registrationId: phone.account.registrationId, decision: 'deny', typedNumber: null, deviceSignature },
      });
    for (const variant of [malleate(good), ...respellings(good)]) {
      const answer = await send(variant);
      // Base64url of the right length reaches the verifier; anything else is the schema's 400.
      const readable = /^[A-Za-z0-9_-]{86}$/.test(variant);
      expect(answer.status, variant).toBe(readable ? 401 : 400);
      expect(answer.body.code).toBe(readable ? 'device_signature_invalid' : 'validation_failed');
    }
    for (const variant of ['A', 'A'.repeat(81), `${good}==`]) {
      const answer = await send(variant);
      expect(answer.status, variant).toBe(400);
      expect(answer.body).toMatchObject({ code: 'validation_failed', field: 'deviceSignature' });
    }
    expect((await readRequest(phone, details.requestId)).status).toBe(200);
    expect((await send(good)).body).toMatchObject({ status: 'denied' });
  });
});
