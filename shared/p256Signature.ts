/**
 * ECDSA P-256 signatures in IEEE P1363 form (r‖s, 32 bytes each: what WebCrypto makes), held to one
 * encoding each: ECDSA lets anyone turn a valid (r, s) into a second valid (r, n − s), so the
 * signer always sends the low one (s ≤ n/2, as Bitcoin's BIP 62 and libsecp256k1 require) and the
 * verifier accepts nothing else. Plain BigInt arithmetic, for browsers and Node alike.
 */

/** The order n of P-256's base point (SEC 2 §2.4.2, FIPS 186-4 D.1.2.3). */
const order = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const halfOrder = order >> 1n;

/** Bytes in a P1363 P-256 signature; 86 characters of unpadded base64url. */
export const p256SignatureBytes = 64;

/** 32 big-endian bytes as a number: four 64-bit words, not 32 BigInt steps (the relay checks two per signed call). */
function toBigInt(bytes: Uint8Array): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return (view.getBigUint64(0) << 192n) | (view.getBigUint64(8) << 128n) | (view.getBigUint64(16) << 64n) | view.getBigUint64(24);
}

function toBytes32(value: bigint): Uint8Array {
  const bytes = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
}

/** The same signature with s replaced by n − s when s is in the upper half: what to send. */
export function toLowS(signature: Uint8Array): Uint8Array {
  if (signature.length !== p256SignatureBytes)
    throw new Error(`a P-256 signature has ${p256SignatureBytes} bytes, not ${signature.length}`);
  const s = toBigInt(signature.subarray(32));
  if (s <= halfOrder) return signature;
  const low = new Uint8Array(signature);
  low.set(toBytes32(order - s), 32);
  return low;
}

/** Exactly 64 bytes, 0 < r < n and 0 < s ≤ n/2: the one encoding of a signature the relay accepts. */
export function isStrictP256Signature(signature: Uint8Array): boolean {
  if (signature.length !== p256SignatureBytes) return false;
  const r = toBigInt(signature.subarray(0, 32));
  const s = toBigInt(signature.subarray(32));
  return r > 0n && r < order && s > 0n && s <= halfOrder;
}
