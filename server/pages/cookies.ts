import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The cookies of a request, by name (first one wins). */
export function readCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    if (cookies.has(name)) continue;
    try {
      cookies.set(name, decodeURIComponent(part.slice(at + 1).trim()));
    } catch {
      // a malformed value is no value
    }
  }
  return cookies;
}

/** A value the browser keeps but cannot change: base64url JSON and an HMAC-SHA256 over it. */
export function seal(key: Buffer, value: unknown): string {
  const body = Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

export function unseal<T>(key: Buffer, sealed: string | undefined): T | undefined {
  if (!sealed) return undefined;
  const [body, mac] = sealed.split('.');
  if (!body || !mac) return undefined;
  const expected = createHmac('sha256', key).update(body).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

/** A value the browser keeps but can neither read nor change: AES-256-GCM (IV, tag, ciphertext), base64url. */
export function encrypt(key: Buffer, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** What `encrypt` kept, or undefined for anything else (a changed, cut or foreign value). */
export function decrypt<T>(key: Buffer, text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    const raw = Buffer.from(text, 'base64url');
    // The whole 16-byte tag: GCM would take a shorter one, which is far easier to forge.
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12), { authTagLength: 16 });
    decipher.setAuthTag(raw.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

export function cookieHeader(name: string, value: string, options: { path: string; maxAgeSeconds?: number; secure: boolean }): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${options.path}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.maxAgeSeconds !== undefined ? [`Max-Age=${options.maxAgeSeconds}`] : []),
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}
