import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url, utf8 } from '../../shared/base64url';
import { signWithDeviceKey, verifyDeviceSignature } from '../../shared/deviceSignature';
import { createDeviceKey } from '../helpers/softAuthenticator';

/** The order n of P-256's base point, to write a signature's other valid form (r, n − s). */
const order = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function highS(signature: string): string {
  const bytes = fromBase64Url(signature);
  const s = BigInt(`0x${Buffer.from(bytes.subarray(32)).toString('hex')}`);
  const high = new Uint8Array(bytes);
  high.set(Buffer.from((order - s).toString(16).padStart(64, '0'), 'hex'), 32);
  return toBase64Url(high);
}

describe('verifyDeviceSignature (WebCrypto, imported keys kept by the key itself)', () => {
  it('accepts the low-s signature of the key that made it, and nothing else', async () => {
    const key = await createDeviceKey();
    const data = utf8('nod-device-v1\nPOST\n/api/device/requests\n1700000000000\nhash');
    const signature = await signWithDeviceKey(key.privateKey, data);
    expect(await verifyDeviceSignature(key.publicJwk, data, signature)).toBe(true);
    expect(await verifyDeviceSignature(key.publicJwk, utf8('something else'), signature)).toBe(false);
    expect(await verifyDeviceSignature(key.publicJwk, data, highS(signature))).toBe(false);
    expect(await verifyDeviceSignature(key.publicJwk, data, `${signature}A`)).toBe(false);
    expect(await verifyDeviceSignature(key.publicJwk, data, '')).toBe(false);
  });

  it('a device given a new key is checked against the new key only, however often the old one was used', async () => {
    const before = await createDeviceKey();
    const after = await createDeviceKey();
    const data = utf8('the same signed text');
    const oldSignature = await signWithDeviceKey(before.privateKey, data);
    const newSignature = await signWithDeviceKey(after.privateKey, data);
    // Verified together, so the two imports are under way at once.
    const [oldWithOld, newWithNew, oldWithNew, newWithOld] = await Promise.all([
      verifyDeviceSignature(before.publicJwk, data, oldSignature),
      verifyDeviceSignature(after.publicJwk, data, newSignature),
      verifyDeviceSignature(after.publicJwk, data, oldSignature),
      verifyDeviceSignature(before.publicJwk, data, newSignature),
    ]);
    expect([oldWithOld, newWithNew, oldWithNew, newWithOld]).toEqual([true, true, false, false]);
  });

  it('a key that is not a P-256 point is false, not thrown, every time', async () => {
    const key = await createDeviceKey();
    const data = utf8('text');
    const signature = await signWithDeviceKey(key.privateKey, data);
    const offCurve = { ...key.publicJwk, y: key.publicJwk.x };
    for (let i = 0; i < 2; i++) expect(await verifyDeviceSignature(offCurve, data, signature)).toBe(false);
  });
});
