/**
 * One CSV cell, safe to open in a spreadsheet: a value that starts with `=`, `+`, `-`, `@`, a tab
 * or a carriage return is a formula there (CSV injection, OWASP), so it gets a leading `'`; then
 * quoted when it holds a quote, a comma or a line break.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as CSV (RFC 4180: CRLF line ends), a header of the column names first. */
export function toCsv<T extends Record<string, unknown>>(columns: readonly (keyof T & string)[], rows: T[]): string {
  return `${[columns.join(','), ...rows.map((row) => columns.map((c) => csvCell(row[c])).join(','))].join('\r\n')}\r\n`;
}
