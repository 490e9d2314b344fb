/**
 * VAPID (RFC 8292): the application server's ES256-signed JWT, one per push-service origin (the
 * audience), signed once and reused until it nears expiry rather than signed for every message.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/** Tokens are made to live 12 hours (RFC 8292 §2 allows at most 24)... */
const VAPID_TOKEN_LIFETIME_SECONDS = 12 * 60 * 60;
/** ...and replaced once less than an hour of that is left, so a token in flight never expires. */
const VAPID_REFRESH_BEFORE_EXPIRY_SECONDS = 60 * 60;
/** Audiences are push-service origins, a handful in practice; the bound only stops a runaway. */
const MAX_CACHED_AUDIENCES = 1000;

const JWT_HEADER = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'ES256' })).toString('base64url');

export interface VapidKeys {
  /** The uncompressed P-256 public key, base64url (65 bytes). */
  publicKey: string;
  /** The P-256 private scalar, base64url (32 bytes). */
  privateKey: string;
}

interface CachedToken {
  authorization: string;
  issuedAtMs: number;
  refreshAtMs: number;
}

export interface VapidSigner {
  /** The `Authorization` header value for a push service at `audience` (its origin). */
  authorization(audience: string): string;
}

/** Import the key pair, checking that the private key is the public key's and that `subject` is usable. */
function importVapidKeys(keys: VapidKeys): KeyObject {
  const point = Buffer.from(keys.publicKey, 'base64url');
  if (point.length !== 65 || point[0] !== 0x04) {
    throw new Error('VAPID public key must be a base64url uncompressed P-256 point (65 bytes)');
  }
  if (Buffer.from(keys.privateKey, 'base64url').length !== 32) {
    throw new Error('VAPID private key must be a base64url P-256 scalar (32 bytes)');
  }
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    x: point.subarray(1, 33).toString('base64url'),
    y: point.subarray(33).toString('base64url'),
  };
  const privateKey = createPrivateKey({ key: { ...jwk, d: keys.privateKey }, format: 'jwk' });
  // A private key that does not match k would make every push fail; find out now, not per message.
  const probe = Buffer.from('nod vapid key check');
  const signature = sign('sha256', probe, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
  if (!verify('sha256', probe, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)) {
    throw new Error('VAPID private key does not belong to the public key');
  }
  return privateKey;
}

/** What a VAPID subject must be, in the words a configuration error uses. */
export const VAPID_SUBJECT_RULE = 'a mailto: URL with an address (mailto:ops@contoso.example) or an https: URL';

/**
 * RFC 8292 §2.1: the `sub` claim is a `mailto:` or `https:` URL the push service can use to reach
 * the operator. Apple's push service enforces it (403 BadJwtToken otherwise), so a `mailto:`
 * without an address or an `https:` without a host is refused at start, not per push.
 */
export function isVapidSubject(subject: string): boolean {
  if (/\s/.test(subject)) return false;
  if (subject.startsWith('mailto:')) {
    let address: string;
    try {
      address = decodeURIComponent(subject.slice('mailto:'.length).split('?')[0]);
    } catch {
      return false;
    }
    return /^[^\s@<>(),;:"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(address);
  }
  if (subject.startsWith('https:') && URL.canParse(subject)) {
    const url = new URL(subject);
    return url.protocol === 'https:' && url.hostname !== '' && subject.startsWith('https://');
  }
  return false;
}

function checkVapidSubject(subject: string): void {
  if (!isVapidSubject(subject)) throw new Error(`VAPID subject must be ${VAPID_SUBJECT_RULE}`);
}

export function createVapidSigner(keys: VapidKeys, subject: string, now: () => number): VapidSigner {
  checkVapidSubject(subject);
  const privateKey = importVapidKeys(keys);
  const keySuffix = `, k=${keys.publicKey}`;
  const tokens = new Map<string, CachedToken>();

  function issue(audience: string, nowMs: number): CachedToken {
    const exp = Math.floor(nowMs / 1000) + VAPID_TOKEN_LIFETIME_SECONDS;
    const claims = Buffer.from(JSON.stringify({ aud: audience, exp, sub: subject })).toString('base64url');
    const signingInput = `${JWT_HEADER}.${claims}`;
    const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    return {
      authorization: `vapid t=${signingInput}.${signature.toString('base64url')}${keySuffix}`,
      issuedAtMs: nowMs,
      refreshAtMs: (exp - VAPID_REFRESH_BEFORE_EXPIRY_SECONDS) * 1000,
    };
  }

  return {
    authorization(audience) {
      const nowMs = now();
      const cached = tokens.get(audience);
      // A clock that went backwards could make a cached token look longer-lived than allowed: re-sign.
      if (cached && nowMs < cached.refreshAtMs && nowMs >= cached.issuedAtMs) return cached.authorization;
      const token = issue(audience, nowMs);
      if (!cached && tokens.size >= MAX_CACHED_AUDIENCES) {
        tokens.delete(tokens.keys().next().value as string);
      }
      tokens.set(audience, token);
      return token.authorization;
    },
  };
}
