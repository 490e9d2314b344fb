import { describe, expect, it } from 'vitest';
import { newId } from '../../server/ids';

describe('newId', () => {
  it('gives 128-bit base64url ids, each one new, across refills of its pool of random bytes', () => {
    const ids = Array.from({ length: 10_000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('gives the size asked for, small or large', () => {
    expect(newId(32)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newId(100)).toMatch(/^[A-Za-z0-9_-]{134}$/);
  });
});
