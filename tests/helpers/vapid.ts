/**
 * Checks a VAPID Authorization header (RFC 8292) the way a push service does:
 * `vapid t=<JWT>, k=<base64url uncompressed P-256 point>`, JWT signed ES256 by k, `aud` the push
 * service's origin, `exp` in the future and at most 24 hours ahead, `sub` a mailto: or https: URL.
 */
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';

export interface VapidClaims {
  aud: string;
  exp: number;
  sub: string;
  /** k: the application server's public key, base64url (65-byte uncompressed point). */
  publicKey: string;
  jwt: string;
}

const MAX_LIFETIME_SECONDS = 24 * 60 * 60;

export class VapidError extends Error {}

export function parseVapidAuthorization(header: string | undefined): { jwt: string; publicKey: string } {
  const match = header?.match(/^vapid\s+(.*)$/i);
  if (!match) throw new VapidError('missing "Authorization: vapid" header');
  const params = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const jwt = params.get('t');
  const publicKey = params.get('k');
  if (!jwt || !publicKey) throw new VapidError('vapid header without t= and k=');
  return { jwt, publicKey };
}

export async function verifyVapid(header: string | undefined, audience: string, now = new Date()): Promise<VapidClaims> {
  const { jwt, publicKey } = parseVapidAuthorization(header);
  const point = Buffer.from(publicKey, 'base64url');
  if (point.length !== 65 || point[0] !== 0x04 || point.toString('base64url') !== publicKey) {
    throw new VapidError('k is not a base64url uncompressed P-256 point');
  }
  if (decodeProtectedHeader(jwt).alg !== 'ES256') throw new VapidError('VAPID JWT is not ES256');
  const key = await importJWK(
    {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
    'ES256',
  );
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(jwt, key, {
      algorithms: ['ES256'],
      audience,
      requiredClaims: ['aud', 'exp', 'sub'],
      currentDate: now,
    }));
  } catch (error) {
    throw new VapidError(`VAPID JWT rejected: ${(error as Error).message}`);
  }
  if (typeof payload.aud !== 'string') throw new VapidError('VAPID aud must be a single origin');
  const exp = payload.exp!;
  if (exp - Math.floor(now.getTime() / 1000) > MAX_LIFETIME_SECONDS) {
    throw new VapidError('VAPID JWT exp is more than 24 hours ahead');
  }
  const sub = payload.sub!;
  let protocol = '';
  try {
    protocol = new URL(sub).protocol;
  } catch {}
  if (protocol !== 'mailto:' && protocol !== 'https:') throw new VapidError('VAPID sub is not a mailto: or https: URL');
  return { aud: payload.aud, exp, sub, publicKey, jwt };
}
