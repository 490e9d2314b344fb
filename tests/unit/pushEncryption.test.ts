import { createECDH, randomBytes } from 'node:crypto';
import ece from 'http_ece';
import { describe, expect, it } from 'vitest';
import { encryptPayload, MAX_PAYLOAD_BYTES, PushEncryptionError } from '../../server/push/encryptPayload';
import { retryDelayMs } from '../../server/push/createPushSender';

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
  it('round-trips through the http_ece reference decryption, empty to largest', () => {
    const ua = userAgent();
    for (const size of [0, 1, 100, MAX_PAYLOAD_BYTES]) {
      const payload = randomBytes(size);
      const body = encryptPayload(ua.p256dh, ua.auth, payload);
      expect(ua.decrypt(body).equals(payload), `size ${size}`).toBe(true);
      expect(body.length).toBeLessThanOrEqual(4096);
    }
  });

  it('uses a fresh salt and key pair for every message', () => {
    const ua = userAgent();
    const a = encryptPayload(ua.p256dh, ua.auth, Buffer.from('same'));
    const b = encryptPayload(ua.p256dh, ua.auth, Buffer.from('same'));
    expect(a.subarray(0, 16).equals(b.subarray(0, 16))).toBe(false);
    expect(a.subarray(21, 86).equals(b.subarray(21, 86))).toBe(false);
    expect(a[20]).toBe(65);
  });

  it('refuses what it cannot encrypt', () => {
    const ua = userAgent();
    expect(() => encryptPayload(ua.p256dh, ua.auth, Buffer.alloc(MAX_PAYLOAD_BYTES + 1))).toThrow(PushEncryptionError);
    expect(() => encryptPayload('AAAA', ua.auth, Buffer.from('x'))).toThrow(PushEncryptionError);
    expect(() => encryptPayload(ua.p256dh, 'AAAA', Buffer.from('x'))).toThrow(PushEncryptionError);
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
