/**
 * What relays on one PostgreSQL database coordinate through besides their rows: the event bus
 * (LISTEN/NOTIFY, one listening connection each) and the advisory lock one sweep takes.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresEventBus, createPostgresEventBus } from '../../server/signin/requests/createPostgresEventBus';
import type { AccountsNotice, DeviceNotice, RequestEvent } from '../../server/signin/requests/SignInEventBus';
import type { Storage } from '../../server/storage/Storage';
import type { SignInRequest } from '../../server/storage/model';
import { createPostgresStorage } from '../../server/storage/postgres/createPostgresStorage';
import { tryAdvisoryLock } from '../../server/storage/postgres/tryAdvisoryLock';
import { type TestDatabase, createTestDatabase } from '../helpers/testDatabase';
import { auditFixture, requestFixture } from './storageContract';

let database: TestDatabase;
let admin: pg.Client;
/** The relays' storage on the database (migrated): a request's events come from the statements that store its changes. */
let storage: Storage & { close(): Promise<void> };
const pools: pg.Pool[] = [];
const buses: PostgresEventBus[] = [];
const warnings: string[] = [];
const log = { info: () => {}, warn: (_: object, msg: string) => void warnings.push(msg) };

const newPool = () => {
  const pool = new pg.Pool({ connectionString: database.url, max: 3 });
  pool.on('error', () => {});
  pools.push(pool);
  return pool;
};

const newBus = async () => {
  const bus = createPostgresEventBus({ url: database.url, pool: newPool(), log, reconnect: { firstMs: 20, maxMs: 200 } });
  await bus.start();
  buses.push(bus);
  return bus;
};

/** Resolves with what `take` finds once it finds something, checking as events arrive (every 10 ms). */
async function eventually<T>(take: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = take();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('not within the time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A pending request stored as the relay stores one. */
async function pendingRequest(extra: Partial<SignInRequest> = {}): Promise<SignInRequest> {
  const request = requestFixture('tenant-events', 'user-events', { expiresAt: Date.now() + 60_000, ...extra });
  await storage.signInRequests.create(request);
  return request;
}

/** The request's change stored as the relay stores it (the single-winner transition); true when it changed. */
const store = async (request: SignInRequest, from: SignInRequest['status'], status: SignInRequest['status']) =>
  (await storage.signInRequests.transition(request.id, from, { status, reason: null, answeredAt: Date.now() }, Date.now())) !== undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  storage = await createPostgresStorage(database.url);
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
});
afterAll(async () => {
  for (const bus of buses) await bus.close();
  for (const pool of pools) await pool.end();
  await admin?.end();
  await storage?.close();
  await database?.drop();
});

describe('the PostgreSQL event bus', () => {
  it('an event published on one relay reaches the subscribers of another, and of itself; ids and status only', async () => {
    const [one, two] = [await newBus(), await newBus()];
    const [request, other] = [await pendingRequest(), await pendingRequest()];
    const onOne: RequestEvent[] = [];
    const onTwo: DeviceNotice[] = [];
    one.subscribeRequest(request.id, (event) => onOne.push(event));
    two.subscribeDevice('dev-1', (notice) => onTwo.push(notice));
    const unsubscribed: RequestEvent[] = [];
    const off = two.subscribeRequest(request.id, (event) => unsubscribed.push(event));
    off();

    // Relay two stores the answer, then publishes it (the database sent it when it committed).
    expect(await store(request, 'pending', 'approved')).toBe(true);
    await two.publishRequest({ requestId: request.id, status: 'approved' });
    await one.publishDevice('dev-1', { type: 'offered', requestId: 'req-2' });
    await one.publishDevice('dev-1', { type: 'closed', requestId: 'req-2', status: 'denied' });
    expect(await store(other, 'pending', 'denied')).toBe(true);
    await one.publishRequest({ requestId: other.id, status: 'denied' });

    expect(await eventually(() => (onOne.length ? onOne : undefined))).toEqual([{ requestId: request.id, status: 'approved' }]);
    await eventually(() => (onTwo.length === 2 ? onTwo : undefined));
    expect(onTwo).toEqual([
      { type: 'offered', requestId: 'req-2' },
      { type: 'closed', requestId: 'req-2', status: 'denied' },
    ]);
    expect(unsubscribed).toEqual([]);
    expect(one.listenerCount).toBe(1);
  });

  it('accounts notices cross relays: to one device, and to every device of a tenant (none of another tenant)', async () => {
    const [one, two] = [await newBus(), await newBus()];
    const device: DeviceNotice[] = [];
    const contoso: AccountsNotice[] = [];
    const fabrikam: AccountsNotice[] = [];
    two.subscribeDevice('dev-5', (notice) => device.push(notice));
    two.subscribeTenant('tenant-contoso', (notice) => contoso.push(notice));
    two.subscribeTenant('tenant-fabrikam', (notice) => fabrikam.push(notice));
    await one.publishDevice('dev-5', { type: 'accounts' });
    await one.publishTenant('tenant-contoso', { type: 'accounts' });
    await eventually(() => (device.length && contoso.length ? true : undefined));
    expect(device).toEqual([{ type: 'accounts' }]);
    expect(contoso).toEqual([{ type: 'accounts' }]);
    // Published after contoso's on the same connection: had it reached fabrikam, it would have by now.
    await one.publishDevice('dev-5', { type: 'accounts' });
    await eventually(() => (device.length === 2 ? true : undefined));
    expect(fabrikam).toEqual([]);
  });

  it('publishes of one turn go out together, each arriving once, in order', async () => {
    const [bus, other] = [await newBus(), await newBus()];
    const seen: DeviceNotice[] = [];
    other.subscribeDevice('dev-5', (notice) => seen.push(notice));
    await Promise.all([
      bus.publishDevice('dev-5', { type: 'offered', requestId: 'req-5' }),
      bus.publishDevice('dev-6', { type: 'offered', requestId: 'req-6' }),
      bus.publishDevice('dev-5', { type: 'closed', requestId: 'req-5', status: 'approved' }),
      bus.publishDevice('dev-5', { type: 'accounts' }),
    ]);
    await eventually(() => (seen.length === 3 ? seen : undefined));
    expect(seen).toEqual([
      { type: 'offered', requestId: 'req-5' },
      { type: 'closed', requestId: 'req-5', status: 'approved' },
      { type: 'accounts' },
    ]);
  });

  it("a request's events come from the statements that store its changes, in the order they were stored: a receipt its collector may hear of, each status", async () => {
    const [bus, other] = [await newBus(), await newBus()];
    const [known, stranger] = [await pendingRequest({ collectorKnown: true }), await pendingRequest()];
    const seen: RequestEvent[] = [];
    const seenByStranger: RequestEvent[] = [];
    other.subscribeRequest(known.id, (event) => seen.push(event));
    other.subscribeRequest(stranger.id, (event) => seenByStranger.push(event));
    const receipt = (request: SignInRequest, deviceId: string) =>
      storage.signInRequests.recordDelivery(
        request.id,
        deviceId,
        Date.now(),
        auditFixture('tenant-events', { detail: { requestId: request.id } }),
      );
    // A collector that did not know the user is real never hears of the receipt (a decoy's looks the same).
    expect(await receipt(stranger, 'dev-7')).toBe(true);
    expect(await receipt(known, 'dev-7')).toBe(true);
    // Only the first receipt per device is stored, and announced.
    expect(await receipt(known, 'dev-7')).toBe(false);
    expect(await store(known, 'pending', 'approved')).toBe(true);
    // A change that lost (not pending any more) stores nothing and announces nothing.
    expect(await store(known, 'pending', 'denied')).toBe(false);
    expect(await store(known, 'approved', 'redeemed')).toBe(true);
    expect(await store(stranger, 'pending', 'cancelled')).toBe(true);
    await bus.publishRequest({ requestId: known.id, status: 'redeemed' });
    await eventually(() => (seen.length === 3 && seenByStranger.length === 1 ? true : undefined));
    expect(seen).toEqual([
      { requestId: known.id, status: 'pending', delivered: true },
      { requestId: known.id, status: 'approved' },
      { requestId: known.id, status: 'redeemed' },
    ]);
    expect(seenByStranger).toEqual([{ requestId: stranger.id, status: 'cancelled' }]);
  });

  it('nothing is announced before the change commits, and nothing when it is rolled back', async () => {
    const bus = await newBus();
    const [committed, rolledBack] = [await pendingRequest(), await pendingRequest()];
    const seen: RequestEvent[] = [];
    bus.subscribeRequest(committed.id, (event) => seen.push(event));
    bus.subscribeRequest(rolledBack.id, (event) => seen.push(event));
    const writer = new pg.Client({ connectionString: database.url });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(`UPDATE sign_in_requests SET status = 'cancelled' WHERE id = $1`, [rolledBack.id]);
      await writer.query('ROLLBACK');
      await writer.query('BEGIN');
      await writer.query(`UPDATE sign_in_requests SET status = 'denied' WHERE id = $1`, [committed.id]);
      // A round trip on the listening relay's own server after the change: had it been announced, it would be here.
      await admin.query(`SELECT pg_notify('nod_sign_in_events', $1)`, [JSON.stringify(['a', 'dev-nothing'])]);
      await bus.publishDevice('dev-nothing', { type: 'accounts' });
      expect(seen).toEqual([]);
      await writer.query('COMMIT');
    } finally {
      await writer.end();
    }
    await eventually(() => (seen.length ? true : undefined));
    expect(seen).toEqual([{ requestId: committed.id, status: 'denied' }]);
  });

  it('a notification that is not ours (wrong shape) is ignored with a warning, and the next one still arrives', async () => {
    const bus = await newBus();
    const seen: RequestEvent[] = [];
    const request = await pendingRequest();
    bus.subscribeRequest(request.id, (event) => seen.push(event));
    await admin.query(`SELECT pg_notify('nod_sign_in_events', $1)`, [JSON.stringify(['r', request.id, 'owned'])]);
    await admin.query(`SELECT pg_notify('nod_sign_in_events', 'not json')`);
    expect(await store(request, 'pending', 'cancelled')).toBe(true);
    await eventually(() => (seen.length ? seen : undefined));
    expect(seen).toEqual([{ requestId: request.id, status: 'cancelled' }]);
    expect(warnings.filter((w) => w.includes('not ours')).length).toBeGreaterThanOrEqual(2);
  });

  it('its listening connection cut: it listens again, then every subscriber reads again (resync); later events arrive', async () => {
    const bus = await newBus();
    const request = await pendingRequest();
    const requests: RequestEvent[] = [];
    const devices: DeviceNotice[] = [];
    bus.subscribeRequest(request.id, (event) => requests.push(event));
    bus.subscribeDevice('dev-4', (notice) => devices.push(notice));
    const pid = bus.listenerPid!;
    expect(pid).toBeGreaterThan(0);

    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    // Sent while nobody listens on that relay: lost to it, which is what the resync makes up for.
    expect(await store(request, 'pending', 'approved')).toBe(true);
    await eventually(() => (bus.resyncs > 0 && bus.listening ? true : undefined));
    expect(bus.listenerPid).not.toBe(pid);
    expect(requests.map((e) => e.requestId)).toContain(request.id);
    expect(devices).toContainEqual({ type: 'resync' });

    requests.length = 0;
    expect(await store(request, 'approved', 'redeemed')).toBe(true);
    await eventually(() => (requests.some((e) => e.status === 'redeemed') ? true : undefined));
  });

  it('closed: its listening connection is gone and publishing fails', async () => {
    const bus = await newBus();
    const pid = bus.listenerPid;
    await bus.close();
    expect(bus.listening).toBe(false);
    for (;;) {
      const { rows } = await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
      if (rows.length === 0) break;
    }
    await expect(bus.publishRequest({ requestId: 'x', status: 'approved' })).rejects.toThrow(/closed/);
  });
});

describe('the advisory lock of a sweep', () => {
  it('of two relays trying at once, one runs and the other is told it runs elsewhere; then it is free again', async () => {
    const [one, two] = [newPool(), newPool()];
    let release!: () => void;
    const holding = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const first = tryAdvisoryLock(one, 'sweep', async () => {
      entered();
      await holding;
      return 'first';
    });
    await inside;
    expect(await tryAdvisoryLock(two, 'sweep', async () => 'second')).toEqual({ ran: false });
    expect(await tryAdvisoryLock(two, 'another sweep', async () => 'other')).toEqual({ ran: true, value: 'other' });
    release();
    expect(await first).toEqual({ ran: true, value: 'first' });
    expect(await tryAdvisoryLock(two, 'sweep', async () => 'second')).toEqual({ ran: true, value: 'second' });
  });

  it('work that throws releases the lock', async () => {
    const pool = newPool();
    await expect(tryAdvisoryLock(pool, 'sweep 2', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await tryAdvisoryLock(newPool(), 'sweep 2', async () => 1)).toEqual({ ran: true, value: 1 });
  });

  it('a relay that dies holding it (its connection ends) frees it', async () => {
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    holder.on('error', () => {});
    await holder.query(`SELECT pg_advisory_lock(hashtextextended('sweep 3', 0))`);
    expect(await tryAdvisoryLock(newPool(), 'sweep 3', async () => 1)).toEqual({ ran: false });
    const { rows } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
    // The server releases it as the backend ends (pg_terminate_backend only asks it to).
    const pool = newPool();
    let taken: { ran: boolean } = { ran: false };
    while (!taken.ran) taken = await tryAdvisoryLock(pool, 'sweep 3', async () => 1);
    expect(taken).toEqual({ ran: true, value: 1 });
  });
});
