/**
 * The benchmarks at a tiny size (`npm run bench -- --quick`), so they cannot rot: every figure
 * comes out as a number, or — only for the client figures — as a skip that says why (e.g. the
 * extension or the PWA is not built). The relay figures and the client figures run as two
 * processes side by side to stay quick.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-bench-smoke-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

interface Figure {
  figure: string;
  name: string;
  value?: { min: number; median: number; max: number; runs: number[] };
  skipped?: string;
  target?: string;
  met?: boolean;
}

async function bench(only: string): Promise<{ table: string; figures: Figure[] }> {
  const out = path.join(temp, `${only.replace(/,/g, '-')}.json`);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--only', only, '--out', out], {
    cwd: repo,
    // A bound, not a measure: about 25 s on a quiet machine, much more beside the rest of the suite.
    timeout: 170_000,
    maxBuffer: 10 * 1024 * 1024,
  });
  return { table: stdout, figures: JSON.parse(fs.readFileSync(out, 'utf8')).figures };
}

it('npm run bench -- --quick produces every figure', { timeout: 180_000 }, async () => {
  const [relay, clients] = await Promise.all([bench('signin,latency,push'), bench('clients')]);

  const numbers = (figures: Figure[]) => figures.filter((f) => !f.skipped);
  for (const f of numbers(relay.figures)) {
    expect(Number.isFinite(f.value?.median), `${f.figure} ${f.name}`).toBe(true);
  }
  expect(relay.figures.filter((f) => f.skipped)).toEqual([]);
  const names = relay.figures.map((f) => `${f.figure} ${f.name}`).join('\n');
  for (const wanted of [
    '1 crypto floor',
    '1 throughput c=4 ÷ floor',
    '2 approval p99 ÷ loopback p99',
    '3 relay RSS per waiting sign-in',
    '4 Nod ÷ web-push',
    '1 delivery c=4: create → receipt p99 ÷ loopback round trip p99',
    '1 delivery c=4: share of requests acknowledged within 1 s',
  ]) {
    expect(names).toContain(wanted);
  }
  // Rates are positive. (Which is faster is a figure, not a test: on a loaded machine a tiny
  // run's wall-clock rates say little.)
  const floor = relay.figures.find((f) => f.name.startsWith('crypto floor'))!;
  const c1 = relay.figures.find((f) => f.name === 'sign-in throughput, concurrency 1')!;
  expect(c1.value!.median).toBeGreaterThan(0);
  expect(floor.value!.median).toBeGreaterThan(0);

  // Client figures: a number, or a reason (not built, did not run).
  expect(clients.figures.length).toBeGreaterThanOrEqual(6);
  for (const f of clients.figures) {
    if (f.skipped) expect(f.skipped, `${f.name}`).toMatch(/\w/);
    else expect(Number.isFinite(f.value?.median), `${f.name}`).toBe(true);
  }
  expect(relay.table).toContain('median');
  expect(clients.table).toContain('PWA');
});
