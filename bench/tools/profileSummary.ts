/**
 * Summarise a V8 .cpuprofile (from `npm run bench -- --profile`): self time by function and by
 * package, and inclusive time of chosen functions.
 *   npx tsx bench/tools/profileSummary.ts FILE.cpuprofile [--top 30] [--inclusive name1,name2] [--categories]
 * --categories: shares of the time by kind of work (see bench/lib/profile.ts).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { categorize, loadProfile } from '../lib/profile';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, inclusive: { type: 'string' }, categories: { type: 'boolean', default: false } },
});

for (const file of positionals) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    nodes: Node[];
    samples: number[];
    timeDeltas: number[];
    startTime: number;
    endTime: number;
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);
  const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const bucket = (n: Node) => {
    const url = n.callFrame.url;
    if (!url) return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native)';
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (pkg) return pkg[1];
    if (url.startsWith('node:'))
      return url
        .replace(/^node:internal\//, 'node:')
        .split('/')
        .slice(0, 2)
        .join('/');
    const ours = /\/(server|shared|bench|tests)\/(.*)$/.exec(url);
    return ours ? `${ours[1]}/${ours[2]}` : url;
  };
  const bySelf = new Map<string, number>();
  const byBucket = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const n = byId.get(id)!;
    bySelf.set(label(n), (bySelf.get(label(n)) ?? 0) + micros);
    byBucket.set(bucket(n), (byBucket.get(bucket(n)) ?? 0) + micros);
  }
  const top = Number(values.top);
  const pct = (m: number) => `${((100 * m) / total).toFixed(1).padStart(5)}%`;
  console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
  console.log('\nself time by package / file:');
  for (const [k, v] of [...byBucket].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
  console.log('\nself time by function:');
  for (const [k, v] of [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
  if (values.categories) {
    console.log('\nby category (first match from the sampled frame up):');
    for (const [k, v] of Object.entries(categorize(loadProfile(file)))) console.log(`${pct(v * total)}  ${k}`);
  }
  if (values.inclusive) {
    console.log('\ninclusive time:');
    for (const name of values.inclusive.split(',')) {
      let micros = 0;
      for (const [id, m] of selfMicros) {
        for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
          const n = byId.get(cur)!;
          if (n.callFrame.functionName === name || label(n).includes(name)) {
            micros += m;
            break;
          }
        }
      }
      console.log(`${pct(micros)}  ${name}`);
    }
  }
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\/.*?\/(node_modules|server|shared|bench|tests)\//, '$1/');
}
