/**
 * RFC 8291's key agreement — a fresh P-256 key pair for the message and its ECDH secret with the
 * user agent's key — on a worker thread. The secret is a point multiplication by an unknown point,
 * the costliest step of encrypting a push (~110–140 µs of CPU); on the relay's event loop it held
 * up every other request while the second core had room. WebCrypto would also leave the loop, but
 * not for all of it in Node 20: subtle.generateKey does most of its work on the calling thread and
 * deriveBits checks the peer's point once more (a second multiplication). Measured per message at
 * 64 in flight: 15 µs on the event loop and 167 µs of CPU here, 113 and 288 µs with WebCrypto,
 * 150 and 137 µs on the event loop alone.
 */
import { workerCalls } from '../background/workerCalls';

export interface AgreedKey {
  /** The message's public key, uncompressed (65 bytes): the record header's keyid. */
  publicKey: Buffer;
  /** The ECDH shared secret with the user agent's key (32 bytes). */
  secret: Buffer;
}

const agree = workerCalls<Uint8Array, { publicKey: Uint8Array; secret: Uint8Array } | null>(
  'push key-agreement',
  `
const { createECDH } = require('node:crypto');
async function handle(uaPublic) {
  const sender = createECDH('prime256v1');
  sender.generateKeys();
  let secret;
  try {
    secret = sender.computeSecret(uaPublic);
  } catch {
    return null;
  }
  return { publicKey: new Uint8Array(sender.getPublicKey()), secret: new Uint8Array(secret) };
}
`,
);

/**
 * A fresh key pair and its ECDH secret with `uaPublic` (an uncompressed P-256 point), computed off
 * the event loop; undefined when `uaPublic` is not a point on the curve.
 */
export async function agreeInBackground(uaPublic: Uint8Array): Promise<AgreedKey | undefined> {
  const agreed = await agree(new Uint8Array(uaPublic));
  return agreed ? { publicKey: Buffer.from(agreed.publicKey), secret: Buffer.from(agreed.secret) } : undefined;
}
