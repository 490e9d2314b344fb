/** The one table `npm run bench` prints, and the same figures as JSON. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Spread, spread } from './stats';

export interface Figure {
  /** e.g. "1", "2", "5". */
  figure: string;
  name: string;
  unit: string;
  value?: Spread;
  /** e.g. ">= 0.5" — the figure passes when `met` is true. */
  target?: string;
  met?: boolean;
  /** Why there is no value (e.g. "not built"). */
  skipped?: string;
}

export class Report {
  readonly figures: Figure[] = [];
  readonly notes: string[] = [];
  readonly details: Record<string, unknown> = {};

  add(figure: string, name: string, unit: string, runs: number[], target?: { text: string; test: (median: number) => boolean }): Figure {
    const value = spread(runs);
    const entry: Figure = { figure, name, unit, value };
    if (target) {
      entry.target = target.text;
      entry.met = Number.isFinite(value.median) ? target.test(value.median) : false;
    }
    this.figures.push(entry);
    return entry;
  }

  skip(figure: string, name: string, reason: string, target?: string): void {
    this.figures.push({ figure, name, unit: '', skipped: reason, target });
  }

  note(line: string): void {
    this.notes.push(line);
  }

  table(): string {
    const rows: string[][] = [['#', 'figure', 'unit', 'min', 'median', 'max', 'target', '']];
    for (const f of this.figures) {
      if (f.skipped) {
        rows.push([f.figure, f.name, '', '—', f.skipped, '—', f.target ?? '', 'skipped']);
        continue;
      }
      const v = f.value!;
      rows.push([
        f.figure,
        f.name,
        f.unit,
        fmt(v.min),
        fmt(v.median),
        fmt(v.max),
        f.target ?? '',
        f.met === undefined ? '' : f.met ? 'met' : 'MISSED',
      ]);
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    const line = (r: string[]) =>
      r
        .map((cell, c) => (c >= 3 && c <= 5 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
        .join('  ')
        .trimEnd();
    const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
    if (this.notes.length) out.push('', 'Notes:', ...this.notes.map((n) => `- ${n}`));
    return out.join('\n');
  }

  write(file: string, meta: Record<string, unknown>): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const json = {
      generatedAt: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model,
        node: process.version,
        loadavg: os.loadavg(),
        totalMemory: os.totalmem(),
      },
      ...meta,
      figures: this.figures,
      notes: this.notes,
      details: this.details,
    };
    fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  }
}

export function fmt(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 10) return value.toFixed(2);
  return value.toFixed(3);
}
