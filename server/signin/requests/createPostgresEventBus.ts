import pg from 'pg';
import { type RequestStatus, requestStatuses } from '../../../shared/schemas/signInRequests';
import type { AccountsNotice, DeviceNotice, RequestEvent, SignInEventBus } from './SignInEventBus';
import { createLocalSubscribers } from './createInProcessEventBus';
import { queryShared } from '../../storage/postgres/database';

/** The one channel every relay on the database listens on (NOTIFY is per database). */
const channel = 'nod_sign_in_events';

/**
 * A notification's payload: ids and a status, never a secret or the number (anyone who can
 * LISTEN on the database sees them). Tuples keep it short: `r` a request's status changed (sent by
 * the database itself, see publishRequest), `o` a request offered to a device, `c` a request
 * closed for a device, `a` a device's accounts changed, `t` every device of a tenant should read
 * its accounts again (each relay paces its own).
 */
type Payload =
  | ['r', string, RequestStatus]
  // A pending request a phone acknowledged.
  | ['r', string, 'pending', 'delivered']
  | ['o', string, string]
  | ['c', string, string, RequestStatus]
  | ['a', string]
  | ['t', string];

const statuses: ReadonlySet<unknown> = new Set(requestStatuses);

/**
 * A received payload when it is one of the shapes above, exactly (every relay receives every
 * notice, several per sign-in: checked by hand, without a schema library's general machinery).
 */
function readPayload(value: unknown): Payload | undefined {
  if (!Array.isArray(value) || typeof value[1] !== 'string') return undefined;
  const [kind, , third, fourth] = value as unknown[];
  switch (value.length) {
    case 2:
      return kind === 'a' || kind === 't' ? (value as Payload) : undefined;
    case 3:
      if (kind === 'r') return statuses.has(third) ? (value as Payload) : undefined;
      return kind === 'o' && typeof third === 'string' ? (value as Payload) : undefined;
    case 4:
      if (kind === 'r') return third === 'pending' && fourth === 'delivered' ? (value as Payload) : undefined;
      return kind === 'c' && typeof third === 'string' && statuses.has(fourth) ? (value as Payload) : undefined;
    default:
      return undefined;
  }
}

/** Every notice published in one turn of the event loop, in one statement, in the order published. */
const notify = {
  name: 'nod_bus_notify_all',
  text: 'SELECT count(pg_notify($1, m)) FROM unnest($2::text[]) WITH ORDINALITY AS u(m, i)',
};

/**
 * How long a batch of notices waits for the statement before it to be answered before it goes out
 * anyway: a statement held up on a connection that died without saying so must not hold up every
 * notice after it.
 */
const previousWaitMs = 1_000;

/** Resolves when `previous` settles, or after `previousWaitMs` at most. */
const settledOrLate = (previous: Promise<void>) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, previousWaitMs);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    previous.then(done, done);
  });

export interface PostgresEventBusOptions {
  /** The database every relay shares (NOD_DATABASE_URL): the listening connection goes there. */
  url: string;
  /** Where NOTIFYs go out: the storage's pool, through its shared connections (a publish needs no connection of its own). */
  pool: pg.Pool;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** First wait before connecting again after the listening connection is lost, doubling up to `maxMs`. */
  reconnect?: { firstMs?: number; maxMs?: number };
  /** How often the idle listening connection is asked a question, to find a connection that died silently. */
  heartbeatMs?: number;
  /** At most this many of this relay's tenant subscribers are told per second (default 500). */
  tenantFanOutPerSecond?: number;
}

export interface PostgresEventBus extends SignInEventBus {
  /** Opens the listening connection; rejects when it cannot (the relay does not start without it). */
  start(): Promise<void>;
  /** Closes the listening connection; publishing afterwards fails. */
  close(): Promise<void>;
  /** The listening connection's server process id, while it is connected (tests cut it). */
  readonly listenerPid: number | undefined;
  /** Whether the listening connection is up (it is being re-opened when not). */
  readonly listening: boolean;
  /** How many times the bus re-opened its listening connection and told every subscriber to read again. */
  readonly resyncs: number;
}

/**
 * The event bus of relays that share one PostgreSQL database: a device or tenant notice is a NOTIFY
 * through the storage's pool (the publishes of one turn of the event loop in one statement); a
 * request's events are sent by the database from the statement that stores the change (PostgreSQL
 * migration 12's triggers), when it commits, so they cost no statement of their own and arrive in
 * the order the changes were committed. Each relay holds one dedicated connection that LISTENs and
 * delivers every notification to its own subscribers — the same path for an event from this relay
 * and from another, so a desktop waiting on relay A sees the answer the phone sent to relay B.
 *
 * NOTIFY is not durable: what is sent while the listening connection is down is lost to this
 * relay. So when the connection drops (a server restart, a failover, `pg_terminate_backend`, a
 * dead socket the heartbeat finds), the bus connects again with back-off, LISTENs, and only then
 * tells every request subscriber to read its request again and every device subscriber to
 * `resync`: a change stored before the LISTEN is read from storage, one after it is notified.
 */
export function createPostgresEventBus(options: PostgresEventBusOptions): PostgresEventBus {
  const { log, pool } = options;
  const firstMs = options.reconnect?.firstMs ?? 100;
  const maxMs = options.reconnect?.maxMs ?? 5_000;
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const local = createLocalSubscribers({ tenantFanOutPerSecond: options.tenantFanOutPerSecond });
  let client: pg.Client | undefined;
  let pid: number | undefined;
  let closed = false;
  let resyncs = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;

  const deliver = (text: string) => {
    let parsed: Payload | undefined;
    try {
      parsed = readPayload(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (!parsed) {
      log.warn({ payload: text.slice(0, 200) }, 'an event notification that is not ours; ignored');
      return;
    }
    if (parsed[0] === 'r') local.deliverRequest({ requestId: parsed[1], status: parsed[2], ...(parsed[3] ? { delivered: true } : {}) });
    else if (parsed[0] === 'o') local.deliverDevice(parsed[1], { type: 'offered', requestId: parsed[2] });
    else if (parsed[0] === 'c') local.deliverDevice(parsed[1], { type: 'closed', requestId: parsed[2], status: parsed[3] });
    else if (parsed[0] === 'a') local.deliverDevice(parsed[1], { type: 'accounts' });
    else local.deliverTenant(parsed[1], { type: 'accounts' });
  };

  /** Connect and LISTEN; the connection counts only once LISTEN is in place. */
  const connect = async (): Promise<pg.Client> => {
    const next = new pg.Client({
      connectionString: options.url,
      application_name: 'nod events',
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
    });
    next.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined) deliver(message.payload);
    });
    // Until it is ours, an error only fails the connect below.
    next.on('error', () => {});
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
      const { rows } = await next.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      pid = rows[0].pid;
    } catch (error) {
      await next.end().catch(() => {});
      throw error;
    }
    next.on('error', (error) => lost(next, error));
    next.on('end', () => lost(next, new Error('the listening connection ended')));
    return next;
  };

  const lost = (which: pg.Client, error: Error) => {
    if (which !== client || closed) return;
    client = undefined;
    pid = undefined;
    clearInterval(heartbeat);
    which.end().catch(() => {});
    log.warn({ err: error }, 'the event listening connection was lost; connecting again');
    reopen(firstMs);
  };

  const reopen = (delay: number) => {
    retryTimer = setTimeout(async () => {
      retryTimer = undefined;
      if (closed) return;
      try {
        const next = await connect();
        if (closed) {
          await next.end().catch(() => {});
          return;
        }
        adopt(next);
        resync();
        log.info({ subscribers: local.count }, 'the event listening connection is back; subscribers read their state again');
      } catch (error) {
        log.warn({ err: error }, 'the event listening connection could not be opened; trying again');
        reopen(Math.min(delay * 2, maxMs));
      }
    }, delay);
    retryTimer.unref();
  };

  const adopt = (next: pg.Client) => {
    client = next;
    heartbeat = setInterval(() => {
      const current = client;
      if (!current) return;
      const silent = setTimeout(() => {
        // No answer: the socket is dead without having said so. Drop it; `end` starts the reconnect.
        (current as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
        lost(current, new Error(`the listening connection did not answer within ${heartbeatMs} ms`));
      }, heartbeatMs);
      current.query('SELECT 1').then(
        () => clearTimeout(silent),
        () => clearTimeout(silent),
      );
    }, heartbeatMs);
    heartbeat.unref();
  };

  /** Notices may have been missed: every subscriber reads storage again. */
  const resync = () => {
    resyncs++;
    // `pending` without `delivered`: only a cue, the subscriber reads storage.
    for (const requestId of local.requestIds()) local.deliverRequest({ requestId, status: 'pending' });
    for (const deviceId of local.deviceIds()) local.deliverDevice(deviceId, { type: 'resync' });
  };

  /**
   * The notices waiting to go out, sent together in one statement when this turn of the event loop
   * ends and the statement before has been answered: while one is on its way, what is published
   * joins the next (under load, several sign-ins' notices in one statement instead of one each).
   * One statement at a time, so they reach the server, and every relay, in the order published
   * (unless the one before is held up past `previousWaitMs`).
   */
  let batch: { messages: string[]; sent: Promise<void> } | undefined;
  let previous: Promise<void> = Promise.resolve();
  const afterThisTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const send = async (message: Payload) => {
    if (closed) throw new Error('the event bus is closed');
    if (!batch) {
      const next: { messages: string[]; sent: Promise<void> } = { messages: [], sent: Promise.resolve() };
      // The one before failing fails its own publishers only; this one goes out all the same.
      const ready = settledOrLate(previous).then(afterThisTurn);
      next.sent = ready.then(async () => {
        batch = undefined;
        await queryShared(pool, notify, [channel, next.messages]);
      });
      previous = next.sent;
      batch = next;
    }
    batch.messages.push(JSON.stringify(message));
    await batch.sent;
  };

  return {
    async start() {
      closed = false;
      adopt(await connect());
    },
    async close() {
      closed = true;
      local.close();
      clearTimeout(retryTimer);
      clearInterval(heartbeat);
      const current = client;
      client = undefined;
      pid = undefined;
      await current?.end().catch(() => {});
    },
    /**
     * Nothing left to send: the change this announces was stored before it is published, and the
     * database sent its notification when that change committed (migration 12: every status a
     * request takes, and a delivery receipt of a request whose collector knew the user, the only
     * `pending` event the relay publishes).
     */
    publishRequest: (_event: RequestEvent) => (closed ? Promise.reject(new Error('the event bus is closed')) : Promise.resolve()),
    publishDevice: (deviceId: string, notice: DeviceNotice) => {
      if (notice.type === 'offered') return send(['o', deviceId, notice.requestId]);
      if (notice.type === 'closed') return send(['c', deviceId, notice.requestId, notice.status]);
      if (notice.type === 'accounts') return send(['a', deviceId]);
      // A resync is the bus's own notice to its subscribers, never sent between relays.
      local.deliverDevice(deviceId, notice);
      return Promise.resolve();
    },
    publishTenant: (tenantId: string, _notice: AccountsNotice) => send(['t', tenantId]),
    subscribeRequest: local.subscribeRequest,
    subscribeDevice: local.subscribeDevice,
    subscribeTenant: local.subscribeTenant,
    get listenerCount() {
      return local.count;
    },
    get listenerPid() {
      return pid;
    },
    get listening() {
      return client !== undefined;
    },
    get resyncs() {
      return resyncs;
    },
  };
}
