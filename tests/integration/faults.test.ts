/**
 * Faults: the relay as an operator runs it (server/main.ts in its own process, on a data
 * directory) is killed with SIGKILL at random moments while phones and desktops sign in, and
 * started again on the same directory, a handful of times. Afterwards: the SQLite file passes
 * its integrity check after every restart, every approval a client saw (the desktop heard it,
 * the phone was told, or the desktop redeemed it) is stored and in the audit log, no request is
 * left pending past its expiry, and every phone signs in.
 */
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestLifetime } from '../../shared/constants';
import { type TestPhone, enrollPhone } from '../helpers/enrollPhone';
import { type RelayProcess, startRelayProcess } from '../helpers/relayProcess';
import { answer, createRequest, readRequest, watch } from '../helpers/signInFlow';
import { looseLimits } from '../helpers/signInWorld';
import { fetchJson, startRelay } from '../helpers/startRelay';

const KILLS = 5;
const PHONES = 3;
/** 10 sign-ins a second per phone at most: 30 s of loops stay well inside looseLimits.pushesPerUser (1,000). */
const SIGN_IN_PACE_MS = 100;
const users = Array.from({ length: PHONES }, (_, i) => `user${i}@contoso.example`);

describe('SIGKILL during sign-ins, restart on the same data directory', { timeout: 240_000 }, () => {
  let dataDir: string;
  let port: number;
  let relay: RelayProcess | undefined;
  const phones: TestPhone[] = [];
  const url = () => `http://localhost:${port}`;

  /** What the clients saw. */
  const created = new Set<string>();
  const heardApproved = new Set<string>();
  const phoneApproved = new Set<string>();
  const redeemed = new Set<string>();
  const abandoned: { requestId: string; collectorSecret: string; expiresAt: number }[] = [];
  const integrity: string[] = [];
  let restarts = 0;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-faults-'));
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    // The tenant and the phones, made through the API of a relay on the same directory and port.
    const setup = await startRelay({ dataDir, port });
    const contoso = await setup.tenant('contoso');
    await contoso.admin('PUT', '/policy', {
      enabled: true,
      includeTargets: [{ kind: 'all_users', mode: 'any' }],
      // Kills leave requests unanswered; the abuse limits would rightly back off after a few of those.
      limits: { ...looseLimits, requestLifetimeSeconds: requestLifetime.minSeconds },
    });
    for (const username of users) {
      await contoso.admin('POST', '/users', { username, displayName: username });
      const tap = await contoso.admin('POST', `/users/${username}/temporary-access-pass`, {});
      const phone = await enrollPhone(setup.url, { tenant: 'contoso', username, temporaryAccessPass: tap.body.temporaryAccessPass });
      await phone.call('PUT', `/api/registrations/${phone.account.registrationId}/phone-sign-in`, { enabled: true });
      phones.push(phone);
    }
    await setup.app.close();
  });

  afterAll(async () => {
    if (relay && relay.child.exitCode === null) {
      relay.child.kill('SIGKILL');
      await relay.exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<void> {
    relay = startRelayProcess({
      NOD_DATA_DIR: dataDir,
      NOD_PORT: String(port),
      NOD_PUBLIC_URL: `http://localhost:${port}`,
      NOD_RP_ID: 'localhost',
      NOD_LOG_LEVEL: 'error',
    });
    await relay.ready();
    // The relay has opened the file (and recovered its log): check it from beside it.
    const db = new Database(path.join(dataDir, 'nod.sqlite'), { readonly: true });
    try {
      integrity.push(String(db.pragma('integrity_check', { simple: true })));
    } finally {
      db.close();
    }
  }

  /** One full sign-in; network errors (the relay was killed) end it early, whatever was seen is recorded. */
  async function signIn(worker: number): Promise<boolean> {
    const phone = phones[worker];
    const made = await createRequest(url(), 'contoso', { username: users[worker] }, { 'nod-collector-key': `desktop-${worker}` });
    if (made.status !== 201) return false;
    const { requestId, collectorSecret, number } = made.body;
    created.add(requestId);
    const heard = watch(url(), requestId, collectorSecret, (s) => s.status !== 'pending', {
      timeoutMs: 20_000,
      onState: (state) => {
        if (state.status === 'approved') heardApproved.add(requestId);
      },
    }).catch(() => undefined);
    // Cut short by a kill, the stream ends with its connection; it is not waited for then.
    const details = await readRequest(phone, requestId);
    if (details.status !== 200) return false;
    const answered = await answer(url(), phone, details.body, 'approve', { typedNumber: number });
    if (answered.status !== 200 || answered.body.status !== 'approved') return false;
    phoneApproved.add(requestId);
    await heard;
    const grant = await fetchJson(`${url()}/api/sign-in-requests/${requestId}/redeem`, {
      method: 'POST',
      headers: { authorization: `Bearer ${collectorSecret}` },
    });
    if (grant.status !== 200) return false;
    redeemed.add(requestId);
    return true;
  }

  it(`${KILLS} kills at random moments under ${PHONES} sign-in loops, restarts on the same data`, async () => {
    await start();
    // Requests nobody answers: they must end as expired, even across the kills.
    for (const [i, username] of users.entries()) {
      const made = (await createRequest(url(), 'contoso', { username }, { 'nod-collector-key': `abandoned-${i}` })).body;
      abandoned.push({ requestId: made.requestId, collectorSecret: made.collectorSecret, expiresAt: Date.parse(made.expiresAt) });
    }
    let up = true;
    let upAgain: Promise<void> = Promise.resolve();
    let done = false;
    const workers = phones.map(async (_, worker) => {
      while (!done) {
        if (!up) await upAgain;
        // Paced to at most one sign-in per SIGN_IN_PACE_MS per phone: the loops run until the abandoned
        // requests expire, and unpaced a fast relay lets them spend the user's whole push budget
        // (pushesPerUser in a window), after which every sign-in is rightly told cool_down.
        const paced = new Promise((resolve) => setTimeout(resolve, SIGN_IN_PACE_MS));
        await signIn(worker).catch(() => false);
        await paced;
      }
    });
    for (let kill = 0; kill < KILLS; kill++) {
      // A random moment while sign-ins run.
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 2000));
      up = false;
      let restarted!: () => void;
      upAgain = new Promise((resolve) => {
        restarted = resolve;
      });
      relay!.child.kill('SIGKILL');
      expect((await relay!.exited).signal).toBe('SIGKILL');
      await start();
      restarts++;
      up = true;
      restarted();
    }
    // Until the abandoned requests are past their expiry, the loops go on against the last relay.
    const expiry = Math.max(...abandoned.map((a) => a.expiresAt));
    while (Date.now() <= expiry) await new Promise((resolve) => setTimeout(resolve, 250));
    done = true;
    await Promise.all(workers);

    expect(restarts).toBe(KILLS);
    expect(integrity).toEqual(Array(KILLS + 1).fill('ok'));
    expect(redeemed.size).toBeGreaterThan(0);
    expect(created.size).toBeGreaterThan(redeemed.size);
  });

  it('every approval a client saw is stored and in the audit log, whatever moment the kill came', async () => {
    const db = new Database(path.join(dataDir, 'nod.sqlite'), { readonly: true });
    try {
      const status = db.prepare('SELECT status FROM sign_in_requests WHERE id = ?').pluck();
      // Saved with its audit record, in one transaction, before it was announced.
      for (const id of heardApproved)
        expect({ id, status: status.get(id) }).toEqual({ id, status: expect.stringMatching(/^(approved|redeemed)$/) });
      const audited = new Set(
        db
          .prepare(
            `SELECT json_extract(detail, '$.requestId') FROM audit_events WHERE type = 'sign_in_request.answered' AND outcome = 'approved'`,
          )
          .pluck()
          .all() as string[],
      );
      for (const id of [...heardApproved, ...phoneApproved, ...redeemed])
        expect({ id, audited: audited.has(id) }).toEqual({ id, audited: true });
      expect(heardApproved.size).toBeGreaterThanOrEqual(redeemed.size);
    } finally {
      db.close();
    }
  });

  it('no request stays pending past its expiry after the restarts; the desktop of an abandoned one hears expired', async () => {
    const db = new Database(path.join(dataDir, 'nod.sqlite'), { readonly: true });
    const stuck = db.prepare(`SELECT count(*) FROM sign_in_requests WHERE status = 'pending' AND expires_at <= ?`).pluck();
    try {
      // The expiry sweep runs every second: wait for it, boundedly.
      let left = stuck.get(Date.now()) as number;
      for (let tries = 0; left > 0 && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        left = stuck.get(Date.now()) as number;
      }
      expect(left).toBe(0);
    } finally {
      db.close();
    }
    for (const { requestId, collectorSecret } of abandoned) {
      const seen = await watch(url(), requestId, collectorSecret, (s) => s.status !== 'pending');
      expect(seen.states.at(-1)?.status).toBe('expired');
    }
  });

  it('every phone signs in after the last restart', async () => {
    for (const [worker] of phones.entries()) {
      const before = redeemed.size;
      expect(await signIn(worker)).toBe(true);
      expect(redeemed.size).toBe(before + 1);
    }
  });
});
