import type Database from 'better-sqlite3';

type Row = Record<string, unknown>;

/**
 * The row a single-winner `UPDATE … RETURNING` or `DELETE … RETURNING` changed, or undefined when
 * it changed none. The statement runs to its end (`all()`, never `get()`): better-sqlite3's
 * `get()` returns the first row and ignores the error of finishing the statement, which is where
 * an autocommit write fails on a full or read-only disk, so it would hand back a row that was
 * rolled back. Here that error throws, and the rows returned are the statement's change count.
 */
export function changedRow(statement: Database.Statement, ...params: unknown[]): Row | undefined {
  const rows = statement.all(...params) as Row[];
  if (rows.length > 1) throw new Error(`a single-winner write changed ${rows.length} rows: ${statement.source}`);
  return rows[0];
}
