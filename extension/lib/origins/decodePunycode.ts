/**
 * Decode an IDNA host name's `xn--` labels to Unicode (RFC 3492 §6.2, Bootstring with the Punycode
 * parameters). Browsers hand extensions the ASCII form of a host; look-alike checks need the Unicode
 * form a person reads. A label that does not decode is left as it is.
 */
export function decodeHostname(hostname: string): string {
  return hostname
    .split('.')
    .map((label) => {
      if (!label.toLowerCase().startsWith('xn--')) return label;
      try {
        return decodePunycode(label.slice(4));
      } catch {
        return label;
      }
    })
    .join('.');
}

const base = 36;
const tMin = 1;
const tMax = 26;
const skew = 38;
const damp = 700;
const initialBias = 72;
const initialN = 128;

function adapt(delta: number, numPoints: number, firstTime: boolean): number {
  let d = firstTime ? Math.floor(delta / damp) : delta >> 1;
  d += Math.floor(d / numPoints);
  let k = 0;
  while (d > ((base - tMin) * tMax) >> 1) {
    d = Math.floor(d / (base - tMin));
    k += base;
  }
  return k + Math.floor(((base - tMin + 1) * d) / (d + skew));
}

function digitValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 22; // 0-9 → 26-35
  if (code >= 0x41 && code <= 0x5a) return code - 0x41; // A-Z → 0-25
  if (code >= 0x61 && code <= 0x7a) return code - 0x61; // a-z → 0-25
  throw new Error('invalid punycode digit');
}

/** RFC 3492 §6.2 decoding procedure. Throws on malformed input or overflow. */
export function decodePunycode(input: string): string {
  const output: number[] = [];
  const delimiter = input.lastIndexOf('-');
  for (let j = 0; j < Math.max(delimiter, 0); j++) {
    const code = input.charCodeAt(j);
    if (code >= 0x80) throw new Error('non-basic code point');
    output.push(code);
  }
  let n = initialN;
  let i = 0;
  let bias = initialBias;
  for (let index = delimiter > 0 ? delimiter + 1 : 0; index < input.length; ) {
    const oldI = i;
    for (let w = 1, k = base; ; k += base) {
      if (index >= input.length) throw new Error('truncated punycode');
      const digit = digitValue(input.charCodeAt(index++));
      if (digit > Math.floor((0x7fffffff - i) / w)) throw new Error('punycode overflow');
      i += digit * w;
      const t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias;
      if (digit < t) break;
      if (w > Math.floor(0x7fffffff / (base - t))) throw new Error('punycode overflow');
      w *= base - t;
    }
    const length = output.length + 1;
    bias = adapt(i - oldI, length, oldI === 0);
    if (Math.floor(i / length) > 0x10ffff - n) throw new Error('punycode overflow');
    n += Math.floor(i / length);
    i %= length;
    output.splice(i, 0, n);
    i++;
  }
  return String.fromCodePoint(...output);
}
