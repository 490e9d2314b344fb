import { type KeyObject, createHash, createPublicKey, verify } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { fromBase64Url } from '../../shared/base64url';
import { deviceSignatureWindowMs } from '../../shared/constants';
import { deviceSigningText, parseDeviceAuthorization } from '../../shared/deviceSignature';
import type { P256PublicJwk } from '../../shared/schemas/common';
import type { RelayContext } from '../context';
import type { Device } from '../storage/model';
import { ProblemError } from './problem';

/** Imported device keys, by their coordinates: importing a JWK costs as much as the verify itself. */
const importedKeys = new Map<string, KeyObject>();

function importDeviceKey(publicKey: P256PublicJwk): KeyObject {
  const id = `${publicKey.x}.${publicKey.y}`;
  let key = importedKeys.get(id);
  if (!key) {
    key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: publicKey.x, y: publicKey.y }, format: 'jwk' });
    if (importedKeys.size >= 10_000) importedKeys.clear();
    importedKeys.set(id, key);
  }
  return key;
}

/** Verify an IEEE P1363 ECDSA P-256 / SHA-256 signature made with WebCrypto. */
export function verifyDeviceSignature(publicKey: P256PublicJwk, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify('sha256', data, { key: importDeviceKey(publicKey), dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/** Signatures seen within the window: a replayed call is refused. */
export class ReplayGuard {
  private seen = new Map<string, number>();
  constructor(private windowMs = deviceSignatureWindowMs * 2) {}

  /** True the first time a signature is seen. */
  firstUse(signature: string, now: number): boolean {
    if (this.seen.size > 10_000) {
      for (const [key, expires] of this.seen) if (expires < now) this.seen.delete(key);
    }
    const expires = this.seen.get(signature);
    if (expires !== undefined && expires >= now) return false;
    this.seen.set(signature, now + this.windowMs);
    return true;
  }
}

/**
 * Authenticate a phone or browser call by its device key: the signature covers method, path,
 * body hash and timestamp; the timestamp must be within the window and each signature is used
 * once. Every failure is the same 401.
 */
export async function authenticateDevice(ctx: RelayContext, guard: ReplayGuard, request: FastifyRequest): Promise<Device> {
  const refuse = (privateDetail: string) =>
    new ProblemError('device_signature_invalid', 'Sign the call with the device key.', { privateDetail });
  const auth = parseDeviceAuthorization(request.headers.authorization);
  if (!auth) throw refuse('no or malformed Nod-Device authorization');
  const now = ctx.now();
  if (Math.abs(now - auth.timestamp) > deviceSignatureWindowMs) throw refuse('timestamp outside the window');
  const device = await ctx.storage.devices.byId(auth.deviceId);
  if (!device) throw refuse('unknown device');
  const input = deviceSigningText({
    method: request.method,
    path: request.url,
    timestamp: auth.timestamp,
    bodyHash: createHash('sha256')
      .update(request.rawBody ?? '', 'utf8')
      .digest('base64url'),
  });
  if (!verifyDeviceSignature(device.publicKey, input, fromBase64Url(auth.signature))) throw refuse('bad signature');
  if (!guard.firstUse(auth.signature, now)) throw refuse('replayed signature');
  return device;
}
