import { describe, expect, it } from 'vitest';
import { displayText } from '../../shared/displayText';

describe('text the phone shows', () => {
  it('drops control and bidirectional characters, so it reads the way it is stored', () => {
    // U+202E (right-to-left override) would show "Portal" reversed; U+2066…U+2069 isolate; U+0007 and newlines break lines.
    expect(displayText('Contoso \u202elatroP')).toBe('Contoso latroP');
    expect(displayText('Pay\u2066roll\u2069 \u200f\u200e\u061c')).toBe('Pay roll');
    expect(displayText('line one\nline two\r\n\u2028three\u0007\u0085')).toBe('line one line two three');
  });

  it('keeps letters of every script and emoji, and cuts long text with an ellipsis', () => {
    expect(displayText('Zürich 🇨🇭 — 東京')).toBe('Zürich 🇨🇭 — 東京');
    expect(displayText('a'.repeat(120), 10)).toBe(`${'a'.repeat(9)}…`);
    expect(Array.from(displayText('🙂'.repeat(20), 5))).toHaveLength(5);
  });
});
