/**
 * Figure 6: relays on PostgreSQL (issue 16). In each run, on a fresh copy of a prepared database:
 *  - sign-ins/s through one relay at concurrency `high` ÷ the crypto floor measured right before;
 *  - the same with two relay processes on the database (workers split between them) ÷ one relay;
 *  - with `waiting` requests waiting on relay A (each with its collector's event stream open), an
 *    approval sent to relay B → the `approved` event on A (LISTEN/NOTIFY), against one sent to A
 *    itself, alternating, each from sending the answer to reading the event: the p99 of each and
 *    their ratio;
 *  - with --sql-trace: statements and writes the relay sends PostgreSQL per sign-in.
 */
import fs from 'node:fs';
import { Agent } from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { HttpClient } from '../lib/http';
import type { BenchPushEndpoint } from '../lib/pushEndpoint';
import { type RelayProcess, startRelayProcess } from '../lib/relayProcess';
import type { Report } from '../lib/report';
import {
  type Created,
  type PushInbox,
  createRequest,
  fullSignIn,
  prepareApproval,
  readDetails,
  redeem,
  sendApproval,
  watchRequest,
} from '../lib/signIn';
import { latencySummary, median } from '../lib/stats';
import { type BenchPhone, benchPublicUrl, benchRpId, createWorld } from '../lib/world';
import { type CryptoFloor, measureFloor, prepareCryptoFloor } from './cryptoFloor';
import { type OsPerSignIn, describeOs, measureThroughput } from './signInThroughput';

export interface RelaysSizes {
  high: number;
  signIns: number;
  warmup: number;
  waiting: number;
  samples: number;
  floor: number;
}

const serverUrl = process.env.NOD_BENCH_DATABASE_URL || process.env.NOD_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const urlOf = (name: string) => {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

/**
 * A database for the bench: commits do not wait for their WAL flush (synchronous_commit off), as
 * the SQLite relay's commits do not wait for an fsync (WAL, synchronous=NORMAL): an OS crash may
 * lose the last commits, never corrupt. Either way the figures compare like with like.
 */
export async function createDatabase(name: string, template = 'template0'): Promise<string> {
  await onServer(async (client) => {
    await client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    await client.query(`ALTER DATABASE ${name} SET synchronous_commit TO off`);
  });
  return urlOf(name);
}

export const dropDatabase = (name: string) => onServer((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));

/**
 * The CPU the database's server backends have used so far (user + system, µs, from /proc), by
 * backend: PostgreSQL shares the machine, so its work per sign-in is part of the cost. Undefined
 * when the server is not on this machine (its processes are not in /proc).
 */
export async function backendCpu(database: string): Promise<Map<number, number> | undefined> {
  const pids = await onServer(
    async (client) => (await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database])).rows,
  );
  const ticks = 100; // USER_HZ on Linux
  const out = new Map<number, number>();
  for (const { pid } of pids) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return undefined;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1e6) / ticks);
  }
  return out;
}

/** CPU the database's backends spent between two readings, ms (a backend that started between counts from zero). */
export const backendCpuSpent = (before: Map<number, number> | undefined, after: Map<number, number> | undefined) =>
  before && after ? [...after].reduce((sum, [pid, micros]) => sum + micros - (before.get(pid) ?? 0), 0) / 1000 : undefined;

/** Sign-ins back to back, worker i on relay i mod n: the rate, and the CPU all relays spent per sign-in. */
async function throughputAcross(
  relays: RelayProcess[],
  clients: HttpClient[],
  inbox: PushInbox,
  phones: BenchPhone[],
  sizes: RelaysSizes,
  tag: string,
): Promise<{ rate: number; relayCpuMs: number; clientCpuMs: number }> {
  const run = async (total: number, label: string) => {
    let issued = 0;
    await Promise.all(
      Array.from({ length: sizes.high }, async (_, worker) => {
        while (issued < total) {
          issued++;
          await fullSignIn(clients[worker % clients.length], inbox, phones[worker], `${label}-desktop-${worker}`);
        }
      }),
    );
  };
  await run(sizes.warmup, `${tag}-warm`);
  const cpuBefore = await Promise.all(relays.map((r) => r.cpuMicros()));
  const clientBefore = process.cpuUsage();
  const start = performance.now();
  await run(sizes.signIns, tag);
  const seconds = (performance.now() - start) / 1000;
  const clientCpu = process.cpuUsage(clientBefore);
  const cpuAfter = await Promise.all(relays.map((r) => r.cpuMicros()));
  const cpu = cpuAfter.reduce((sum, after, i) => sum + after - cpuBefore[i], 0);
  return {
    rate: sizes.signIns / seconds,
    relayCpuMs: cpu / 1000 / sizes.signIns,
    clientCpuMs: (clientCpu.user + clientCpu.system) / 1000 / sizes.signIns,
  };
}

interface Waiter {
  phone: BenchPhone;
  created: Created;
  watch: ReturnType<typeof watchRequest>;
}

/**
 * `waiting` requests wait on relay A; each sample approves the oldest through B (cross) or A
 * (same), alternately, and measures from sending the answer to reading `approved` on A's event
 * stream; the request is redeemed and replaced, so `waiting` stays.
 */
async function crossRelayLatency(
  a: HttpClient,
  b: HttpClient,
  phones: BenchPhone[],
  sizes: RelaysSizes,
  run: number,
): Promise<{ same: number[]; cross: number[] }> {
  const streams = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const waiters: Waiter[] = [];
  let opened = 0;
  const open = async () => {
    const index = opened++;
    const phone = phones[index % phones.length];
    const created = await createRequest(a, phone, `latency-${run}-${index}`);
    const watch = watchRequest(a, created, streams);
    await watch.listening;
    waiters.push({ phone, created, watch });
  };
  try {
    for (let i = 0; i < sizes.waiting; i += 32) await Promise.all(Array.from({ length: Math.min(32, sizes.waiting - i) }, open));
    const same: number[] = [];
    const cross: number[] = [];
    for (let k = 0; k < sizes.samples * 2; k++) {
      const waiter = waiters.shift()!;
      const via = k % 2 === 0 ? b : a;
      const details = await readDetails(via, waiter.phone, waiter.created.requestId);
      const body = await prepareApproval(waiter.phone, details, waiter.created.number);
      // From sending the answer: on either relay the event may be read before the answer's response.
      const sentAt = performance.now();
      await sendApproval(via, waiter.created.requestId, body);
      const event = await waiter.watch.approved;
      (via === b ? cross : same).push(event.at - sentAt);
      await redeem(a, waiter.created);
      await open();
    }
    return { same, cross };
  } finally {
    for (const waiter of waiters) {
      waiter.watch.stream.close();
      waiter.watch.approved.catch(() => {});
    }
    streams.destroy();
  }
}

/**
 * The writes a call of one of the relay's functions makes, which its text does not show:
 * nod_limit_admit (PostgreSQL migration 10) drops windows' old events, adds the new ones and
 * bumps the admission's counter: three, as the statements it replaced were counted on the sign-in
 * path (whose push budget admits with a counter; a refusal, or one without a counter, writes less).
 */
const functionWrites: Record<string, number> = { nod_limit_admit: 3 };

/** How many INSERT, UPDATE or DELETE clauses a statement has (a data-modifying WITH holds several), and its functions' writes. */
const writeClauses = (sql: string) =>
  (sql.match(/\b(INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b/gi) ?? []).length +
  Object.entries(functionWrites).reduce((n, [name, writes]) => n + (sql.includes(`${name}(`) ? writes : 0), 0);

export async function severalRelaysFigure(
  report: Report,
  options: {
    runs: number;
    sizes: RelaysSizes;
    push: BenchPushEndpoint;
    inbox: PushInbox;
    say: (line: string) => void;
    sqlTrace: boolean;
    /** Write a V8 CPU profile of relay A during the one-relay throughput here. */
    profileDir?: string;
  },
): Promise<void> {
  const { sizes, say, inbox } = options;
  const prefix = `nod_bench_${process.pid}`;
  try {
    await onServer(async () => undefined);
  } catch (error) {
    report.skip('6', 'relays on PostgreSQL', `no PostgreSQL at NOD_BENCH_DATABASE_URL (${(error as Error).message})`, '>= 0.35, <= 3');
    return;
  }
  const snapshot = `${prefix}_snapshot`;
  const snapshotUrl = await createDatabase(snapshot);
  const phoneCount = Math.max(sizes.high, Math.ceil(sizes.waiting / 16));
  const t = performance.now();
  const world = await createWorld({ users: phoneCount, push: options.push, databaseUrl: snapshotUrl });
  say(`figure 6 set up: ${phoneCount} users on PostgreSQL in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const floor: CryptoFloor = await prepareCryptoFloor();
  const results: {
    floorOne: number;
    one: { rate: number; relayCpuMs: number; clientCpuMs: number; serverCpuMs?: number; os: OsPerSignIn };
    floorTwo: number;
    two: { rate: number; relayCpuMs: number; clientCpuMs: number };
    latency: { same: number[]; cross: number[] };
    sql?: { statements: number; writes: number; writeStatements: number; top: string[] };
  }[] = [];
  try {
    for (let run = 0; run < options.runs; run++) {
      const copy = `${prefix}_run${run + 1}`;
      const databaseUrl = await createDatabase(copy, snapshot);
      const a = await world.startRelay({ databaseUrl, sqlTrace: options.sqlTrace });
      const b = await startRelayProcess({
        publicUrl: benchPublicUrl,
        rpId: benchRpId,
        pushCa: options.push.ca,
        dataDir: a.dataDir,
        databaseUrl,
      });
      const [clientA, clientB] = [new HttpClient(a.url), new HttpClient(b.url)];
      try {
        let sql: (typeof results)[number]['sql'];
        if (options.sqlTrace) {
          await a.sqlStatements();
          const probes = 20;
          for (let i = 0; i < probes; i++) await fullSignIn(clientA, inbox, world.phones[0], 'sql-probe');
          const statements = await a.sqlStatements();
          const calls = (match: (sql: string) => boolean) => statements.filter((s) => match(s.sql)).reduce((n, s) => n + s.calls, 0);
          sql = {
            statements: calls(() => true) / probes,
            // Each INSERT, UPDATE or DELETE, also those one statement makes in its WITH clauses: the writes, however grouped.
            writes: statements.reduce((n, s) => n + s.calls * writeClauses(s.sql), 0) / probes,
            writeStatements: calls((text) => writeClauses(text) > 0) / probes,
            top: statements
              .sort((x, y) => y.calls - x.calls)
              .slice(0, 8)
              .map((s) => `${(s.calls / probes).toFixed(1)}× ${s.sql.slice(0, 60)}`),
          };
        }
        const floorOne = (await measureFloor(floor, sizes.floor)).rate;
        const serverBefore = await backendCpu(copy);
        const oneResult = await measureThroughput(a, clientA, inbox, world.phones, {
          concurrency: sizes.high,
          signIns: sizes.signIns,
          warmup: sizes.warmup,
          profileFile: options.profileDir && path.join(options.profileDir, `relay-postgres-c${sizes.high}-run${run + 1}.cpuprofile`),
        });
        // Warm-up included (measureThroughput runs it inside): per sign-in over all of them.
        const serverSpent = backendCpuSpent(serverBefore, await backendCpu(copy));
        const one = {
          rate: oneResult.rate,
          relayCpuMs: oneResult.relayCpuMs,
          clientCpuMs: oneResult.clientCpuMs,
          os: oneResult.os,
          ...(serverSpent === undefined ? {} : { serverCpuMs: serverSpent / (sizes.warmup + sizes.signIns) }),
        };
        const floorTwo = (await measureFloor(floor, sizes.floor)).rate;
        const two = await throughputAcross([a, b], [clientA, clientB], inbox, world.phones, sizes, `two-${run}`);
        const latency = await crossRelayLatency(clientA, clientB, world.phones, sizes, run);
        inbox.clear();
        results.push({ floorOne, one, floorTwo, two, latency, sql });
        const l = { same: latencySummary(latency.same), cross: latencySummary(latency.cross) };
        say(
          `figure 6 run ${run + 1}: floor ${floorOne.toFixed(0)}/s, one relay ${one.rate.toFixed(1)}/s (${one.relayCpuMs.toFixed(2)} ms relay CPU: ${describeOs(one.os)}${one.serverCpuMs === undefined ? '' : `, ${one.serverCpuMs.toFixed(2)} ms PostgreSQL backends`}, ${one.clientCpuMs.toFixed(2)} ms load generator), ` +
            `two relays ${two.rate.toFixed(1)}/s (${two.relayCpuMs.toFixed(2)} ms); at ${sizes.waiting} waiting: same relay p50/p99 ${l.same.p50.toFixed(1)}/${l.same.p99.toFixed(1)} ms, ` +
            `cross ${l.cross.p50.toFixed(1)}/${l.cross.p99.toFixed(1)} ms${sql ? `; ${sql.statements.toFixed(1)} statements, ${sql.writes.toFixed(1)} writes in ${sql.writeStatements.toFixed(1)} statements per sign-in` : ''}`,
        );
      } finally {
        clientA.close();
        clientB.close();
        await b.stop();
        await a.dispose();
        await dropDatabase(copy);
      }
    }
  } finally {
    world.dispose();
    await dropDatabase(snapshot);
  }
  const p99 = (samples: number[]) => latencySummary(samples).p99;
  report.add(
    '6',
    `PostgreSQL: sign-in throughput, one relay, c=${sizes.high}`,
    'sign-ins/s',
    results.map((r) => r.one.rate),
  );
  report.add(
    '6',
    `PostgreSQL: throughput c=${sizes.high} ÷ floor`,
    'ratio',
    results.map((r) => r.one.rate / r.floorOne),
    { text: '>= 0.35', test: (m) => m >= 0.35 },
  );
  report.add(
    '6',
    `PostgreSQL: sign-in throughput, two relays, c=${sizes.high}`,
    'sign-ins/s',
    results.map((r) => r.two.rate),
  );
  report.add(
    '6',
    'PostgreSQL: two relays ÷ one relay',
    'ratio',
    results.map((r) => r.two.rate / r.one.rate),
  );
  report.add(
    '6',
    `approve on B → event on A, p99 at ${sizes.waiting} waiting`,
    'ms',
    results.map((r) => p99(r.latency.cross)),
  );
  report.add(
    '6',
    `approve on A → event on A, p99 at ${sizes.waiting} waiting`,
    'ms',
    results.map((r) => p99(r.latency.same)),
  );
  report.add(
    '6',
    'cross-relay p99 ÷ same-relay p99',
    'ratio',
    results.map((r) => p99(r.latency.cross) / Math.max(p99(r.latency.same), 0.001)),
    { text: '<= 3', test: (m) => m <= 3 },
  );
  if (results[0]?.sql) {
    report.add(
      '6',
      'PostgreSQL: statements per sign-in (relay → server, BEGIN/COMMIT included)',
      'count',
      results.map((r) => r.sql!.statements),
    );
    report.add(
      '6',
      'PostgreSQL: writes per sign-in (INSERT/UPDATE/DELETE, in WITH too)',
      'count',
      results.map((r) => r.sql!.writes),
    );
    report.add(
      '6',
      'PostgreSQL: statements that write, per sign-in',
      'count',
      results.map((r) => r.sql!.writeStatements),
    );
    report.note(`Figure 6: most frequent statements per sign-in (run 1): ${results[0].sql.top.join('; ')}.`);
  }
  report.note(
    `Figure 6: relays in their own processes on a fresh copy of a prepared PostgreSQL database (server at NOD_BENCH_DATABASE_URL, default the tests' one; synchronous_commit off, as SQLite's synchronous=NORMAL); ` +
      `relay CPU per sign-in (median): one relay ${median(results.map((r) => r.one.relayCpuMs)).toFixed(2)} ms, two relays together ${median(results.map((r) => r.two.relayCpuMs)).toFixed(2)} ms; ` +
      `load generator CPU per sign-in (median; this process: the desktops, the phones and the push endpoint, bench/lib/http.ts and signIn.ts): one relay ${median(results.map((r) => r.one.clientCpuMs)).toFixed(2)} ms, two relays ${median(results.map((r) => r.two.clientCpuMs)).toFixed(2)} ms. ` +
      (results.every((r) => r.one.serverCpuMs !== undefined)
        ? `PostgreSQL CPU per sign-in, one relay (median; its backends for the database, from /proc, warm-up included; not its background writers): ${median(results.map((r) => r.one.serverCpuMs!)).toFixed(2)} ms. `
        : '') +
      `Two relays: worker i on relay i mod 2. Latency: ${sizes.samples} samples each way per run, alternating; a sample is from sending the answer (to B, or to A) to reading 'approved' on relay A's event stream. ` +
      'PostgreSQL itself shares the same cores.',
  );
}
