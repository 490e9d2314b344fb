/**
 * `npm run bench` — Nod's benchmarks (see bench/README.md). Prints one table and writes the same
 * figures as JSON (bench/results/latest.json). Every comparison is a ratio of two things measured
 * in the same run, and every figure is repeated (min / median / max over runs), because these
 * machines are shared and noisy.
 *
 *   npm run bench                       all figures, 3 runs each
 *   npm run bench -- --runs 5           more runs
 *   npm run bench -- --only signin,push figures: signin (1), latency (2 and 3), push (4), clients (5),
 *                                       relays (6: PostgreSQL, one and two relays, events across relays)
 *   npm run bench -- --quick            tiny sizes (the smoke test uses this)
 *   npm run bench -- --profile          also write V8 CPU profiles of the relay during the measured phases to
 *                                       bench/results/profiles (read them with bench/tools/profileSummary.ts)
 *   npm run bench -- --sql-trace        also count and time the relay's SQLite statements per sign-in (figure 1 notes),
 *                                       and its PostgreSQL statements and writes per sign-in (figure 6)
 *   npm run bench -- --heap             also write relay heap snapshots before any waiter and at the first level
 *                                       (bench/results/profiles; compare them with bench/tools/heapDiff.ts)
 *   npm run bench -- --out FILE         write the JSON elsewhere
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type LatencyRun, measureLatency } from './figures/approvalLatency';
import { bareStreamCost } from './figures/bareStreams';
import { measureClients } from './figures/clients';
import { measureFloor, measureSteps, prepareCryptoFloor } from './figures/cryptoFloor';
import { measurePushSending } from './figures/pushSending';
import { severalRelaysFigure } from './figures/severalRelays';
import {
  type CheckpointComparison,
  type ThroughputResult,
  compareCheckpoints,
  measureThroughput,
  relayCpuPerStep,
  relayHttpCost,
  describeOs,
  runSignIns,
} from './figures/signInThroughput';
import { HttpClient } from './lib/http';
import { categorize, loadProfile } from './lib/profile';
import { startPushEndpoint } from './lib/pushEndpoint';
import { benchDir } from './lib/relayProcess';
import { journalSizeLimitBytes, walAutocheckpointPages } from '../server/storage/sqlite/openDatabase';
import { Report, fmt } from './lib/report';
import { PushInbox } from './lib/signIn';
import { median } from './lib/stats';
import { type BenchWorld, createWorld } from './lib/world';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'sql-trace': { type: 'boolean', default: false },
    heap: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

const quick = args.quick!;
const runs = Number(args.runs ?? (quick ? 1 : 3));
const only = new Set((args.only ?? 'signin,latency,push,clients,relays').split(',').map((s) => s.trim()));
const out = path.resolve(args.out ?? path.join(benchDir, 'results/latest.json'));
const profileDir = args.profile ? path.join(benchDir, 'results/profiles') : undefined;

const sizes = quick
  ? {
      probe: 3,
      floor: 30,
      c1: 3,
      c64: 8,
      high: 4,
      warmup: 2,
      levels: [10, 30],
      samples: 5,
      minSeconds: 0,
      pings: 2,
      push: 40,
      pushPairs: 1,
      pushConcurrency: 8,
      clientRuns: 1,
      compareRounds: 2,
      comparePerRound: 4,
      relays: { high: 4, signIns: 8, warmup: 2, waiting: 30, samples: 5, floor: 30 },
    }
  : {
      probe: 100,
      floor: 1000,
      c1: 200,
      c64: 1500,
      high: 64,
      warmup: 128,
      levels: [1000, 10_000],
      samples: 300,
      minSeconds: 16,
      pings: 3,
      push: 3000,
      pushPairs: runs,
      pushConcurrency: 32,
      clientRuns: 5,
      compareRounds: 8,
      comparePerRound: 200,
      relays: { high: 64, signIns: 400, warmup: 1500, waiting: 1000, samples: 100, floor: 1000 },
    };

const say = (line: string) => process.stderr.write(`${line}\n`);
const mib = (bytes: number | undefined) => (bytes === undefined ? '?' : (bytes / 2 ** 20).toFixed(1));

async function main(): Promise<void> {
  if (profileDir || args.heap) fs.mkdirSync(path.join(benchDir, 'results/profiles'), { recursive: true });
  const started = performance.now();
  const report = new Report();
  say(
    `nod bench: ${quick ? 'quick, ' : ''}${runs} run(s) per figure; ${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const push = await startPushEndpoint();
  const inbox = new PushInbox();
  push.onPayload = (payload) => inbox.deliver(payload);
  let world: BenchWorld | undefined;
  try {
    if (only.has('signin') || only.has('latency')) {
      const phones = Math.max(sizes.high, only.has('latency') ? Math.ceil(Math.max(...sizes.levels) / 17) : 0);
      const t = performance.now();
      world = await createWorld({ users: phones, push });
      say(`set up: ${phones} users with enrolled phones in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    if (only.has('signin')) await signInFigure(report, world!, inbox);
    if (only.has('latency')) await latencyFigures(report, world!, inbox);
    if (only.has('push')) await pushFigure(report, push);
    if (only.has('clients')) await measureClients(report, { runs: sizes.clientRuns, quick, say });
    if (only.has('relays')) {
      await severalRelaysFigure(report, { runs, sizes: sizes.relays, push, inbox, say, sqlTrace: args['sql-trace']!, profileDir });
    }
  } finally {
    world?.dispose();
    await push.close();
  }
  const failures = push.stats.failures;
  if (failures.length) report.note(`push endpoint refused or could not check: ${failures.slice(0, 3).join('; ')}`);
  console.log(report.table());
  report.write(out, { quick, runs, only: [...only], seconds: (performance.now() - started) / 1000 });
  say(`\nwrote ${path.relative(process.cwd(), out)} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

async function signInFigure(report: Report, world: BenchWorld, inbox: PushInbox): Promise<void> {
  const floor = await prepareCryptoFloor();
  // The floor is measured right before each throughput measurement it is compared with.
  const floorLow: number[] = [];
  const floorHigh: number[] = [];
  const floorCpuHigh: number[] = [];
  const low: ThroughputResult[] = [];
  const high: ThroughputResult[] = [];
  /** Each run's relay against one that checkpoints as before issue 19 (a PASSIVE worker), in alternating bursts. */
  const checkpointRuns: CheckpointComparison[] = [];
  const perStep: Record<string, number>[] = [];
  const httpCost: { fastify: number; bare: number }[] = [];
  for (let run = 0; run < runs; run++) {
    const relay = await world.startRelay();
    const client = new HttpClient(relay.url);
    try {
      // First, while both relays are fresh: the same history for each.
      const legacy = await world.startRelay({ checkpoints: 'passive-worker' });
      const legacyClient = new HttpClient(legacy.url);
      try {
        checkpointRuns.push(
          await compareCheckpoints(
            {
              now: { relay, client, walFile: path.join(relay.dataDir, 'nod.sqlite-wal') },
              before: { relay: legacy, client: legacyClient, walFile: path.join(legacy.dataDir, 'nod.sqlite-wal') },
            },
            inbox,
            world.phones,
            { concurrency: sizes.high, rounds: sizes.compareRounds, perRound: sizes.comparePerRound, warmup: sizes.warmup },
          ),
        );
      } finally {
        legacyClient.close();
        await legacy.dispose();
      }
      floorLow.push((await measureFloor(floor, sizes.floor)).rate);
      low.push(await measureThroughput(relay, client, inbox, world.phones, { concurrency: 1, signIns: sizes.c1, warmup: sizes.warmup }));
      const floorBeforeHigh = await measureFloor(floor, sizes.floor);
      floorHigh.push(floorBeforeHigh.rate);
      floorCpuHigh.push(floorBeforeHigh.cpuMicrosPerSignIn / 1000);
      high.push(
        await measureThroughput(relay, client, inbox, world.phones, {
          concurrency: sizes.high,
          signIns: sizes.c64,
          warmup: sizes.warmup,
          profileFile: profileDir && path.join(profileDir, `relay-signin-c${sizes.high}-run${run + 1}.cpuprofile`),
          walFile: path.join(relay.dataDir, 'nod.sqlite-wal'),
        }),
      );
      perStep.push(await relayCpuPerStep(relay, client, inbox, world.phones[0], sizes.probe));
      httpCost.push(await relayHttpCost(relay, sizes.c64 * 4, sizes.high));
    } finally {
      client.close();
      await relay.dispose();
    }
    const compared = checkpointRuns[run];
    say(
      `figure 1 run ${run + 1}: floor ${floorLow[run].toFixed(0)}/${floorHigh[run].toFixed(0)}/s, c=1 ${low[run].rate.toFixed(1)}/s, c=${sizes.high} ${high[run].rate.toFixed(1)}/s (peak WAL ${mib(high[run].peakWalBytes)} MiB), relay CPU ${high[run].relayCpuMs.toFixed(2)} ms/sign-in (${describeOs(high[run].os)}); ` +
        `alternating bursts: ${compared.rate.now.toFixed(1)}/s (peak WAL ${mib(compared.peakWalBytes.now)} MiB) vs checkpoints as before issue 19 ${compared.rate.before.toFixed(1)}/s (peak WAL ${mib(compared.peakWalBytes.before)} MiB), pair ratios ${compared.pairRatios.map((r) => r.toFixed(2)).join(' ')}, ` +
        `event-loop delay p99/max ${compared.loopDelay.now.p99.toFixed(0)}/${compared.loopDelay.now.max.toFixed(0)} vs ${compared.loopDelay.before.p99.toFixed(0)}/${compared.loopDelay.before.max.toFixed(0)} ms`,
    );
  }
  const floorRates = [...floorLow, ...floorHigh];
  const steps = await measureSteps(floor, sizes.floor);
  report.add('1', "crypto floor (one sign-in's crypto, one process)", 'sign-ins/s', floorRates);
  report.add(
    '1',
    'sign-in throughput, concurrency 1',
    'sign-ins/s',
    low.map((r) => r.rate),
  );
  report.add(
    '1',
    `sign-in throughput, concurrency ${sizes.high}`,
    'sign-ins/s',
    high.map((r) => r.rate),
  );
  report.add(
    '1',
    `peak write-ahead log during c=${sizes.high}`,
    'MiB',
    high.map((r) => (r.peakWalBytes ?? Number.NaN) / 2 ** 20),
    { text: '<= 64', test: (m) => m <= 64 },
  );
  report.add(
    '1',
    `sign-in throughput c=${sizes.high}, alternating bursts: the relay`,
    'sign-ins/s',
    checkpointRuns.map((r) => r.rate.now),
  );
  report.add(
    '1',
    `sign-in throughput c=${sizes.high}, alternating bursts: checkpoints as before issue 19`,
    'sign-ins/s',
    checkpointRuns.map((r) => r.rate.before),
  );
  report.add(
    '1',
    `throughput c=${sizes.high}: the relay ÷ checkpoints as before (median of burst pairs)`,
    'ratio',
    checkpointRuns.map((r) => median(r.pairRatios)),
    { text: '>= 0.95', test: (m) => m >= 0.95 },
  );
  report.add(
    '1',
    `relay event-loop delay p99, alternating bursts: the relay`,
    'ms',
    checkpointRuns.map((r) => r.loopDelay.now.p99),
  );
  report.add(
    '1',
    `relay event-loop delay p99, alternating bursts: checkpoints as before issue 19`,
    'ms',
    checkpointRuns.map((r) => r.loopDelay.before.p99),
  );
  report.add(
    '1',
    `peak write-ahead log, alternating bursts: the relay`,
    'MiB',
    checkpointRuns.map((r) => r.peakWalBytes.now / 2 ** 20),
    { text: '<= 64', test: (m) => m <= 64 },
  );
  report.add(
    '1',
    `peak write-ahead log, alternating bursts: checkpoints as before issue 19`,
    'MiB',
    checkpointRuns.map((r) => r.peakWalBytes.before / 2 ** 20),
  );
  report.add(
    '1',
    'throughput c=1 ÷ floor',
    'ratio',
    low.map((r, i) => r.rate / floorLow[i]),
  );
  report.add(
    '1',
    `throughput c=${sizes.high} ÷ floor`,
    'ratio',
    high.map((r, i) => r.rate / floorHigh[i]),
    {
      text: '>= 0.5',
      test: (m) => m >= 0.5,
    },
  );
  report.add(
    '1',
    'delivery c=1: create → phone receipt p50 (through the loopback push service)',
    'ms',
    low.map((r) => r.delivery.p50),
  );
  report.add(
    '1',
    'delivery c=1: create → receipt p50 ÷ loopback round trip p50',
    'ratio',
    low.map((r) => r.delivery.p50 / r.delivery.loopback.p50),
  );
  report.add(
    '1',
    `delivery c=${sizes.high}: create → phone receipt p50`,
    'ms',
    high.map((r) => r.delivery.p50),
  );
  report.add(
    '1',
    `delivery c=${sizes.high}: create → phone receipt p99`,
    'ms',
    high.map((r) => r.delivery.p99),
  );
  report.add(
    '1',
    `delivery c=${sizes.high}: create → receipt p99 ÷ loopback round trip p99`,
    'ratio',
    high.map((r) => r.delivery.p99 / r.delivery.loopback.p99),
  );
  report.add(
    '1',
    `delivery c=${sizes.high}: share of requests acknowledged within 1 s`,
    '%',
    high.map((r) => r.delivery.withinOneSecond * 100),
  );
  report.add(
    '1',
    `floor CPU ÷ relay CPU per sign-in at c=${sizes.high}`,
    'ratio',
    high.map((r, i) => floorCpuHigh[i] / r.relayCpuMs),
  );
  report.note(
    `Figure 1: the relay runs in its own process (node --import tsx bench/processes/relay.ts, SQLite WAL in a copy of a prepared data directory under os.tmpdir(), log level warn); ` +
      `this process is the load generator, the desktops, the phones and the loopback HTTPS push endpoint (which decrypts every push with http_ece). ` +
      `Each sign-in: create → push → receipt (device-signed POST) → details (device-signed GET) → approve (assertion + device signature) → 'approved' on the event stream → redeem. ` +
      `Floor µs per step: ${Object.entries(steps)
        .map(([k, v]) => `${k} ${v.toFixed(0)}`)
        .join(', ')}.`,
  );
  const cpu = (list: ThroughputResult[], key: 'relayCpuMs' | 'clientCpuMs') => median(list.map((r) => r[key])).toFixed(2);
  report.note(
    `Figure 1: CPU per sign-in (median): relay ${cpu(low, 'relayCpuMs')} ms at c=1, ${cpu(high, 'relayCpuMs')} ms at c=${sizes.high}; ` +
      `load generator ${cpu(low, 'clientCpuMs')} / ${cpu(high, 'clientCpuMs')} ms; floor ${median(floorCpuHigh).toFixed(2)} ms CPU (${(1000 / median(floorRates)).toFixed(2)} ms wall). ` +
      `Median step times at c=1 (ms): ${Object.entries(low[Math.floor(low.length / 2)].steps)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', ')}.`,
  );
  report.note(
    `Figure 1: HTTP alone in the relay process (CPU per keep-alive GET at c=${sizes.high}, median): Fastify GET /health ${median(httpCost.map((h) => h.fastify)).toFixed(0)} µs, ` +
      `bare node:http ${median(httpCost.map((h) => h.bare)).toFixed(0)} µs. A sign-in is 5 API calls + 1 event stream + 1 outgoing HTTPS push.`,
  );
  const stepNames = Object.keys(perStep[0]);
  report.note(
    `Figure 1: relay CPU per step of one sign-in at c=1 (median µs, relay's CPU clock read between steps): ${stepNames
      .map((name) => `${name} ${median(perStep.map((p) => p[name])).toFixed(0)}`)
      .join(', ')}.`,
  );
  if (profileDir) {
    const shares = high.map((_, run) =>
      categorize(loadProfile(path.join(profileDir, `relay-signin-c${sizes.high}-run${run + 1}.cpuprofile`))),
    );
    const names = Object.keys(shares[0]);
    report.note(
      `Figure 1 (--profile): relay CPU at c=${sizes.high} by kind of work (median share of sampled time × relay CPU per sign-in): ${names
        .map((name) => {
          const share = median(shares.map((s) => s[name] ?? 0));
          return `${name} ${(100 * share).toFixed(0)}% ≈ ${(share * median(high.map((r) => r.relayCpuMs)) * 1000).toFixed(0)} µs`;
        })
        .join(', ')}. Profiles: bench/results/profiles/.`,
    );
  }
  if (args['sql-trace']) await sqlTrace(report, world, inbox);
  report.note(
    `Figure 1: the write-ahead log: a worker thread copies it back every 100 ms and SQLite's automatic checkpoint (every ${walAutocheckpointPages} pages, on the committing connection) copies the rest, ` +
      `which completes, so the log starts over; journal_size_limit ${journalSizeLimitBytes / 2 ** 20} MiB. "As before issue 19" is the same relay with automatic checkpoints off and only a worker running a PASSIVE ` +
      `checkpoint every second (bench/processes/passiveCheckpointWorker.ts). Each run starts one of each on its own copy of the data; first, while both are fresh, they get alternating bursts ` +
      `of ${sizes.comparePerRound} sign-ins at c=${sizes.high} (${sizes.compareRounds} each, which goes first alternating), so load changes on this shared machine meet both alike; the ratio is the median over burst pairs. ` +
      `Peak WAL is the largest -wal file seen (a stat every 25 ms from this process), warm-ups included.`,
  );
  report.details.signIn = {
    floorRates,
    floorCpuMs: floorCpuHigh,
    floorSteps: steps,
    concurrency1: low,
    concurrencyHigh: high,
    checkpointComparison: checkpointRuns,
    relayCpuPerStep: perStep,
    httpCost,
  };
}

/**
 * What one sign-in costs in SQLite statements, commits and log pages: one at a time, and at the high
 * concurrency, where the group commit (server/storage/sqlite/groupCommit.ts) puts the calls of one
 * event-loop turn in one transaction.
 */
async function sqlTrace(report: Report, world: BenchWorld, inbox: PushInbox): Promise<void> {
  for (const concurrency of [1, sizes.high]) await sqlTraceAt(report, world, inbox, concurrency);
}

/** One relay with every SQLite statement timed: what one sign-in costs in statements. */
async function sqlTraceAt(report: Report, world: BenchWorld, inbox: PushInbox, concurrency: number): Promise<void> {
  const relay = await world.startRelay({ sqlTrace: true });
  const client = new HttpClient(relay.url);
  try {
    await runSignIns(client, inbox, world.phones, concurrency, sizes.warmup, 'sql-warm');
    await relay.sqlStatements();
    const n = concurrency === 1 ? sizes.probe : sizes.probe * 4;
    await relay.wal('start');
    const cpuBefore = await relay.cpuMicros();
    await runSignIns(client, inbox, world.phones, concurrency, n, 'sql');
    const cpuAfter = await relay.cpuMicros();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const wal = await relay.wal('read');
    const statements = (await relay.sqlStatements()).sort((a, b) => b.micros - a.micros);
    const calls = statements.reduce((k, s) => k + s.calls, 0) / n;
    const writes = statements.filter((s) => /^(INSERT|UPDATE|DELETE)/i.test(s.sql)).reduce((k, s) => k + s.calls, 0) / n;
    const commits = statements.filter((s) => /^COMMIT/i.test(s.sql)).reduce((k, s) => k + s.calls, 0) / n;
    const micros = statements.reduce((k, s) => k + s.micros, 0) / n;
    report.note(
      `Figure 1 (--sql-trace, c=${concurrency}): ${calls.toFixed(1)} SQLite statements per sign-in (${writes.toFixed(1)} writes, ${commits.toFixed(2)} COMMITs), ${micros.toFixed(0)} µs wall, relay CPU ${((cpuAfter - cpuBefore) / n / 1000).toFixed(2)} ms/sign-in (traced), ${(wal.bytes / n / 1024).toFixed(0)} KiB (${(wal.bytes / n / (wal.pageSize ?? 4096)).toFixed(1)} pages) written to the WAL; top: ${statements
        .slice(0, 8)
        .map((s) => `${(s.micros / n).toFixed(0)} µs × ${(s.calls / n).toFixed(2)} "${s.sql.slice(0, 60)}…"`)
        .join('; ')}.`,
    );
    report.details[`sqlTraceC${concurrency}`] = statements.map((s) => ({
      ...s,
      callsPerSignIn: s.calls / n,
      microsPerSignIn: s.micros / n,
    }));
  } finally {
    client.close();
    await relay.dispose();
  }
}

async function latencyFigures(report: Report, world: BenchWorld, inbox: PushInbox): Promise<void> {
  const results: LatencyRun[] = [];
  for (let run = 0; run < runs; run++) {
    const relay = await world.startRelay();
    try {
      const result = await measureLatency(world, relay, inbox, {
        levels: sizes.levels,
        samples: sizes.samples,
        minSeconds: sizes.minSeconds,
        pingsPerSample: sizes.pings,
        say,
        heapSnapshots: args.heap && run === 0 ? path.join(benchDir, 'results/profiles/relay-waiters') : undefined,
        cpuProfiles: profileDir && path.join(profileDir, `relay-waiting-run${run + 1}`),
      });
      results.push(result);
      say(
        `figure 2/3 run ${run + 1}: ${result.levels
          .map(
            (l) =>
              `${l.waiters} waiting: p50 ${l.latency.p50.toFixed(2)} p99 ${l.latency.p99.toFixed(2)} ms (loopback p99 ${l.loopback.p99.toFixed(2)})`,
          )
          .join('; ')}; ${(result.rssPerWaiter / 1024).toFixed(1)} KB/waiter`,
      );
    } finally {
      await relay.dispose();
    }
  }
  sizes.levels.forEach((level, i) => {
    const at = results.map((r) => r.levels[i]);
    const first = i === 0;
    report.add(
      '2',
      `approval → desktop p50, ${level} waiting`,
      'ms',
      at.map((l) => l.latency.p50),
    );
    report.add(
      '2',
      `approval → desktop p99, ${level} waiting`,
      'ms',
      at.map((l) => l.latency.p99),
    );
    report.add(
      '2',
      `bare loopback round trip p50, ${level} waiting`,
      'ms',
      at.map((l) => l.loopback.p50),
    );
    report.add(
      '2',
      `bare loopback round trip p99, ${level} waiting`,
      'ms',
      at.map((l) => l.loopback.p99),
    );
    report.add(
      '2',
      `approval p99 ÷ loopback p99, ${level} waiting`,
      'ratio',
      at.map((l) => l.ratioP99),
      first ? { text: '<= 3', test: (m) => m <= 3 } : undefined,
    );
    report.add(
      '2',
      `relay RSS with ${level} waiting`,
      'MiB',
      at.map((l) => l.relay.rss / 2 ** 20),
    );
  });
  const top = sizes.levels[sizes.levels.length - 1];
  const bare: { rssPerStream: number; heapPerStream: number }[] = [];
  const bareFastify: { rssPerStream: number; heapPerStream: number }[] = [];
  for (let run = 0; run < runs; run++) {
    bare.push(await bareStreamCost(top, 'node'));
    bareFastify.push(await bareStreamCost(top, 'fastify'));
  }
  report.add(
    '3',
    `relay RSS per waiting sign-in at ${top}`,
    'KB',
    results.map((r) => r.rssPerWaiter / 1000),
    {
      text: '<= 10',
      test: (m) => m <= 10,
    },
  );
  report.add(
    '3',
    `relay JS heap per waiting sign-in at ${top}`,
    'KB',
    results.map((r) => r.heapPerWaiter / 1000),
  );
  report.add(
    '3',
    `bare node:http: RSS per held event stream at ${top}`,
    'KB',
    bare.map((b) => b.rssPerStream / 1000),
  );
  report.add(
    '3',
    `bare node:http: JS heap per held event stream at ${top}`,
    'KB',
    bare.map((b) => b.heapPerStream / 1000),
  );
  report.add(
    '3',
    `bare Fastify (hijacked route): RSS per held event stream at ${top}`,
    'KB',
    bareFastify.map((b) => b.rssPerStream / 1000),
  );
  report.add(
    '3',
    `bare Fastify (hijacked route): JS heap per held event stream at ${top}`,
    'KB',
    bareFastify.map((b) => b.heapPerStream / 1000),
  );
  report.note(
    `Figure 3: the relay's young generation (V8's new space, committed, in RSS) at rest → at ${top} waiting, per run: ` +
      results.map((r) => `${mib(r.baseline.youngGeneration)} → ${mib(r.levels[r.levels.length - 1].relay.youngGeneration)}`).join(', ') +
      ' MiB; what it grows by is counted in the RSS per waiter, not in the JS heap per waiter.',
  );
  report.note(
    `Figures 2/3: each waiter is a real pending request (enrolled user, pushed, collector stream open and 'pending' received); ` +
      `a sample approves one (device-signed details, assertion, device signature), times answer-read → 'approved'-read in this process, redeems it and opens a replacement. ` +
      `The loopback round trip is a keep-alive GET to a bare node:http server inside the relay process, interleaved with the samples. ` +
      `Approval send → event p99 (includes the relay's answer work): ${results.map((r) => r.levels.map((l) => fmt(l.sendToEvent.p99)).join('/')).join(', ')} ms; ` +
      `Fastify /health p99: ${results.map((r) => r.levels.map((l) => fmt(l.health.p99)).join('/')).join(', ')} ms. ` +
      `Samples per level ${results.map((r) => r.levels.map((l) => l.samples).join('/')).join(', ')} over ≥ ${sizes.minSeconds} s each (a 15 s heartbeat round falls inside); ` +
      `relay event-loop delay max while sampling ${results.map((r) => r.levels.map((l) => fmt(l.loopDelay.max)).join('/')).join(', ')} ms. ` +
      `RSS per waiter = (RSS after GC with ${top} waiting − RSS after GC before any) / ${top}; opening waiters took ${fmt(median(results.map((r) => r.secondsPer1000Waiters)))} s per 1,000.`,
  );
  report.details.latency = results;
  report.details.bareStreams = { node: bare, fastify: bareFastify };
}

async function pushFigure(report: Report, push: Awaited<ReturnType<typeof startPushEndpoint>>): Promise<void> {
  const results = await measurePushSending(push, {
    count: sizes.push,
    concurrency: sizes.pushConcurrency,
    pairs: sizes.pushPairs,
    subscriptions: 64,
  });
  for (const r of results)
    say(`figure 4: nod ${r.nod.rate.toFixed(0)}/s, web-push ${r.webPush.rate.toFixed(0)}/s, ratio ${r.ratio.toFixed(2)}`);
  report.add(
    '4',
    'pushes/s, Nod sender',
    'pushes/s',
    results.map((r) => r.nod.rate),
  );
  report.add(
    '4',
    'pushes/s, web-push sendNotification',
    'pushes/s',
    results.map((r) => r.webPush.rate),
  );
  report.add(
    '4',
    'Nod ÷ web-push',
    'ratio',
    results.map((r) => r.ratio),
    { text: '>= 1.5', test: (m) => m >= 1.5 },
  );
  const failed = results.reduce((n, r) => n + r.nod.failed + r.webPush.failed, 0);
  const checked = results.reduce((n, r) => n + r.nod.checked + r.webPush.checked, 0);
  const checkFailures = results.flatMap((r) => [...r.nod.checkFailures, ...r.webPush.checkFailures]);
  report.note(
    `Figure 4: ${sizes.push} pushes per phase, ${sizes.pushConcurrency} in flight, 64 subscriptions, alternating order; senders in a child process, ` +
      `endpoint here (201 at once, ${checked} sampled messages fully checked: VAPID + http_ece${checkFailures.length ? `; FAILED: ${checkFailures[0]}` : ', all good'}; ${failed} sends failed). ` +
      `Sender CPU per push: Nod ${fmt(median(results.map((r) => r.nod.cpuMsPerPush)))} ms, web-push ${fmt(median(results.map((r) => r.webPush.cpuMsPerPush)))} ms.`,
  );
  report.details.push = results;
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
