import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundSite, canonicalApproval } from '../../shared/approvalChallenge';
import { fromBase64Url, toBase64Url } from '../../shared/base64url';
import { deviceSignatureWindowMs } from '../../shared/constants';
import { deviceAuthorizationHeader, parseDeviceAuthorization, signWithDeviceKey } from '../../shared/deviceSignature';
import { callRelayAsDevice } from '../../shared/relay/callRelayAsDevice';
import { relayNow } from '../../shared/relay/relayClock';
import { RelayProblem } from '../../shared/relay/relayErrors';
import { deviceRegistrations } from '../../shared/schemas/devices';
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

  it("a phone's calls about one request (its details, its receipt) are each used once, whatever they answered; a forged one uses nothing up", async () => {
    const created = (await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example' })).body;
    /** One signed call, to send as signed (or with another signature in its header) as often as wanted. */
    const signedCall = async (method: string, callPath: string, body?: string) => {
      const header = await deviceAuthorizationHeader(phone.account.deviceId, phone.deviceKey.privateKey, { method, path: callPath, body });
      const send = (sig?: string) =>
        fetchJson(`${world.relay.url}${callPath}`, { method, body, headers: { authorization: sig ? withSignature(header, sig) : header } });
      return Object.assign(send, { signature: parseDeviceAuthorization(header)!.signature });
    };
    const deliveries = () => world.relay.ctx.storage.signInRequests.deliveries(created.requestId);

    const details = await signedCall('GET', `/api/device/sign-in-requests/${created.requestId}`);
    expect((await details()).status).toBe(200);
    expectRefused(await details(), 'details replayed');

    const body = JSON.stringify({ via: 'app' });
    const receipt = await signedCall('POST', `/api/device/sign-in-requests/${created.requestId}/received`, body);
    // Forged (another call's signature, the malleated one): refused, nothing stored, and the genuine call is not used up.
    for (const sig of [details.signature, malleate(receipt.signature)]) expectRefused(await receipt(sig), 'forged receipt');
    expect(await deliveries()).toEqual([]);
    expect((await receipt()).status).toBe(204);
    expect(await deliveries()).toHaveLength(1);
    expectRefused(await receipt(), 'receipt replayed');

    // A call about a request that has closed, or never was, is used up too.
    const cancel = await fetchJson(`${world.relay.url}/api/sign-in-requests/${created.requestId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${created.collectorSecret}` },
    });
    expect(cancel.status).toBe(204);
    for (const requestId of [created.requestId, 'no-such-request']) {
      const late = await signedCall('POST', `/api/device/sign-in-requests/${requestId}/received`, body);
      const first = await late();
      expect(first.status).toBe(requestId === created.requestId ? 204 : 404);
      expectRefused(await late(), `late receipt replayed (${requestId})`);
      const gone = await signedCall('GET', `/api/device/sign-in-requests/${requestId}`);
      expect((await gone()).status).toBe(404);
      expectRefused(await gone(), `details of a closed request replayed (${requestId})`);
    }
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

  it('a phone whose clock is off gets 401 device_clock_skew with the relay’s time, before any device is looked up', async () => {
    const minutes = 10 * 60_000;
    for (const skew of [-minutes, minutes, deviceSignatureWindowMs + 1_000]) {
      const header = await signed(world.now() + skew);
      const answer = await call(header);
      expect(answer.status, String(skew)).toBe(401);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({ code: 'device_clock_skew', serverTime: expect.any(String) });
      expect(Math.abs(Date.parse(answer.body.serverTime) - world.now())).toBeLessThan(5_000);
      // The same answer for a device that does not exist: it says nothing about devices.
      const auth = parseDeviceAuthorization(header)!;
      const stranger = await call(`Nod-Device id="no-such-device", ts="${auth.timestamp}", sig="${auth.signature}"`);
      expect(stranger.status).toBe(401);
      expect(Object.keys(stranger.body).sort()).toEqual(Object.keys(answer.body).sort());
      expect(stranger.body.code).toBe('device_clock_skew');
    }
    // Inside the window, as before.
    expect((await call(await signed(world.now() + deviceSignatureWindowMs - 5_000))).status).toBe(200);
  });

  it('the phone’s client signs again once on the relay’s clock: the call goes through', async () => {
    const statuses: number[] = [];
    const counting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      statuses.push(response.status);
      return response;
    };
    const device = { relayUrl: world.relay.url, deviceId: phone.account.deviceId, deviceKey: phone.deviceKey.privateKey };
    const list = () => callRelayAsDevice(device, path, { answer: deviceRegistrations, fetch: counting });
    // The relay's clock runs ten minutes ahead of this phone's.
    world.advance(10 * 60_000);
    try {
      expect((await list()).registrations.length).toBeGreaterThan(0);
      expect(statuses).toEqual([401, 200]);
      expect(Math.abs(relayNow(world.relay.url) - world.now())).toBeLessThan(5_000);
      // Learnt: the next call is on the relay's clock at once.
      statuses.length = 0;
      await list();
      expect(statuses).toEqual([200]);
    } finally {
      world.advance(-10 * 60_000);
    }
    // The relay's clock is back: learnt again, once.
    statuses.length = 0;
    await list();
    expect(statuses).toEqual([401, 200]);
    // A relay whose clock keeps moving away: one retry only, then the refusal is the caller's to show.
    let jump = 0;
    const moving: typeof fetch = async (input, init) => {
      jump += 5 * 60_000;
      world.advance(5 * 60_000);
      return counting(input, init);
    };
    statuses.length = 0;
    const refused = callRelayAsDevice(device, path, { answer: deviceRegistrations, fetch: moving });
    await expect(refused).rejects.toBeInstanceOf(RelayProblem);
    await expect(refused).rejects.toMatchObject({ status: 401, code: 'device_clock_skew' });
    expect(statuses).toEqual([401, 401]);
    world.advance(-jump);
  });
});
