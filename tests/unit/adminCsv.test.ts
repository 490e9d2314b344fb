import { describe, expect, it } from 'vitest';
import { bucketSignIns } from '../../admin/src/pages/SignInChart';
import { csvCell, toCsv } from '../../server/admin/csv';
import type { AuditEventView } from '../../shared/schemas/directory';

describe('the sign-in log export as CSV', () => {
  it('defuses cells a spreadsheet would run as a formula, and quotes what needs it', () => {
    expect(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'].map(csvCell)).toEqual(["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", `"'\rx"`]);
    expect(csvCell('=HYPERLINK("http://evil.example")')).toBe(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('plain text')).toBe('plain text');
    expect(csvCell(null)).toBe('');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });

  it('writes a header and CRLF rows', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          { a: 'x', b: null },
          { a: '-2', b: 'y' },
        ],
      ),
    ).toBe("a,b\r\nx,\r\n'-2,y\r\n");
  });
});

describe('the sign-in chart', () => {
  const event = (at: string, outcome: string) => ({ id: at, at, outcome }) as AuditEventView;

  it('counts successes and failures per hour over at least a day, empty hours included', () => {
    const { buckets, size } = bucketSignIns([
      event('2026-12-02T13:05:00Z', 'success'),
      event('2026-12-02T11:59:00Z', 'denied'),
      event('2026-12-02T11:00:00Z', 'success'),
    ]);
    expect(size).toBe(3_600_000);
    expect(buckets).toHaveLength(24);
    expect(buckets.slice(-3).map((b) => [new Date(b.start).toISOString(), b.successes, b.failures])).toEqual([
      ['2026-12-02T11:00:00.000Z', 1, 1],
      ['2026-12-02T12:00:00.000Z', 0, 0],
      ['2026-12-02T13:00:00.000Z', 1, 0],
    ]);
  });

  it('counts per day over more than two days, at most 48 slices back from the newest', () => {
    const { buckets, size } = bucketSignIns([event('2026-12-02T10:00:00Z', 'success'), event('2026-09-01T10:00:00Z', 'failure')]);
    expect(size).toBe(86_400_000);
    expect(buckets).toHaveLength(48);
    expect(buckets.at(-1)).toMatchObject({ successes: 1, failures: 0 });
    expect(buckets.reduce((n, b) => n + b.failures, 0)).toBe(0);
  });
});
