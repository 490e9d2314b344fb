import { createDecipheriv, createECDH, randomBytes } from 'node:crypto';
import ece from 'http_ece';
import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../server/push/createPushSender';
import { encryptPayload, encryptPayloadWith, MAX_PAYLOAD_BYTES, PushEncryptionError } from '../../server/push/encryptPayload';
import rfc8291 from '../vectors/rfc8291.json';

function userAgent() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const authSecret = randomBytes(16);
  return {
    p256dh: ecdh.getPublicKey().toString('base64url'),
    auth: authSecret.toString('base64url'),
    decrypt: (body: Buffer) => ece.decrypt(body, { version: 'aes128gcm', privateKey: ecdh, authSecret }),
  };
}

describe('encryptPayload (RFC 8291 aes128gcm)', () => {
  it('round-trips through the http_ece reference decryption, empty to largest', async () => {
    const ua = userAgent();
    for (const size of [0, 1, 100, MAX_PAYLOAD_BYTES]) {
      const payload = randomBytes(size);
      const body = await encryptPayload(ua.p256dh, ua.auth, payload);
      expect(ua.decrypt(body).equals(payload), `size ${size}`).toBe(true);
      expect(body.length).toBeLessThanOrEqual(4096);
    }
  });

  it('messages encrypted at once for several user agents each open with their own keys only', async () => {
    const agents = Array.from({ length: 8 }, userAgent);
    const payloads = agents.map((_, i) => Buffer.from(`message ${i}`));
    const bodies = await Promise.all(agents.flatMap((ua, i) => [0, 1, 2].map(() => encryptPayload(ua.p256dh, ua.auth, payloads[i]))));
    bodies.forEach((body, k) => {
      const i = Math.floor(k / 3);
      expect(agents[i].decrypt(body).equals(payloads[i])).toBe(true);
      expect(() => agents[(i + 1) % agents.length].decrypt(body)).toThrow();
    });
  });

  it('uses a fresh salt and key pair for every message', async () => {
    const ua = userAgent();
    const [a, b] = await Promise.all([
      encryptPayload(ua.p256dh, ua.auth, Buffer.from('same')),
      encryptPayload(ua.p256dh, ua.auth, Buffer.from('same')),
    ]);
    expect(a.subarray(0, 16).equals(b.subarray(0, 16))).toBe(false);
    expect(a.subarray(21, 86).equals(b.subarray(21, 86))).toBe(false);
    expect(a[20]).toBe(65);
  });

  it('refuses what it cannot encrypt', async () => {
    const ua = userAgent();
    await expect(encryptPayload(ua.p256dh, ua.auth, Buffer.alloc(MAX_PAYLOAD_BYTES + 1))).rejects.toThrow(PushEncryptionError);
    await expect(encryptPayload('AAAA', ua.auth, Buffer.from('x'))).rejects.toThrow(PushEncryptionError);
    await expect(encryptPayload(ua.p256dh, 'AAAA', Buffer.from('x'))).rejects.toThrow(PushEncryptionError);
    // An uncompressed point's shape, but not on the curve: refused by the key agreement itself.
    const offCurve = Buffer.from(ua.p256dh, 'base64url');
    offCurve[64] ^= 1;
    await expect(encryptPayload(offCurve.toString('base64url'), ua.auth, Buffer.from('x'))).rejects.toThrow(/not a point on P-256/);
    // and the next message is encrypted as ever.
    expect(ua.decrypt(await encryptPayload(ua.p256dh, ua.auth, Buffer.from('after'))).toString()).toBe('after');
  });
});

/** RFC 8291 Section 5's message and Appendix A's values, from tests/vectors/rfc8291.json. */
describe('Web Push encryption against RFC 8291 Appendix A', () => {
  const bytes = (base64url: string) => Buffer.from(base64url, 'base64url');
  const { inputs, intermediate } = rfc8291;
  const message = bytes(rfc8291.message);
  const plaintext = bytes(inputs.plaintext);
  const keyPair = (privateKey: string) => {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(bytes(privateKey));
    return ecdh;
  };
  const userAgent = keyPair(inputs.uaPrivate);
  const applicationServer = keyPair(inputs.asPrivate);

  it('the vector agrees with itself: key pairs, shared secret, the message as header ‖ ciphertext', () => {
    expect(plaintext.toString('utf8')).toBe(rfc8291.plaintextText);
    expect(userAgent.getPublicKey().equals(bytes(inputs.uaPublic))).toBe(true);
    expect(applicationServer.getPublicKey().equals(bytes(inputs.asPublic))).toBe(true);
    expect(userAgent.computeSecret(bytes(inputs.asPublic)).equals(bytes(intermediate.ecdhSecret))).toBe(true);
    expect(applicationServer.computeSecret(bytes(inputs.uaPublic)).equals(bytes(intermediate.ecdhSecret))).toBe(true);
    expect(message.equals(Buffer.concat([bytes(intermediate.header), bytes(intermediate.ciphertext)]))).toBe(true);
    // RFC 8188 §2: salt (16) ‖ rs = 4096 ‖ idlen = 65 ‖ keyid = as_public.
    expect(message.subarray(0, 16).equals(bytes(inputs.salt))).toBe(true);
    expect(message.readUInt32BE(16)).toBe(4096);
    expect(message[20]).toBe(65);
    expect(message.subarray(21, 86).equals(bytes(inputs.asPublic))).toBe(true);
    // The CEK and nonce open the ciphertext to the plaintext and its 0x02 delimiter.
    const ciphertext = bytes(intermediate.ciphertext);
    const decipher = createDecipheriv('aes-128-gcm', bytes(intermediate.cek), bytes(intermediate.nonce));
    decipher.setAuthTag(ciphertext.subarray(-16));
    const opened = Buffer.concat([decipher.update(ciphertext.subarray(0, -16)), decipher.final()]);
    expect(opened.equals(bytes(intermediate.paddedPlaintext))).toBe(true);
  });

  it('the user agent’s private key and auth secret decrypt the RFC’s message (http_ece, as the test push service does)', () => {
    const decrypted = ece.decrypt(message, { version: 'aes128gcm', privateKey: userAgent, authSecret: bytes(inputs.authSecret) });
    expect(decrypted.toString('utf8')).toBe(rfc8291.plaintextText);
  });

  it('the relay encrypts the plaintext, with the RFC’s salt and key pair, to the RFC’s message byte for byte', () => {
    const body = encryptPayloadWith(
      { salt: bytes(inputs.salt), sender: keyPair(inputs.asPrivate) },
      inputs.uaPublic,
      inputs.authSecret,
      plaintext,
    );
    expect(body.toString('base64url')).toBe(rfc8291.message);
  });

  it('the reference implementation encrypts to the same bytes (so the vector, not only our code, is what is checked)', () => {
    const body = ece.encrypt(plaintext, {
      version: 'aes128gcm',
      privateKey: keyPair(inputs.asPrivate),
      dh: inputs.uaPublic,
      authSecret: inputs.authSecret,
      salt: inputs.salt,
      rs: 4096,
    });
    expect(body.toString('base64url')).toBe(rfc8291.message);
  });

  it('refuses a salt that is not 16 bytes', () => {
    const secrets = { salt: Buffer.alloc(15), sender: keyPair(inputs.asPrivate) };
    expect(() => encryptPayloadWith(secrets, inputs.uaPublic, inputs.authSecret, plaintext)).toThrow(PushEncryptionError);
  });
});

describe('retryDelayMs', () => {
  it('honours Retry-After seconds or date up to 2 s, else backs off exponentially', () => {
    expect(retryDelayMs('0', 0)).toBe(0);
    expect(retryDelayMs('1', 0)).toBe(1000);
    expect(retryDelayMs('120', 0)).toBe(2000);
    expect(retryDelayMs(new Date(Date.now() - 5000).toUTCString(), 0)).toBe(0);
    expect(retryDelayMs(new Date(Date.now() + 60_000).toUTCString(), 0)).toBe(2000);
    for (const retry of [0, 1, 2]) {
      const delay = retryDelayMs(undefined, retry);
      expect(delay).toBeGreaterThanOrEqual(50 * 2 ** retry);
      expect(delay).toBeLessThanOrEqual(100 * 2 ** retry);
    }
    expect(retryDelayMs('soon', 10)).toBe(2000);
  });
});
