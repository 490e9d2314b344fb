import { createHmac, hkdfSync } from 'node:crypto';

/**
 * The Topic header (RFC 8030 §5.4) for a caller's topic: 32 base64url characters (24 bytes of an
 * HMAC-SHA-256), the most RFC 8030 allows. The same caller topic always gives the same header, so a
 * newer push replaces an older one still queued; the key keeps the caller's identifiers (user,
 * device, request ids) from being read or guessed by the push service, which sees the header.
 */
export function deriveTopic(topic: string, key: Uint8Array): string {
  return createHmac('sha256', key).update(topic).digest().subarray(0, 24).toString('base64url');
}

/**
 * A topic key that is stable for as long as the VAPID key is (so topics survive relay restarts)
 * and says nothing about it.
 */
export function topicKeyFromVapidPrivateKey(privateKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(privateKey, 'base64url'), '', 'nod push topic', 32));
}
