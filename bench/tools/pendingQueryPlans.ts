/**
 * Evidence for the relay's pending-request queries at scale: with 10,000 pending requests (556
 * users) and 20,000 finished ones, time countPending and pendingForUser as
 * server/storage/sqlite/signInTables.ts writes them and with the index hint that fixes them
 * (`+expires_at` keeps SQLite from choosing the (status, expires_at) index, which makes it walk
 * every pending request of every tenant). Prints µs per call and the query plans.
 *   npx tsx bench/tools/pendingQueryPlans.ts
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { openDatabase } from '../../server/storage/sqlite/openDatabase';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-'));
const db = openDatabase(path.join(dir, 'x.sqlite'));
const now = Date.now();
const ins = db.prepare(
  `INSERT INTO sign_in_requests (id, tenant_id, user_id, username, kind, origin, context, number, nonce, collector_hash, collector_key, browser_device_id, status, reason, deliverable, created_at, expires_at, answered_at, answered_by, ip, user_agent) VALUES (?, 't', ?, ?, 'passwordless', 'o', '{}', 42, 'n', 'h', NULL, NULL, ?, NULL, 1, ?, ?, NULL, NULL, NULL, NULL)`,
);
db.transaction(() => {
  for (let i = 0; i < 10000; i++) ins.run(`p${i}`, `u${i % 556}`, `user${i % 556}`, 'pending', now, now + 600000);
  for (let i = 0; i < 20000; i++) ins.run(`d${i}`, `u${i % 556}`, `user${i % 556}`, 'redeemed', now - 1000, now + 600000);
})();
const queries: Record<string, string> = {
  'countPending (as is)': `SELECT count(*) AS n FROM sign_in_requests WHERE tenant_id = ? AND username = ? AND status = 'pending' AND expires_at > ?`,
  'countPending (+expires_at)': `SELECT count(*) AS n FROM sign_in_requests WHERE tenant_id = ? AND username = ? AND status = 'pending' AND +expires_at > ?`,
  'pendingForUser (as is)': `SELECT * FROM sign_in_requests WHERE tenant_id = ? AND user_id = ? AND status = 'pending' AND expires_at > ? AND deliverable = 1 ORDER BY created_at`,
  'pendingForUser (+expires_at)': `SELECT * FROM sign_in_requests WHERE tenant_id = ? AND user_id = ? AND status = 'pending' AND +expires_at > ? AND deliverable = 1 ORDER BY created_at`,
};
for (const [name, sql] of Object.entries(queries)) {
  const stmt = db.prepare(sql);
  const arg = name.startsWith('count') ? 'user7' : 'u7';
  const plan = db
    .prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .all('t', arg, now)
    .map((r: any) => r.detail)
    .join('; ');
  for (let i = 0; i < 50; i++) stmt.all('t', arg, now);
  const t = performance.now();
  for (let i = 0; i < 500; i++) stmt.all('t', arg, now);
  console.log(`${name}: ${(((performance.now() - t) * 1000) / 500).toFixed(1)} µs/call — ${plan}`);
}
db.close();
fs.rmSync(dir, { recursive: true });
