/**
 * One vocabulary (docs/VOCABULARY.md): what people read in the phone app, the hosted pages, the
 * extension, the admin center and the CLI never uses a wrong spelling the word list names.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** The table's rows: the word to say, and the quoted wrong spellings of its last column. */
function wordList(): Array<{ say: string; not: string[] }> {
  const text = fs.readFileSync(path.join(root, 'docs/VOCABULARY.md'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*(Say|---)/.test(line))
    .map((line) => {
      const cells = line.split('|').map((cell) => cell.trim());
      return { say: cells[1], not: [...cells[3].matchAll(/"([^"]+)"/g)].map((match) => match[1]) };
    });
}

/** Source files people's words live in (no builds, no dependencies). */
function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      if (['node_modules', 'dist', '.output', '.wxt', 'public'].includes(entry.name)) continue;
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(tsx?|mjs|html)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) found.push(full);
    }
  };
  walk(path.join(root, dir));
  return found;
}

/** The lines of a file that are not comments, with their numbers (comments are for engineers). */
function wordsOf(file: string): Array<{ line: number; text: string }> {
  let inBlock = false;
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((raw, index) => {
      let text = raw.replace(/\{\/\*.*?\*\/\}/g, '');
      if (inBlock) {
        const end = text.indexOf('*/');
        if (end < 0) return [];
        inBlock = false;
        text = text.slice(end + 2);
      }
      const trimmed = text.trim();
      if (trimmed.startsWith('//')) return [];
      const start = text.indexOf('/*');
      if (start >= 0 && !text.slice(0, start).includes("'") && !text.slice(0, start).includes('"')) {
        const end = text.indexOf('*/', start + 2);
        if (end < 0) inBlock = true;
        text = text.slice(0, start) + (end < 0 ? '' : text.slice(end + 2));
      }
      if (trimmed.startsWith('*')) return [];
      return [{ line: index + 1, text }];
    });
}

describe('one vocabulary (docs/VOCABULARY.md)', () => {
  const words = wordList();

  it('the word list has the seed’s words, each with its wrong spellings', () => {
    const said = words.map((w) => w.say);
    for (const word of ['Approve sign-in request', 'Authenticator app', 'Other ways to sign in', 'Organization', 'Send another request']) {
      expect(said).toContain(word);
    }
    for (const word of words) expect(word.not.length, word.say).toBeGreaterThan(0);
    expect(words.find((w) => w.say === 'Approve sign-in request')?.not).toEqual(['Approve sign in request', 'Approve sign-in?']);
  });

  it.each(['hosted', 'server/cli', 'admin/src', 'pwa', 'extension'])('%s says no wrong spelling', (dir) => {
    const wrong: string[] = [];
    for (const file of sourceFiles(dir)) {
      for (const { line, text } of wordsOf(file)) {
        for (const word of words) {
          for (const spelling of word.not) {
            if (text.includes(spelling)) wrong.push(`${path.relative(root, file)}:${line}: "${spelling}" (say "${word.say}")`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
