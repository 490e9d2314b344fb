import { decodeHostname } from './decodePunycode';

/**
 * Characters that read as a Latin letter or digit in a host name (a working subset of Unicode's
 * confusables, UTS #39), folded to that Latin character. Cyrillic, Greek and Armenian letters are the
 * usual homoglyph material; digits and a few Latin pairs that read alike are folded too.
 */
const confusables: Record<string, string> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  һ: 'h',
  і: 'i',
  ї: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ү: 'y',
  ӏ: 'l',
  ɩ: 'l',
  ь: 'b',
  г: 'r',
  п: 'n',
  л: 'n',
  ш: 'w',
  щ: 'w',
  // Greek
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  γ: 'y',
  ω: 'w',
  μ: 'u',
  // Armenian and others
  օ: 'o',
  ս: 'u',
  ց: 'g',
  հ: 'h',
  ո: 'n',
  ք: 'p',
  զ: 'q',
  ɡ: 'g',
  ı: 'i',
  ȷ: 'j',
  ḷ: 'l',
  ẹ: 'e',
  ọ: 'o',
  // Digits and Latin letters that read alike
  '0': 'o',
  '1': 'l',
  '5': 's',
  '3': 'e',
  '8': 'b',
};

/** Latin pairs that read as one letter. */
const digraphs: Array<[RegExp, string]> = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
  [/cl/g, 'd'],
];

/**
 * The skeleton of a host name: what a person reads. Two hosts with the same skeleton but different
 * spellings are confusable (`contoso.example` and `cοntoso.example` with a Greek omicron).
 */
export function hostSkeleton(hostname: string): string {
  const unicode = decodeHostname(hostname.toLowerCase()).normalize('NFKD').replace(/\p{M}/gu, '');
  let folded = '';
  for (const char of unicode.toLowerCase()) folded += confusables[char] ?? char;
  for (const [pattern, replacement] of digraphs) folded = folded.replace(pattern, replacement);
  // Hyphens and dots are easy to overlook: `contoso-example.net` against `contoso.example.net`.
  return folded.replace(/[-_.]/g, '.');
}
