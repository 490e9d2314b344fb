import { fromBase64Url, sha256, toBase64Url, utf8 } from './base64url';
import type { CryptoBytes, WebCryptoKey } from './webPlatform';

/**
 * Calls from a phone (or an extension) are signed with the device's non-extractable P-256 key:
 * ECDSA/SHA-256 over a canonical string of the method, the path with its query, a timestamp and
 * the SHA-256 of the body. The relay accepts a timestamp within a short window and each
 * signature once.
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

export function parseDeviceAuthorization(header: string | undefined): DeviceAuthorization | undefined {
  if (!header?.startsWith(`${deviceAuthorizationScheme} `)) return undefined;
  const params = new Map<string, string>();
  for (const match of header.slice(deviceAuthorizationScheme.length + 1).matchAll(/(\w+)="([^"]*)"/g)) {
    params.set(match[1], match[2]);
  }
  const deviceId = params.get('id');
  const ts = Number(params.get('ts'));
  const signature = params.get('sig');
  if (!deviceId || !signature || !Number.isSafeInteger(ts)) return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(signature) || !/^[A-Za-z0-9_-]+$/.test(deviceId)) return undefined;
  return { deviceId, timestamp: ts, signature };
}

/** Sign with a WebCrypto ECDSA P-256 private key (browser or Node). */
export async function signWithDeviceKey(privateKey: WebCryptoKey, data: Uint8Array): Promise<string> {
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, data as CryptoBytes);
  return toBase64Url(new Uint8Array(signature));
}

/** Build the Authorization header for a device-signed call. */
export async function deviceAuthorizationHeader(
  deviceId: string,
  privateKey: WebCryptoKey,
  request: { method: string; path: string; body?: string },
  now = Date.now(),
): Promise<string> {
  const input = await deviceSigningInput({
    method: request.method,
    path: request.path,
    timestamp: now,
    body: utf8(request.body ?? ''),
  });
  return formatDeviceAuthorization({ deviceId, timestamp: now, signature: await signWithDeviceKey(privateKey, input) });
}

export { fromBase64Url };
