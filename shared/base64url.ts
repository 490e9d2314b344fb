import type { CryptoBytes } from './webPlatform';

/** Base64url without padding (RFC 4648 §5), for browsers and Node alike. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data as CryptoBytes));
}

/**
 * Decode only the one canonical spelling of some bytes (RFC 4648 §5 without padding, unused bits
 * zero): undefined for anything else — padding, other alphabets, an impossible length, or a last
 * character that spells the same bytes differently.
 */
export function fromCanonicalBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const bytes = fromBase64Url(text);
  return toBase64Url(bytes) === text ? bytes : undefined;
}
