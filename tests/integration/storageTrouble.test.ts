/**
 * Issue 19: a full disk. The relay never reports a save it could not make (the desktop never
 * hears `approved` for an approval that was not stored), answers 503 problem+json with
 * Retry-After, logs the cause once instead of a stack per request, says so on /health/ready, and
 * works again by itself — no restart — when space returns. Started on an unusable data
 * directory, it stops at once with one line naming NOD_DATA_DIR and the cause.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignInRequestState } from '../../shared/schemas/signInRequests';
import { type TestPhone, enrollPhone } from '../helpers/enrollPhone';
import { startRelayProcess } from '../helpers/relayProcess';
import { answer, createRequest, readRequest, watch } from '../helpers/signInFlow';
import { type SmallDisk, createSmallDisk } from '../helpers/smallDisk';
import { type TestRelay, fetchJson, startRelay } from '../helpers/startRelay';
import { freePort } from '../helpers/processes';

const alice = 'alice@contoso.example';

describe('a full disk while the relay runs', () => {
  let disk: SmallDisk;
  let relay: TestRelay;
  let phone: TestPhone;
  let db: Database.Database;
  const logs: Record<string, any>[] = [];
  /** What the relay told the desktops of this request, as it published it. */
  const published: string[] = [];
  let created: Awaited<ReturnType<typeof createRequest>>['body'];
  let details: Awaited<ReturnType<typeof readRequest>>['body'];
  let desktop: Promise<{ states: SignInRequestState[] }>;

  beforeAll(async () => {
    disk = createSmallDisk();
    relay = await startRelay({ dataDir: disk.dir, logLevel: 'info' }, { logStream: { write: (line) => logs.push(JSON.parse(line)) } });
    const contoso = await relay.tenant('contoso');
    await contoso.admin('POST', '/users', { username: alice, displayName: 'Alice' });
    await contoso.admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'all_users', mode: 'any' }] });
    const tap = await contoso.admin('POST', `/users/${alice}/temporary-access-pass`, {});
    phone = await enrollPhone(relay.url, { tenant: 'contoso', username: alice, temporaryAccessPass: tap.body.temporaryAccessPass });
    await phone.call('PUT', `/api/registrations/${phone.account.registrationId}/phone-sign-in`, { enabled: true });
    db = (relay.ctx.storage as unknown as { database: Database.Database }).database;

    created = (await createRequest(relay.url, 'contoso', { username: alice })).body;
    relay.ctx.events.subscribeRequest(created.requestId, (state) => published.push(state.status));
    desktop = watch(relay.url, created.requestId, created.collectorSecret, (s) => s.status === 'approved', { timeoutMs: 120_000 });
    details = (await readRequest(phone, created.requestId)).body;
    disk.fill(db);
  });

  afterAll(async () => {
    await relay?.app.close();
    disk?.dispose();
  });

  it('an approval that could not be saved gets 503 with Retry-After, is never announced, and the request stays pending', async () => {
    const answered = await answer(relay.url, phone, details, 'approve', { typedNumber: created.number });
    expect({ status: answered.status, code: answered.body.code }).toEqual({ status: 503, code: 'storage_unavailable' });
    // The same answer again, for the headers: problem+json and when to come back.
    const again = await fetchJson(`${relay.url}/api/sign-in-requests/${created.requestId}/answer`, { body: answered.sent });
    expect(again.status).toBe(503);
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);

    // Publishing happens before the answer's response: nothing was published, nothing can still arrive.
    expect(published).toEqual([]);
    expect((await relay.ctx.storage.signInRequests.byId(created.requestId))?.status).toBe('pending');
    const seen = await fetchJson(`${relay.url}/api/sign-in-requests/${created.requestId}`, {
      headers: { authorization: `Bearer ${created.collectorSecret}` },
    });
    expect(seen.body.status).toBe('pending');
    const redeemed = await fetchJson(`${relay.url}/api/sign-in-requests/${created.requestId}/redeem`, {
      method: 'POST',
      headers: { authorization: `Bearer ${created.collectorSecret}` },
    });
    expect(redeemed.body.code).toBe('not_approved');
  });

  it('a new sign-in gets 503 too; /health/ready says 503 with Retry-After; /health/live and /health still answer 200', async () => {
    const another = await createRequest(relay.url, 'contoso', { username: alice });
    expect({ status: another.status, code: another.body.code }).toEqual({ status: 503, code: 'storage_unavailable' });
    const ready = await fetchJson(`${relay.url}/health/ready`);
    expect({ status: ready.status, code: ready.body.code }).toEqual({ status: 503, code: 'storage_unavailable' });
    expect(Number(ready.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetchJson(`${relay.url}/health/live`)).body).toEqual({ status: 'ok' });
    expect((await fetchJson(`${relay.url}/health`)).body).toEqual({ status: 'ok' });
  });

  it('the log has one line naming the cause, not a stack per failed request', async () => {
    for (let i = 0; i < 5; i++) expect((await createRequest(relay.url, 'contoso', { username: alice })).status).toBe(503);
    const trouble = logs.filter((line) => /storage/.test(String(line.msg)));
    expect(trouble.map((line) => ({ level: line.level, msg: line.msg, code: line.storage?.code }))).toEqual([
      {
        level: 50,
        msg: expect.stringMatching(/^storage unavailable: no space left for the data \(SQLITE_FULL\)/),
        code: 'SQLITE_FULL',
      },
    ]);
    expect(logs.filter((line) => line.err || line.level >= 50).length).toBe(1);
  });

  it('when space returns the same relay saves again by itself: the phone approves and the desktop hears approved', async () => {
    disk.free();
    const answered = await answer(relay.url, phone, details, 'approve', { typedNumber: created.number });
    expect(answered.body).toEqual({ requestId: created.requestId, status: 'approved' });
    const heard = await desktop;
    expect(heard.states.map((s) => s.status)).toEqual(['pending', 'approved']);
    expect(published).toEqual(['approved']);
    // Readiness follows (each answer is reused for a second: wait for the next one).
    let ready = await fetchJson(`${relay.url}/health/ready`);
    for (let tries = 0; ready.status !== 200 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ready = await fetchJson(`${relay.url}/health/ready`);
    }
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready' } });
    expect(logs.some((line) => /^storage works again/.test(String(line.msg)))).toBe(true);
    expect((await createRequest(relay.url, 'contoso', { username: alice })).status).toBe(201);
  });
});

describe('starting on an unusable data directory', () => {
  const made: string[] = [];
  const disks: SmallDisk[] = [];
  afterAll(() => {
    for (const disk of disks) disk.dispose();
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Start server/main.ts on `dataDir`; what it printed and how it ended. */
  async function start(dataDir: string) {
    const relay = startRelayProcess({ NOD_DATA_DIR: dataDir, NOD_PORT: String(await freePort()), NOD_LOG_LEVEL: 'warn' });
    const ended = await relay.exited;
    return { code: ended.code, lines: relay.output().stderr.split('\n').filter(Boolean), stdout: relay.output().stdout };
  }

  /** A data directory a relay has used, then stopped. */
  async function usedDataDir(dir: string): Promise<void> {
    const relay = await startRelay({ dataDir: dir });
    await relay.app.close();
  }

  it('exits 2 with one line naming NOD_DATA_DIR and the cause', { timeout: 180_000 }, async () => {
    const cases: { name: string; dataDir: string; cause: RegExp }[] = [];
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-unusable-'));
    made.push(parent);
    fs.writeFileSync(path.join(parent, 'a-file'), '');
    cases.push({ name: 'a file where a directory should be', dataDir: path.join(parent, 'a-file', 'data'), cause: /\(ENOTDIR\)$/ });

    const full = createSmallDisk();
    disks.push(full);
    if (full.real) {
      // A relay's data on a disk that filled up while it was stopped.
      await usedDataDir(full.dir);
      const db = new (await import('better-sqlite3')).default(path.join(full.dir, 'nod.sqlite'));
      full.fill(db);
      db.close();
      cases.push({ name: 'a full disk', dataDir: full.dir, cause: /\((SQLITE_FULL|ENOSPC)\)$/ });

      const readOnly = createSmallDisk();
      disks.push(readOnly);
      await usedDataDir(readOnly.dir);
      readOnly.remountReadOnly();
      cases.push({ name: 'a read-only file system', dataDir: readOnly.dir, cause: /\((EROFS|SQLITE_READONLY\w*|SQLITE_CANTOPEN)\)$/ });
    }

    for (const { name, dataDir, cause } of cases) {
      const result = await start(dataDir);
      expect({ name, code: result.code, lines: result.lines }).toEqual({
        name,
        code: 2,
        lines: [expect.stringMatching(new RegExp(`^nod: NOD_DATA_DIR: ${escapeRegExp(dataDir)} cannot be used: .*${cause.source}`))],
      });
      expect(result.stdout).toBe('');
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
