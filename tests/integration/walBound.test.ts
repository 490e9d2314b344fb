/**
 * The write-ahead log stays bounded under sustained writes (issue 19: it grew to gigabytes while
 * the relay ran) — with other connections reading at the same time, as an admin command or a
 * backup does — and a log blown up by a reader that held its snapshot for long shrinks again.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../server/storage/Storage';
import type { SignInRequest } from '../../server/storage/model';
import { createSqliteStorage } from '../../server/storage/sqlite/createSqliteStorage';
import { journalSizeLimitBytes, walAutocheckpointPages } from '../../server/storage/sqlite/openDatabase';

const MB = 1024 * 1024;
/** The bound this test holds the log to (the target). */
const WAL_BOUND = 64 * MB;
/** Sign-ins' worth of writes in the sustained phase: without checkpoints that complete, well over 64 MB of log. */
const SIGN_INS = 1500;

/**
 * A reader on its own connection in its own thread: it opens a read transaction, reads, keeps the
 * snapshot for `holdMs`, ends it, rests `restMs`, and again. `hold` without end: until told.
 */
const readerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { readonly: true });
const pause = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms) => Atomics.wait(pause, 0, 0, ms);
let mode = { holdMs: 5, restMs: 5 };
let reads = 0;
parentPort.on('message', (message) => { mode = message; });
const begin = db.prepare('BEGIN');
const read = db.prepare('SELECT count(*) AS n FROM sign_in_requests');
const end = db.prepare('COMMIT');
function cycle() {
  if (mode.stop) { db.close(); parentPort.postMessage({ reads }); return; }
  begin.run();
  read.get();
  reads++;
  if (mode.holdUntilTold) {
    parentPort.postMessage({ holding: true });
    // Keep the snapshot across event-loop turns, so messages still arrive.
    const wait = () => (mode.holdUntilTold ? setTimeout(wait, 5) : (end.run(), setImmediate(cycle)));
    return wait();
  }
  sleep(mode.holdMs);
  end.run();
  sleep(mode.restMs);
  setImmediate(cycle);
}
cycle();
`;

describe('a bounded write-ahead log', () => {
  let dir: string;
  let storage: Storage & { database: import('better-sqlite3').Database };
  let walFile: string;
  let reader: Worker;
  const walSize = () => (fs.existsSync(walFile) ? fs.statSync(walFile).size : 0);
  /** The WAL header's checkpoint sequence number: SQLite adds one each time the log starts over. */
  const walRestarts = () => {
    const header = Buffer.alloc(16);
    const fd = fs.openSync(walFile, 'r');
    try {
      fs.readSync(fd, header, 0, 16, 0);
    } finally {
      fs.closeSync(fd);
    }
    return header.readUInt32BE(12);
  };
  let n = 0;

  /** One sign-in's writes, as the relay makes them: request, answer, grant, redeem, audit. */
  async function signIn(): Promise<void> {
    const i = n++;
    const now = Date.now();
    const request: SignInRequest = {
      id: `req-${i}`,
      tenantId: 'tenant-1',
      userId: `user-${i % 64}`,
      username: `user${i % 64}@contoso.example`,
      kind: 'passwordless',
      origin: 'https://portal.contoso.example',
      context: { applicationName: 'Contoso Portal', browser: 'Chrome on Linux', origin: 'https://portal.contoso.example' } as never,
      number: 42,
      nonce: `nonce-${i}`.padEnd(43, 'x'),
      collectorHash: `collector-${i}`.padEnd(43, 'x'),
      collectorKey: `desktop-${i % 64}`,
      browserDeviceId: null,
      status: 'pending',
      reason: null,
      deliverable: true,
      collectorKnown: false,
      createdAt: now,
      expiresAt: now + 120_000,
      answeredAt: null,
      answeredBy: null,
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36',
    };
    await storage.signInRequests.create(request);
    await storage.signInRequests.transition(request.id, 'pending', { status: 'approved', reason: null, answeredAt: now }, now);
    await storage.grants.create({
      id: `grant-${i}`,
      secretHash: `grant-secret-${i}`.padEnd(43, 'x'),
      tenantId: 'tenant-1',
      userId: request.userId!,
      requestId: request.id,
      method: 'phone_sign_in',
      amr: ['pop', 'user', 'mfa'],
      createdAt: now,
      expiresAt: now + 60_000,
      usedAt: null,
    });
    await storage.signInRequests.transition(request.id, 'approved', { status: 'redeemed', reason: null }, now);
    await storage.grants.take(`grant-secret-${i}`.padEnd(43, 'x'), now);
    for (const [type, outcome] of [
      ['sign_in_request.created', 'pending'],
      ['sign_in_request.answered', 'approved'],
      ['sign_in_request.redeemed', 'redeemed'],
    ]) {
      await storage.audit.append({
        id: `audit-${i}-${type}`,
        tenantId: 'tenant-1',
        at: now,
        type,
        outcome,
        reason: null,
        userId: request.userId,
        username: request.username,
        deviceId: 'device-1',
        method: 'phone_sign_in',
        origin: request.origin,
        ip: request.ip,
        userAgent: request.userAgent,
        location: null,
        detail: { requestId: request.id },
      });
    }
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-wal-'));
    storage = createSqliteStorage(dir);
    walFile = path.join(dir, 'nod.sqlite-wal');
    await storage.tenants.create({ id: 'tenant-1', name: 'contoso', displayName: 'Contoso', signInOrigins: [], createdAt: Date.now() });
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    reader = new Worker(readerSource, { eval: true, workerData: { module, file: path.join(dir, 'nod.sqlite') } });
  });

  afterAll(async () => {
    reader?.postMessage({ stop: true });
    await reader?.terminate();
    await storage?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`stays under ${WAL_BOUND / MB} MB through ${SIGN_INS} sign-ins' writes while another connection reads, and is cut back after`, async () => {
    let peak = 0;
    const restartsBefore = walRestarts();
    for (let i = 0; i < SIGN_INS; i++) {
      await signIn();
      if (i % 10 === 0) peak = Math.max(peak, walSize());
    }
    peak = Math.max(peak, walSize());
    expect(peak).toBeLessThan(WAL_BOUND);
    // The load was big enough to matter: the log started over again and again, each time after
    // at least a checkpoint's worth of pages, more in all than the bound.
    const restarts = walRestarts() - restartsBefore;
    expect(restarts * walAutocheckpointPages * 4096).toBeGreaterThan(WAL_BOUND);
    // Steady state: the log restarts instead of growing, so it ends near the checkpoint size.
    expect(walSize()).toBeLessThanOrEqual(journalSizeLimitBytes);
  });

  it('a reader that holds one snapshot lets the log grow; once it lets go the log is cut back to the limit', async () => {
    const holding = new Promise((resolve) => reader.once('message', resolve));
    reader.postMessage({ holdUntilTold: true });
    await holding;
    // No checkpoint can pass the reader's snapshot: the log grows past the limit.
    let grown = 0;
    while (walSize() <= journalSizeLimitBytes + 4 * MB && grown < 20_000) {
      await signIn();
      grown++;
    }
    const blown = walSize();
    expect(blown).toBeGreaterThan(journalSizeLimitBytes);

    reader.postMessage({ holdMs: 5, restMs: 5 });
    // Writes go on as before; within a bounded number of them a checkpoint completes, the log
    // starts over and the file is truncated to the limit.
    let after = 0;
    while (walSize() > journalSizeLimitBytes && after < 5000) {
      await signIn();
      after++;
    }
    expect({ blown: blown > journalSizeLimitBytes, now: walSize() <= journalSizeLimitBytes }).toEqual({ blown: true, now: true });
  });
});
