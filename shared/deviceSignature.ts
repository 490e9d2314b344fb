import { fromBase64Url, fromCanonicalBase64Url, sha256, toBase64Url, utf8 } from './base64url';
import { isStrictP256Signature, toLowS } from './p256Signature';
import type { P256PublicJwk } from './schemas/common';
import type { CryptoBytes, WebCryptoKey } from './webPlatform';

/**
 * Calls from a phone (or an extension) are signed with the device's non-extractable P-256 key:
 * ECDSA/SHA-256 over a canonical string of the method, the path with its query, a timestamp and
 * the SHA-256 of the body. The relay accepts a timestamp within a short window, only the low-S
 * signature in canonical base64url, and each signed input once per device.
 */
const deviceAuthorizationScheme = 'Nod-Device';

export interface DeviceSigningParts {
  method: string;
  /** Path and query exactly as sent, e.g. `/api/device/requests?x=1`. */
  path: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  body: Uint8Array;
}

export async function deviceSigningInput(parts: DeviceSigningParts): Promise<Uint8Array> {
  return deviceSigningText({ ...parts, bodyHash: toBase64Url(await sha256(parts.body)) });
}

/** The same input from a body hash already at hand (base64url SHA-256): the relay hashes synchronously. */
export function deviceSigningText(parts: Omit<DeviceSigningParts, 'body'> & { bodyHash: string }): Uint8Array {
  return utf8(['nod-device-v1', parts.method.toUpperCase(), parts.path, String(parts.timestamp), parts.bodyHash].join('\n'));
}

export interface DeviceAuthorization {
  deviceId: string;
  timestamp: number;
  /** IEEE P1363 (r‖s) ECDSA signature, base64url — what WebCrypto produces. */
  signature: string;
}

function formatDeviceAuthorization(auth: DeviceAuthorization): string {
  return `${deviceAuthorizationScheme} id="${auth.deviceId}", ts="${auth.timestamp}", sig="${auth.signature}"`;
}

/** The header exactly as `formatDeviceAuthorization` writes it, each value in its one accepted spelling: one match, no map. */
const canonicalAuthorization = /^Nod-Device id="([A-Za-z0-9_-]{1,200})", ts="([1-9]\d{0,15})", sig="([A-Za-z0-9_-]{1,200})"$/;

export function parseDeviceAuthorization(header: string | undefined): DeviceAuthorization | undefined {
  if (!header?.startsWith(`${deviceAuthorizationScheme} `)) return undefined;
  const canonical = canonicalAuthorization.exec(header);
  if (canonical) {
    const timestamp = Number(canonical[2]);
    return Number.isSafeInteger(timestamp) ? { deviceId: canonical[1], timestamp, signature: canonical[3] } : undefined;
  }
  const params = new Map<string, string>();
  for (const match of header.slice(deviceAuthorizationScheme.length + 1).matchAll(/(\w+)="([^"]*)"/g)) {
    params.set(match[1], match[2]);
  }
  const deviceId = params.get('id');
  const ts = params.get('ts');
  const signature = params.get('sig');
  // One spelling of each: the signed text has the timestamp as plain digits, and the signature
  // itself is checked for its one canonical encoding where it is verified.
  if (!deviceId || !signature || !ts || !/^[1-9]\d{0,15}$/.test(ts) || !Number.isSafeInteger(Number(ts))) return undefined;
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(signature) || !/^[A-Za-z0-9_-]{1,200}$/.test(deviceId)) return undefined;
  return { deviceId, timestamp: Number(ts), signature };
}

/**
 * Sign with a WebCrypto ECDSA P-256 private key (browser or Node). WebCrypto may give either of a
 * signature's two forms; the relay accepts only the low-S one (shared/p256Signature), so send that.
 */
export async function signWithDeviceKey(privateKey: WebCryptoKey, data: Uint8Array): Promise<string> {
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, data as CryptoBytes);
  return toBase64Url(toLowS(new Uint8Array(signature)));
}

/**
 * Device keys imported for verifying, a bound on how many are held: the least recently used goes
 * first. A sign-in's device-signed calls (receipt, details, approval) come within seconds of each
 * other, so the keys of the sign-ins under way are the ones worth keeping; an imported key holds
 * about 1.5 KB, so 1,000 of them stay small beside a relay holding 10,000 waiting sign-ins.
 */
const maxImportedKeys = 1_000;
/**
 * Imported device keys, by the public key itself (its coordinates), never by a device id: a
 * re-enrolled device's new key is a new entry, and no stored key is verified with another. Held as
 * the import's promise, so calls that arrive together import a key once; importing costs more than
 * a verify, and WebCrypto does it on the calling thread.
 */
const importedKeys = new Map<string, Promise<WebCryptoKey | undefined>>();

function importDeviceKey(publicKey: P256PublicJwk): Promise<WebCryptoKey | undefined> {
  const id = `${publicKey.x}.${publicKey.y}`;
  let key = importedKeys.get(id);
  if (key) {
    // Used again: to the back of the line.
    importedKeys.delete(id);
    importedKeys.set(id, key);
  } else {
    key = crypto.subtle
      .importKey('jwk', { kty: 'EC', crv: 'P-256', x: publicKey.x, y: publicKey.y }, { name: 'ECDSA', namedCurve: 'P-256' }, false, [
        'verify',
      ])
      .catch(() => undefined);
    if (importedKeys.size >= maxImportedKeys) importedKeys.delete(importedKeys.keys().next().value as string);
    importedKeys.set(id, key);
  }
  return key;
}

/**
 * Verify a device key's ECDSA P-256 / SHA-256 signature, given as sent: canonical base64url of
 * exactly the 64-byte IEEE P1363 r‖s with the low s (shared/p256Signature). Any other spelling of a
 * valid signature — (r, n − s), padding, other characters, spare bits set — is false, never thrown;
 * so is a key that is not a P-256 point. WebCrypto's verify runs off the calling thread (in Node, on
 * libuv's thread pool), so a relay's event loop only hands it over.
 */
export async function verifyDeviceSignature(publicKey: P256PublicJwk, data: Uint8Array, signature: string): Promise<boolean> {
  const bytes = fromCanonicalBase64Url(signature);
  if (!bytes || !isStrictP256Signature(bytes)) return false;
  const key = await importDeviceKey(publicKey);
  if (!key) return false;
  try {
    return await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, bytes as CryptoBytes, data as CryptoBytes);
  } catch {
    return false;
  }
}

/**
 * What the phone signs with its device key to finish an enrollment: proof that it holds the key it
 * registers, bound to this enrollment's one-time WebAuthn challenge. The tag keeps it apart from
 * every other text a device key signs (calls, approvals).
 */
export function enrollmentProofInput(parts: { enrollmentId: string; challenge: string }): Uint8Array {
  return utf8(['nod-enrollment-v1', parts.enrollmentId, parts.challenge].join('\n'));
}

/** The last timestamp each device signed with in this context (page, worker, process). */
const lastTimestamps = new Map<string, number>();

/**
 * Build the Authorization header for a device-signed call. The relay takes each signed input once,
 * so two identical calls in one millisecond (a list fetched twice at once) get distinct timestamps:
 * a device's calls move on by a millisecond each when they would collide, within a second of its clock.
 */
export async function deviceAuthorizationHeader(
  deviceId: string,
  privateKey: WebCryptoKey,
  request: { method: string; path: string; body?: string },
  clock = Date.now(),
): Promise<string> {
  const last = lastTimestamps.get(deviceId);
  const now = last !== undefined && clock <= last && last - clock < 1000 ? last + 1 : clock;
  lastTimestamps.set(deviceId, now);
  const input = await deviceSigningInput({
    method: request.method,
    path: request.path,
    timestamp: now,
    body: utf8(request.body ?? ''),
  });
  return formatDeviceAuthorization({ deviceId, timestamp: now, signature: await signWithDeviceKey(privateKey, input) });
}

export { fromBase64Url };
