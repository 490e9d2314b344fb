import { totp as params } from './constants';
import type { CryptoBytes } from './webPlatform';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Base32 (RFC 4648 §6) without padding: how TOTP secrets are written. */
export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '').replace(/\s+/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error('not base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

export type TotpHash = 'SHA-1' | 'SHA-256' | 'SHA-512';

/** RFC 4226 HOTP value for one counter, with WebCrypto (browser and Node). */
export async function hotp(secret: Uint8Array, counter: number, digits: number = params.digits, hash: TotpHash = 'SHA-1'): Promise<string> {
  const key = await crypto.subtle.importKey('raw', secret as CryptoBytes, { name: 'HMAC', hash }, false, ['sign']);
  const message = new Uint8Array(8);
  new DataView(message.buffer).setBigUint64(0, BigInt(counter));
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, message));
  // RFC 4226 §5.3: dynamic truncation.
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238 time step for a moment in milliseconds. */
export function totpStep(nowMs: number, periodSeconds: number = params.periodSeconds): number {
  return Math.floor(nowMs / 1000 / periodSeconds);
}

/** The current verification code for a base32 secret; Nod shows 6 digits, RFC 6238's vectors have 8. */
export async function totpCode(secretBase32: string, nowMs = Date.now(), digits: number = params.digits): Promise<string> {
  return hotp(base32Decode(secretBase32), totpStep(nowMs), digits);
}

/** Seconds until the current code changes. */
export function totpSecondsLeft(nowMs = Date.now(), periodSeconds: number = params.periodSeconds): number {
  return periodSeconds - (Math.floor(nowMs / 1000) % periodSeconds);
}
