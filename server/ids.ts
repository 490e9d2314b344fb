import { createHash, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';

/**
 * Random bytes for ids, drawn from the system's generator in blocks (as `crypto.randomUUID` does):
 * a sign-in makes several ids, and one call into the generator per id costs more than the id.
 * Each byte is handed out once.
 */
const pool = Buffer.alloc(4096);
let used = pool.length;

/** An opaque random identifier (128 bits, base64url). */
export function newId(bytes = 16): string {
  if (bytes > 64) return randomBytes(bytes).toString('base64url');
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += bytes;
  return pool.toString('base64url', used - bytes, used);
}

/** SHA-256 hex of a high-entropy secret (tokens, passes, codes): enough, since they cannot be guessed. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex or text digests. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
