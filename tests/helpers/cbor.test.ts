import { isoCBOR } from '@simplewebauthn/server/helpers';
import { describe, expect, it } from 'vitest';
import { type CborValue, encodeCbor } from './cbor';

const hex = (value: CborValue) => Buffer.from(encodeCbor(value)).toString('hex');

describe('encodeCbor', () => {
  it('matches the RFC 8949 Appendix A examples', () => {
    expect(hex(0)).toBe('00');
    expect(hex(23)).toBe('17');
    expect(hex(24)).toBe('1818');
    expect(hex(1000)).toBe('1903e8');
    expect(hex(1000000)).toBe('1a000f4240');
    expect(hex(1000000000000)).toBe('1b000000e8d4a51000');
    expect(hex(18446744073709551615n)).toBe('1bffffffffffffffff');
    expect(hex(-1)).toBe('20');
    expect(hex(-10)).toBe('29');
    expect(hex(-100)).toBe('3863');
    expect(hex(-1000)).toBe('3903e7');
    expect(hex(Uint8Array.of(1, 2, 3, 4))).toBe('4401020304');
    expect(hex('')).toBe('60');
    expect(hex('IETF')).toBe('6449455446');
    expect(hex('\u00fc')).toBe('62c3bc');
    expect(hex([1, [2, 3], [4, 5]])).toBe('8301820203820405');
    expect(
      hex(
        new Map([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toBe('a201020304');
    expect(
      hex(
        new Map<string, CborValue>([
          ['a', 1],
          ['b', [2, 3]],
        ]),
      ),
    ).toBe('a26161016162820203');
  });

  it('refuses what it cannot encode', () => {
    expect(() => encodeCbor(1.5)).toThrow(TypeError);
    expect(() => encodeCbor(2n ** 64n)).toThrow(RangeError);
  });

  it('is read back by the CBOR decoder @simplewebauthn/server uses', () => {
    const x = new Uint8Array(32).fill(7);
    const cose = new Map<number, CborValue>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, x],
    ]);
    const decoded = isoCBOR.decodeFirst<Map<number, unknown>>(encodeCbor(cose));
    expect(decoded.get(3)).toBe(-7);
    expect(decoded.get(-2)).toEqual(x);
  });
});
