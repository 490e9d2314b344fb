/**
 * Compare two V8 heap snapshots: retained-by-nobody accounting is not attempted, only self sizes
 * by node type and constructor name, and the difference divided by a count (e.g. the number of
 * waiting sign-ins between the two snapshots).
 *   npx tsx bench/tools/heapDiff.ts BEFORE.heapsnapshot AFTER.heapsnapshot [--per 1000] [--top 30]
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { per: { type: 'string', default: '1' }, top: { type: 'string', default: '30' } },
});

function summarise(file: string): Map<string, { count: number; bytes: number }> {
  const snapshot = JSON.parse(fs.readFileSync(file, 'utf8'));
  const fields: string[] = snapshot.snapshot.meta.node_fields;
  const types: string[] = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const nodes: number[] = snapshot.nodes;
  const strings: string[] = snapshot.strings;
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]];
    let name = strings[nodes[i + nameAt]];
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '(strings)';
    else if (type === 'code') name = '(code)';
    else if (type === 'array') name = `(array) ${name.slice(0, 40)}`;
    else if (type === 'hidden' || type === 'native') name = `(${type}) ${name.slice(0, 60)}`;
    else name = `${type === 'object' ? '' : `(${type}) `}${name.slice(0, 60)}`;
    const entry = out.get(name) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += nodes[i + sizeAt];
    out.set(name, entry);
  }
  return out;
}

const [beforeFile, afterFile] = positionals;
const before = summarise(beforeFile);
const after = summarise(afterFile);
const per = Number(values.per);
const rows: [string, number, number][] = [];
let total = 0;
for (const [name, a] of after) {
  const b = before.get(name) ?? { count: 0, bytes: 0 };
  rows.push([name, (a.count - b.count) / per, (a.bytes - b.bytes) / per]);
  total += a.bytes - b.bytes;
}
for (const [name, b] of before) if (!after.has(name)) rows.push([name, -b.count / per, -b.bytes / per]);
console.log(`self size difference: ${(total / per).toFixed(0)} bytes per unit (per = ${per})`);
for (const [name, count, bytes] of rows.sort((x, y) => y[2] - x[2]).slice(0, Number(values.top))) {
  console.log(`${bytes.toFixed(0).padStart(7)} B  ${count.toFixed(2).padStart(7)} objects  ${name}`);
}
