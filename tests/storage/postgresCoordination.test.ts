/**
 * What relays on one PostgreSQL database coordinate through besides their rows: the event bus
 * (LISTEN/NOTIFY, one listening connection each) and the advisory lock one sweep takes.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresEventBus, createPostgresEventBus } from '../../server/signin/requests/createPostgresEventBus';
import type { AccountsNotice, DeviceNotice, RequestEvent } from '../../server/signin/requests/SignInEventBus';
import { tryAdvisoryLock } from '../../server/storage/postgres/tryAdvisoryLock';
import { type TestDatabase, createTestDatabase } from '../helpers/testDatabase';

let database: TestDatabase;
let admin: pg.Client;
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

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
});
afterAll(async () => {
  for (const bus of buses) await bus.close();
  for (const pool of pools) await pool.end();
  await admin?.end();
  await database?.drop();
});

describe('the PostgreSQL event bus', () => {
  it('an event published on one relay reaches the subscribers of another, and of itself; ids and status only', async () => {
    const [one, two] = [await newBus(), await newBus()];
    const onOne: RequestEvent[] = [];
    const onTwo: DeviceNotice[] = [];
    one.subscribeRequest('req-1', (event) => onOne.push(event));
    two.subscribeDevice('dev-1', (notice) => onTwo.push(notice));
    const unsubscribed: RequestEvent[] = [];
    const off = two.subscribeRequest('req-1', (event) => unsubscribed.push(event));
    off();

    await two.publishRequest({ requestId: 'req-1', status: 'approved' });
    await one.publishDevice('dev-1', { type: 'offered', requestId: 'req-2' });
    await one.publishDevice('dev-1', { type: 'closed', requestId: 'req-2', status: 'denied' });
    await one.publishRequest({ requestId: 'req-other', status: 'denied' });

    expect(await eventually(() => (onOne.length ? onOne : undefined))).toEqual([{ requestId: 'req-1', status: 'approved' }]);
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

  it('publishes of one turn go out together, each arriving once, in order, with what they carry (a delivered pending too)', async () => {
    const [bus, other] = [await newBus(), await newBus()];
    const seen: RequestEvent[] = [];
    other.subscribeRequest('req-5', (event) => seen.push(event));
    await Promise.all([
      bus.publishRequest({ requestId: 'req-5', status: 'pending', delivered: true }),
      bus.publishRequest({ requestId: 'req-5', status: 'approved' }),
      bus.publishRequest({ requestId: 'req-6', status: 'denied' }),
      bus.publishRequest({ requestId: 'req-5', status: 'redeemed' }),
    ]);
    await eventually(() => (seen.length === 3 ? seen : undefined));
    expect(seen).toEqual([
      { requestId: 'req-5', status: 'pending', delivered: true },
      { requestId: 'req-5', status: 'approved' },
      { requestId: 'req-5', status: 'redeemed' },
    ]);
  });

  it('a notification that is not ours (wrong shape) is ignored with a warning, and the next one still arrives', async () => {
    const bus = await newBus();
    const seen: RequestEvent[] = [];
    bus.subscribeRequest('req-3', (event) => seen.push(event));
    await admin.query(`SELECT pg_notify('nod_sign_in_events', $1)`, [JSON.stringify(['r', 'req-3', 'owned'])]);
    await admin.query(`SELECT pg_notify('nod_sign_in_events', 'not json')`);
    await bus.publishRequest({ requestId: 'req-3', status: 'cancelled' });
    await eventually(() => (seen.length ? seen : undefined));
    expect(seen).toEqual([{ requestId: 'req-3', status: 'cancelled' }]);
    expect(warnings.filter((w) => w.includes('not ours')).length).toBeGreaterThanOrEqual(2);
  });

  it('its listening connection cut: it listens again, then every subscriber reads again (resync); later events arrive', async () => {
    const [bus, other] = [await newBus(), await newBus()];
    const requests: RequestEvent[] = [];
    const devices: DeviceNotice[] = [];
    bus.subscribeRequest('req-4', (event) => requests.push(event));
    bus.subscribeDevice('dev-4', (notice) => devices.push(notice));
    const pid = bus.listenerPid!;
    expect(pid).toBeGreaterThan(0);

    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    // Sent while nobody listens on that relay: lost to it, which is what the resync makes up for.
    await other.publishRequest({ requestId: 'req-4', status: 'approved' });
    await eventually(() => (bus.resyncs > 0 && bus.listening ? true : undefined));
    expect(bus.listenerPid).not.toBe(pid);
    expect(requests.map((e) => e.requestId)).toContain('req-4');
    expect(devices).toContainEqual({ type: 'resync' });

    requests.length = 0;
    await other.publishRequest({ requestId: 'req-4', status: 'redeemed' });
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
