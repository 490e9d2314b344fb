/**
 * Control characters (C0, DEL, C1), line and paragraph separators, and the Unicode bidirectional
 * controls (LRM, RLM, ALM, LRE…RLO, LRI…PDI): what lets a text break a line, hide itself, or show its
 * characters in another order than they are stored (Trojan Source, CVE-2021-42574).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const unsafe = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/g;

/**
 * A text as the phone (or any screen) may show it: no control or bidirectional characters, runs of
 * white space as one space, trimmed, at most `max` characters (cut with an ellipsis). What a person
 * reads next to "Approve" must read the way it is stored.
 */
export function displayText(text: string, max = 100): string {
  const plain = text.replace(unsafe, ' ').replace(/\s+/g, ' ').trim();
  const chars = Array.from(plain);
  return chars.length <= max ? plain : `${chars.slice(0, max - 1).join('')}…`;
}
