/**
 * Message encryption for Web Push (RFC 8291) in the aes128gcm content coding (RFC 8188), with
 * node:crypto only: one ECDH key pair per message, HKDF-SHA-256, AES-128-GCM, a single record.
 */
import { createCipheriv, type ECDH, hkdfSync, randomBytes } from 'node:crypto';
import { agreeInBackground } from './backgroundKeyAgreement';

const SALT_BYTES = 16;
const PUBLIC_KEY_BYTES = 65;
const TAG_BYTES = 16;
/** salt (16) ‖ rs (4) ‖ idlen (1) ‖ keyid = the application server's public key (65). */
const HEADER_BYTES = SALT_BYTES + 4 + 1 + PUBLIC_KEY_BYTES;
/** RFC 8030 §7.2: a push service must accept 4096 bytes of body; no more is safe to send. */
export const MAX_BODY_BYTES = 4096;
/** The largest payload one 4096-byte body holds: header, the 0x02 delimiter and the tag taken off. */
export const MAX_PAYLOAD_BYTES = MAX_BODY_BYTES - HEADER_BYTES - 1 - TAG_BYTES;

const KEY_INFO_PREFIX = Buffer.from('WebPush: info\0', 'latin1');
const CEK_INFO = Buffer.from('Content-Encoding: aes128gcm\0', 'latin1');
const NONCE_INFO = Buffer.from('Content-Encoding: nonce\0', 'latin1');
const LAST_RECORD_DELIMITER = Buffer.from([0x02]);

export class PushEncryptionError extends Error {}

/** The user agent's keys, checked, and a payload that fits: what every message starts from. */
interface Recipient {
  /** Its P-256 public key, uncompressed (65 bytes). */
  uaPublic: Buffer;
  authSecret: Buffer;
}

function recipientOf(p256dh: string, auth: string, payload: Uint8Array): Recipient {
  const uaPublic = Buffer.from(p256dh, 'base64url');
  if (uaPublic.length !== PUBLIC_KEY_BYTES || uaPublic[0] !== 0x04) {
    throw new PushEncryptionError('p256dh is not an uncompressed P-256 point');
  }
  const authSecret = Buffer.from(auth, 'base64url');
  if (authSecret.length < 16) throw new PushEncryptionError('auth secret shorter than 16 bytes');
  if (payload.length > MAX_PAYLOAD_BYTES) {
    throw new PushEncryptionError(`payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  }
  return { uaPublic, authSecret };
}

const notOnCurve = () => new PushEncryptionError('p256dh is not a point on P-256');

/**
 * Encrypt `payload` for the user agent whose subscription keys are `p256dh` (its P-256 public key,
 * uncompressed, base64url) and `auth` (its 16-byte authentication secret, base64url). Resolves to
 * the whole request body; rejects with a PushEncryptionError for keys or a payload it cannot use.
 * The key agreement runs on a worker thread (./backgroundKeyAgreement), the rest here.
 */
export async function encryptPayload(p256dh: string, auth: string, payload: Uint8Array): Promise<Buffer> {
  const recipient = recipientOf(p256dh, auth, payload);
  const agreed = await agreeInBackground(recipient.uaPublic);
  if (!agreed) throw notOnCurve();
  return seal(randomBytes(SALT_BYTES), agreed.publicKey, agreed.secret, recipient, payload);
}

/** What RFC 8291 makes fresh for every message: the salt and the application server's ECDH key pair. */
export interface MessageSecrets {
  salt: Buffer;
  /** A P-256 key pair (its private key set or generated). */
  sender: ECDH;
}

/**
 * encryptPayload with the message's salt and key pair given, all on the calling thread, so RFC 8291
 * Appendix A can be checked byte for byte. Only that known-answer test calls it with set secrets
 * (the bench's crypto floor calls it with fresh ones): the same salt and key pair twice for one
 * subscription repeat the AES-GCM key and nonce, which gives away both plaintexts.
 */
export function encryptPayloadWith(secrets: MessageSecrets, p256dh: string, auth: string, payload: Uint8Array): Buffer {
  const recipient = recipientOf(p256dh, auth, payload);
  if (secrets.salt.length !== SALT_BYTES) throw new PushEncryptionError(`salt of ${secrets.salt.length} bytes, not ${SALT_BYTES}`);
  let ecdhSecret: Buffer;
  try {
    ecdhSecret = secrets.sender.computeSecret(recipient.uaPublic);
  } catch {
    throw notOnCurve();
  }
  return seal(secrets.salt, secrets.sender.getPublicKey(), ecdhSecret, recipient, payload);
}

/** The one aes128gcm record for `payload`, from the message's salt, public key and ECDH secret. */
function seal(salt: Buffer, asPublic: Buffer, ecdhSecret: Buffer, recipient: Recipient, payload: Uint8Array): Buffer {
  const { uaPublic, authSecret } = recipient;
  // RFC 8291 §3.3–3.4: IKM from the ECDH secret keyed by the auth secret, bound to both public keys.
  const keyInfo = Buffer.concat([KEY_INFO_PREFIX, uaPublic, asPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, authSecret, keyInfo, 32));
  // RFC 8188 §2.2–2.3: content-encryption key and nonce from the message's random salt.
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, CEK_INFO, 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, NONCE_INFO, 12));

  // One record, so its sequence number is 0 and the nonce is used as derived.
  const body = Buffer.allocUnsafe(HEADER_BYTES + payload.length + 1 + TAG_BYTES);
  salt.copy(body, 0);
  body.writeUInt32BE(MAX_BODY_BYTES, SALT_BYTES);
  body[SALT_BYTES + 4] = PUBLIC_KEY_BYTES;
  asPublic.copy(body, SALT_BYTES + 5);

  const cipher = createCipheriv('aes-128-gcm', cek, nonce);
  let offset = HEADER_BYTES;
  offset += cipher.update(payload).copy(body, offset);
  // The last (and only) record ends with the delimiter 0x02 and no padding.
  offset += cipher.update(LAST_RECORD_DELIMITER).copy(body, offset);
  offset += cipher.final().copy(body, offset);
  cipher.getAuthTag().copy(body, offset);
  return body;
}
