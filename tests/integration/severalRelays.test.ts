/**
 * Several relay processes on one PostgreSQL database, behind a round-robin proxy with no sticky
 * sessions (as deploy/compose.yaml runs them): events cross relays, a relay killed or restarted
 * loses no sign-in, a cut listening connection loses no event, and of two answers through two
 * relays exactly one wins.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminToken } from '../../server/admin/adminTokens';
import { configFor } from '../../server/config';
import { createApp } from '../../server/createApp';
import { createInProcessEventBus } from '../../server/signin/requests/createInProcessEventBus';
import { createTenant } from '../../server/tenants/createTenant';
import { deviceAuthorizationHeader } from '../../shared/deviceSignature';
import { followEventStream } from '../../shared/relay/followEventStream';
import { tenantCreate } from '../../shared/schemas/directory';
import { type SignInRequestState, signInRequestEvents } from '../../shared/schemas/signInRequests';
import { openDeviceStream } from '../helpers/deviceStream';
import { type TestPhone, enrollPhone } from '../helpers/enrollPhone';
import { type RelayProcess, startRelayProcess } from '../helpers/relayProcess';
import { type RoundRobinProxy, freePort, startRoundRobinProxy } from '../helpers/roundRobinProxy';
import { createSoftAuthenticator } from '../helpers/softAuthenticator';
import { answer, createRequest, watch } from '../helpers/signInFlow';
import { looseLimits } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';
import { type TestDatabase, createTestDatabase } from '../helpers/testDatabase';

const alice = 'alice@contoso.example';

interface Relay {
  name: 'A' | 'B';
  port: number;
  url: string;
  process: RelayProcess;
}

describe('two relays on one PostgreSQL database', () => {
  let database: TestDatabase;
  let dataDir: string;
  let proxy: RoundRobinProxy;
  let publicUrl: string;
  const relays: Relay[] = [];
  let a: Relay;
  let b: Relay;
  let token: string;
  let phone: TestPhone;

  const envFor = (port: number) => ({
    NOD_PORT: String(port),
    NOD_HOST: '127.0.0.1',
    NOD_DATABASE_URL: database.url,
    // The keys (token signing, VAPID, OIDC cookies) are shared files, as on a shared volume.
    NOD_DATA_DIR: dataDir,
    NOD_PUBLIC_URL: publicUrl,
    NOD_RP_ID: 'localhost',
    NOD_LOG_LEVEL: 'info',
  });

  /** Start (or start again) a relay process on its port, and wait until it is ready. */
  const run = async (relay: Relay) => {
    relay.process = startRelayProcess(envFor(relay.port));
    await relay.process.ready();
  };

  /** The phone's device-signed call through any relay (or the proxy). */
  const phoneCall = async (url: string, method: string, callPath: string, body?: unknown) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const authorization = await deviceAuthorizationHeader(phone.account.deviceId, phone.deviceKey.privateKey, {
      method,
      path: callPath,
      body: text,
    });
    return fetchJson(`${url}${callPath}`, { method, body: body === undefined ? undefined : text, headers: { authorization } });
  };

  const admin = (method: string, adminPath: string, body?: unknown) =>
    fetchJson(`${proxy.url}/admin/t/contoso${adminPath}`, { method, body, headers: { authorization: `Bearer ${token}` } });

  /** Follow a request's event stream as the extension does (reconnecting, resuming with Last-Event-ID) until `until` holds. */
  const follow = async (url: string, requestId: string, secret: string, until: (state: SignInRequestState) => boolean) => {
    const seen: SignInRequestState[] = [];
    const controller = new AbortController();
    for await (const event of followEventStream(`${url}/api/sign-in-requests/${requestId}/events`, {
      events: signInRequestEvents,
      headers: { authorization: `Bearer ${secret}` },
      signal: controller.signal,
      reconnect: { firstMs: 50, maxMs: 500 },
    })) {
      seen.push(event.data);
      if (until(event.data)) break;
    }
    controller.abort();
    return seen;
  };

  const redeem = (url: string, requestId: string, secret: string) =>
    fetchJson(`${url}/api/sign-in-requests/${requestId}/redeem`, { method: 'POST', headers: { authorization: `Bearer ${secret}` } });

  /**
   * A sign-in through `url` up to the desktop waiting (its request created, its event stream
   * open with `pending` read); `finish` is the rest: the phone reads and approves, the desktop
   * sees it and redeems.
   */
  const beginSignIn = async (url: string) => {
    const created = await createRequest(url, 'contoso', { username: alice });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
    const { requestId, collectorSecret, number } = created.body;
    let opened!: () => void;
    const pendingRead = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const desktop = follow(url, requestId, collectorSecret, (s) => {
      if (s.status === 'pending') opened();
      return s.status !== 'pending';
    });
    await Promise.race([pendingRead, desktop]);
    return {
      async finish(): Promise<{ states: string[]; redeemed: number }> {
        const details = await phoneCall(url, 'GET', `/api/device/sign-in-requests/${requestId}`);
        if (details.status !== 200) throw new Error(`details: ${details.status} ${JSON.stringify(details.body)}`);
        const approved = await answer(url, phone, details.body, 'approve', { typedNumber: number });
        if (approved.status !== 200) throw new Error(`answer: ${approved.status} ${JSON.stringify(approved.body)}`);
        const states = (await desktop).map((s) => s.status);
        return { states, redeemed: (await redeem(url, requestId, collectorSecret)).status };
      },
    };
  };

  /** One whole sign-in through `url`. */
  const signIn = async (url: string) => (await beginSignIn(url)).finish();

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-relays-'));
    const proxyPort = await freePort();
    publicUrl = `http://localhost:${proxyPort}`;
    // The tenant and its administrator token, as `nod admin` would make them on the shared database.
    const setup = await createApp(configFor({ dataDir, databaseUrl: database.url }), { events: createInProcessEventBus() });
    const tenant = await createTenant(setup.ctx, tenantCreate.parse({ name: 'contoso', displayName: 'Contoso' }));
    ({ token } = await createAdminToken(setup.ctx, tenant, 'global_administrator', 'test'));
    await setup.app.close();

    for (const name of ['A', 'B'] as const) {
      const port = await freePort();
      relays.push({ name, port, url: `http://localhost:${port}`, process: undefined as never });
    }
    [a, b] = relays;
    // One after the other: both would make the key files on a first start.
    await run(a);
    await run(b);
    proxy = await startRoundRobinProxy([a.port, b.port], proxyPort);

    expect((await admin('POST', '/users', { username: alice, displayName: 'Alice' })).status).toBe(201);
    expect(
      (
        await admin('PUT', '/policy', {
          enabled: true,
          includeTargets: [{ kind: 'all_users', mode: 'any' }],
          // Every test here signs Alice in again and again from one loopback address: budgets are not what they test.
          limits: looseLimits,
        })
      ).status,
    ).toBe(200);
    const tap = await admin('POST', `/users/${alice}/temporary-access-pass`, {});
    // Enrolled through the proxy: its start and finish may be answered by different relays.
    phone = await enrollPhone(
      proxy.url,
      { tenant: 'contoso', username: alice, temporaryAccessPass: tap.body.temporaryAccessPass },
      { authenticator: createSoftAuthenticator({ origin: publicUrl }) },
    );
    const enabled = await phoneCall(proxy.url, 'PUT', `/api/registrations/${phone.account.registrationId}/phone-sign-in`, {
      enabled: true,
    });
    expect(enabled.status).toBe(200);
  });

  afterAll(async () => {
    for (const relay of relays) relay.process?.child.kill('SIGKILL');
    await Promise.all(relays.map((relay) => relay.process?.exited));
    await proxy?.close();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a desktop on relay A and a phone on relay B: the phone sees the request created on A, the desktop the approval sent to B', async () => {
    const phoneOnB = await openDeviceStream(b.url, phone);
    try {
      const created = await createRequest(a.url, 'contoso', { username: alice });
      expect(created.status).toBe(201);
      const { requestId, collectorSecret, number } = created.body;
      const desktopOnA = watch(a.url, requestId, collectorSecret, (s) => s.status === 'approved');
      const offered = await phoneOnB.waitFor((e) => e.type === 'request' && e.request.requestId === requestId, 10_000);
      if (offered.type !== 'request') throw new Error('not a request');
      const approved = await answer(b.url, phone, offered.request, 'approve', { typedNumber: number });
      expect(approved.status).toBe(200);
      expect((await desktopOnA).states.map((s) => s.status)).toEqual(['pending', 'approved']);
      // The phone on B hears that it closed.
      await phoneOnB.waitFor((e) => e.type === 'closed' && e.requestId === requestId, 10_000);
      const redeemed = await redeem(a.url, requestId, collectorSecret);
      expect(redeemed.status).toBe(200);
      expect(redeemed.body).toMatchObject({ tenant: 'contoso', username: alice, method: 'phone_sign_in' });
    } finally {
      phoneOnB.close();
    }
  });

  it('one request answered at once through both relays (approve on A, deny on B): exactly one answer wins, everywhere', async () => {
    const created = await createRequest(proxy.url, 'contoso', { username: alice });
    const { requestId, collectorSecret, number } = created.body;
    const details = await phoneCall(b.url, 'GET', `/api/device/sign-in-requests/${requestId}`);
    expect(details.status).toBe(200);
    const [onA, onB] = await Promise.all([
      answer(a.url, phone, details.body, 'approve', { typedNumber: number }),
      answer(b.url, phone, details.body, 'deny'),
    ]);
    const winners = [onA, onB].filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    const loser = [onA, onB].find((r) => r.status !== 200)!;
    expect(loser.status).toBe(409);
    const final = winners[0].body.status;
    expect(['approved', 'denied']).toContain(final);
    // Both relays tell the desktop the same ending, and the audit log holds one answer.
    for (const relay of [a, b]) {
      const seen = await watch(relay.url, requestId, collectorSecret, (s) => s.status !== 'pending');
      expect(seen.states.at(-1)?.status).toBe(final);
    }
    const audit = await admin('GET', `/audit?user=${encodeURIComponent(alice)}&limit=200`);
    expect(audit.status).toBe(200);
    const answers = (audit.body.events as { type: string; outcome: string; detail?: { requestId?: string } }[])
      .filter((e) => e.type === 'sign_in_request.answered' && e.detail?.requestId === requestId)
      .map((e) => e.outcome)
      .sort();
    // The one ending, and the other answer refused (the request had ended).
    expect(answers).toEqual([final, 'refused'].sort());
  });

  it('the listening connections cut (pg_terminate_backend): no event is lost, the relays listen again', async () => {
    const server = new pg.Client({ connectionString: database.url });
    await server.connect();
    try {
      const listeners = async () =>
        (
          await server.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'nod events'`,
          )
        ).rows.map((r) => r.pid);
      const before = await listeners();
      expect(before).toHaveLength(2);

      const phoneOnA = await openDeviceStream(a.url, phone);
      const created = await createRequest(b.url, 'contoso', { username: alice });
      const { requestId, collectorSecret, number } = created.body;
      const desktopOnA = watch(a.url, requestId, collectorSecret, (s) => s.status === 'approved', { timeoutMs: 20_000 });
      await phoneOnA.waitFor((e) => e.type === 'request' && e.request.requestId === requestId, 10_000);

      // Cut both listening connections, and approve at once through B: its notice goes out while nobody listens.
      await server.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);
      const details = await phoneCall(b.url, 'GET', `/api/device/sign-in-requests/${requestId}`);
      const approved = await answer(b.url, phone, details.body, 'approve', { typedNumber: number });
      expect(approved.status).toBe(200);

      // The desktop on A gets the approval all the same (A read it again once it listened again).
      expect((await desktopOnA).states.map((s) => s.status)).toEqual(['pending', 'approved']);
      // The phone's live channel on A either heard of the close or was ended to read its list again.
      await Promise.race([phoneOnA.waitFor((e) => e.type === 'closed' && e.requestId === requestId, 20_000), phoneOnA.ended]);
      phoneOnA.close();

      for (const relay of [a, b]) {
        await waitUntil(() => relay.process.output().stdout.includes('the event listening connection is back'));
      }
      const after = await listeners();
      expect(after).toHaveLength(2);
      expect(after.filter((pid) => before.includes(pid))).toEqual([]);
    } finally {
      await server.end();
    }
  });

  it('a rolling restart of both relays (SIGTERM, start again, one after the other) during sign-ins loses none', async () => {
    const results: { states: string[]; redeemed: number }[] = [];
    for (const [index, relay] of [a, b].entries()) {
      // A sign-in whose desktop waits on the relay about to stop, and one made while it stops.
      proxy.prefer(index);
      const waiting = await beginSignIn(proxy.url);
      proxy.prefer(undefined);
      relay.process.child.kill('SIGTERM');
      const during = signIn(proxy.url);
      results.push(await waiting.finish(), await during);
      expect(await relay.process.exited).toEqual({ code: 0, signal: null });
      await run(relay);
    }
    expect(results).toEqual(Array(4).fill({ states: ['pending', 'approved'], redeemed: 200 }));
    // Two relay starts: a few seconds each on a quiet machine, far more on a loaded one.
  }, 120_000);

  it('relay A killed (kill -9) while its desktop waits: the desktop reconnects through the proxy to B and gets the outcome', async () => {
    proxy.prefer(0);
    const created = await createRequest(proxy.url, 'contoso', { username: alice });
    const { requestId, collectorSecret, number } = created.body;
    const states: string[] = [];
    let sawPending!: () => void;
    const pendingSeen = new Promise<void>((resolve) => {
      sawPending = resolve;
    });
    const answeredBefore = proxy.answered[1];
    const desktop = follow(proxy.url, requestId, collectorSecret, (s) => {
      states.push(s.status);
      if (s.status === 'pending') sawPending();
      return s.status !== 'pending';
    });
    await pendingSeen;
    proxy.prefer(undefined);

    a.process.child.kill('SIGKILL');
    await a.process.exited;
    const details = await phoneCall(b.url, 'GET', `/api/device/sign-in-requests/${requestId}`);
    expect((await answer(b.url, phone, details.body, 'approve', { typedNumber: number })).status).toBe(200);

    await desktop;
    expect(states).toEqual(['pending', 'approved']);
    expect(proxy.answered[1]).toBeGreaterThan(answeredBefore);
    expect((await redeem(proxy.url, requestId, collectorSecret)).status).toBe(200);
  });
});

/** Wait for a condition the relays make true (their log, a count), checking every 25 ms. */
async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 25));
}
