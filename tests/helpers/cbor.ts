/**
 * A minimal CBOR encoder (RFC 8949), enough for WebAuthn attestation objects and COSE keys:
 * unsigned and negative integers, byte strings, text strings, arrays and maps with integer or
 * text keys. Map entries are written in insertion order, so callers that need CTAP2 canonical
 * order (COSE keys: 1, 3, -1, -2, -3; attestation objects: fmt, attStmt, authData) insert them
 * in that order.
 */
export type CborValue = number | bigint | string | Uint8Array | CborValue[] | CborMap;
export type CborMap = Map<number | string, CborValue>;

const MAJOR_UNSIGNED = 0;
const MAJOR_NEGATIVE = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;

function head(major: number, argument: bigint): Uint8Array {
  const type = major << 5;
  if (argument < 24n) return Uint8Array.of(type | Number(argument));
  if (argument <= 0xffn) return Uint8Array.of(type | 24, Number(argument));
  if (argument <= 0xffffn) {
    const out = new Uint8Array(3);
    out[0] = type | 25;
    new DataView(out.buffer).setUint16(1, Number(argument));
    return out;
  }
  if (argument <= 0xffffffffn) {
    const out = new Uint8Array(5);
    out[0] = type | 26;
    new DataView(out.buffer).setUint32(1, Number(argument));
    return out;
  }
  if (argument <= 0xffffffffffffffffn) {
    const out = new Uint8Array(9);
    out[0] = type | 27;
    new DataView(out.buffer).setBigUint64(1, argument);
    return out;
  }
  throw new RangeError('CBOR integer out of range');
}

function encodeInto(value: CborValue, parts: Uint8Array[]): void {
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new TypeError(`CBOR encoder handles integers only, got ${value}`);
    }
    const n = BigInt(value);
    parts.push(n >= 0n ? head(MAJOR_UNSIGNED, n) : head(MAJOR_NEGATIVE, -1n - n));
  } else if (typeof value === 'string') {
    const bytes = new TextEncoder().encode(value);
    parts.push(head(MAJOR_TEXT, BigInt(bytes.length)), bytes);
  } else if (value instanceof Uint8Array) {
    parts.push(head(MAJOR_BYTES, BigInt(value.length)), value);
  } else if (Array.isArray(value)) {
    parts.push(head(MAJOR_ARRAY, BigInt(value.length)));
    for (const item of value) encodeInto(item, parts);
  } else if (value instanceof Map) {
    parts.push(head(MAJOR_MAP, BigInt(value.size)));
    for (const [key, item] of value) {
      encodeInto(key, parts);
      encodeInto(item, parts);
    }
  } else {
    throw new TypeError('unsupported CBOR value');
  }
}

export function encodeCbor(value: CborValue): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  encodeInto(value, parts);
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
