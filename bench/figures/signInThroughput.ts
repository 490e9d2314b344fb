/**
 * Figure 1: full passwordless sign-ins per second through the relay's HTTP API at a given
 * concurrency. Each worker is a distinct user with a distinct desktop (collector key), so no
 * fatigue limit or supersede rule couples them; each runs sign-ins back to back.
 */
import { HttpClient } from '../lib/http';
import { profileThisProcess } from '../lib/profile';
import type { RelayProcess, RelayStats } from '../lib/relayProcess';
import { type PushInbox, type SignInTimings, fullSignIn } from '../lib/signIn';
import { latencySummary, median } from '../lib/stats';
import { sampleWal } from '../lib/walSampler';
import type { BenchPhone } from '../lib/world';

export interface ThroughputResult {
  concurrency: number;
  signIns: number;
  seconds: number;
  rate: number;
  /** CPU the relay process spent per sign-in (user + system), ms. */
  relayCpuMs: number;
  /** CPU this process (the load generator and push endpoint) spent per sign-in, ms. */
  clientCpuMs: number;
  /** Per sign-in, what the kernel counts for the relay (see osPerSignIn). */
  os: OsPerSignIn;
  /** Median time of each step, ms. */
  steps: Record<keyof SignInTimings, number>;
  /** The largest the relay's write-ahead log file got, warm-up included (when its path was given). */
  peakWalBytes?: number;
  /**
   * Delivery under this load: create → the phone's receipt answered (through the loopback push
   * service), p50/p99 in ms; the share of requests whose receipt came within 1 s; and the bare
   * loopback round trip to the relay process measured right after, for the ratio.
   */
  delivery: { p50: number; p99: number; withinOneSecond: number; loopback: { p50: number; p99: number } };
}

/** The relay's system CPU and main-thread CPU (ms), read/write system calls and context switches per sign-in. */
export interface OsPerSignIn {
  systemMs: number;
  mainThreadMs?: number;
  reads?: number;
  writes?: number;
  switches: number;
  /** CPU (ms) by thread name, the busiest first. */
  threads?: Record<string, number>;
}

export function osPerSignIn(before: RelayStats, after: RelayStats, signIns: number): OsPerSignIn {
  const per = (a: number | undefined, b: number | undefined, scale = 1) =>
    a === undefined || b === undefined ? undefined : (b - a) / scale / signIns;
  return {
    systemMs: (after.systemMicros - before.systemMicros) / 1000 / signIns,
    mainThreadMs: per(before.mainThreadMicros, after.mainThreadMicros, 1000),
    reads: per(before.readCalls, after.readCalls),
    writes: per(before.writeCalls, after.writeCalls),
    switches: (after.contextSwitches - before.contextSwitches) / signIns,
    threads:
      after.threadMicros &&
      Object.fromEntries(
        Object.entries(after.threadMicros)
          .map(([name, micros]) => [name, (micros - (before.threadMicros?.[name] ?? 0)) / 1000 / signIns] as const)
          .sort((a, b) => b[1] - a[1]),
      ),
  };
}

/** One line of osPerSignIn for a figure's notes. */
export const describeOs = (os: OsPerSignIn) =>
  `${os.systemMs.toFixed(2)} ms of it in the kernel${os.mainThreadMs === undefined ? '' : `, ${os.mainThreadMs.toFixed(2)} ms on the main thread`}` +
  `${os.reads === undefined ? '' : `, ${os.reads.toFixed(1)} reads and ${os.writes!.toFixed(1)} writes (system calls)`}, ${os.switches.toFixed(1)} context switches${
    os.threads
      ? `; by thread: ${Object.entries(os.threads)
          .filter(([, ms]) => ms >= 0.01)
          .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
          .join(', ')} ms`
      : ''
  }`;

/** The bare loopback HTTP round trip to the node:http server inside the relay process, ms. */
async function loopbackRoundTrip(relay: RelayProcess, count: number): Promise<{ p50: number; p99: number }> {
  const client = new HttpClient(relay.pingUrl);
  try {
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await client.ping('/');
      samples.push(performance.now() - start);
    }
    const summary = latencySummary(samples);
    return { p50: summary.p50, p99: summary.p99 };
  } finally {
    client.close();
  }
}

/**
 * Sign-ins one at a time with the relay's CPU clock read between steps: the relay's CPU per
 * step (median µs), less the median cost of a read itself.
 */
export async function relayCpuPerStep(
  relay: RelayProcess,
  client: HttpClient,
  inbox: PushInbox,
  phone: BenchPhone,
  count: number,
): Promise<Record<string, number>> {
  const probe = { read: () => relay.cpuMicros(), relayCpu: {} as Record<string, number[]> };
  const idle: number[] = [];
  for (let i = 0; i < count; i++) {
    const a = await relay.cpuMicros();
    idle.push((await relay.cpuMicros()) - a);
    await fullSignIn(client, inbox, phone, 'probe-desktop', probe);
  }
  const readCost = median(idle);
  const out: Record<string, number> = {};
  let total = 0;
  for (const [step, values] of Object.entries(probe.relayCpu)) {
    out[step] = Math.max(0, median(values) - readCost);
    total += out[step];
  }
  out.total = total;
  out['(one probe read)'] = readCost;
  return out;
}

export async function runSignIns(
  client: HttpClient,
  inbox: PushInbox,
  phones: BenchPhone[],
  concurrency: number,
  total: number,
  tag: string,
): Promise<SignInTimings[]> {
  if (phones.length < concurrency) throw new Error(`need ${concurrency} phones, have ${phones.length}`);
  const timings: SignInTimings[] = [];
  let issued = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (issued < total) {
        issued++;
        timings.push(await fullSignIn(client, inbox, phones[worker], `${tag}-desktop-${worker}`));
      }
    }),
  );
  return timings;
}

export async function measureThroughput(
  relay: RelayProcess,
  client: HttpClient,
  inbox: PushInbox,
  phones: BenchPhone[],
  options: { concurrency: number; signIns: number; warmup: number; profileFile?: string; walFile?: string },
): Promise<ThroughputResult> {
  const wal = options.walFile ? sampleWal(options.walFile) : undefined;
  await runSignIns(client, inbox, phones, options.concurrency, options.warmup, `warm-c${options.concurrency}`);
  if (options.profileFile) await relay.profileStart();
  const ownProfile = options.profileFile ? await profileThisProcess() : undefined;
  const relayBefore = await relay.stats();
  const clientBefore = process.cpuUsage();
  const start = performance.now();
  const timings = await runSignIns(client, inbox, phones, options.concurrency, options.signIns, `c${options.concurrency}`);
  const seconds = (performance.now() - start) / 1000;
  const clientCpu = process.cpuUsage(clientBefore);
  const relayAfter = await relay.stats();
  const peakWalBytes = wal?.stop();
  if (options.profileFile) await relay.profileStop(options.profileFile);
  // Beside the relay's profile: the load generator's own (bench/tools/profileSummary.ts reads both).
  await ownProfile?.stop(options.profileFile!.replace(/relay-([^/]*)$/, 'loadgen-$1'));
  const receipts = latencySummary(timings.map((t) => t.receipt));
  const delivery = {
    p50: receipts.p50,
    p99: receipts.p99,
    withinOneSecond: timings.filter((t) => t.receipt <= 1000).length / timings.length,
    loopback: await loopbackRoundTrip(relay, 200),
  };
  const steps = {} as Record<keyof SignInTimings, number>;
  for (const key of Object.keys(timings[0]) as (keyof SignInTimings)[]) steps[key] = median(timings.map((t) => t[key]));
  return {
    concurrency: options.concurrency,
    signIns: timings.length,
    seconds,
    rate: timings.length / seconds,
    relayCpuMs: (relayAfter.cpuMicros - relayBefore.cpuMicros) / 1000 / timings.length,
    clientCpuMs: (clientCpu.user + clientCpu.system) / 1000 / timings.length,
    os: osPerSignIn(relayBefore, relayAfter, timings.length),
    steps,
    ...(peakWalBytes === undefined ? {} : { peakWalBytes }),
    delivery,
  };
}

/**
 * What HTTP alone costs the relay process: its CPU per keep-alive GET at `concurrency`, to the
 * relay's Fastify (GET /health) and to the bare node:http server beside it (µs per request).
 */
export async function relayHttpCost(relay: RelayProcess, count: number, concurrency: number): Promise<{ fastify: number; bare: number }> {
  const measure = async (url: string, path: string) => {
    const client = new HttpClient(url);
    try {
      const burst = async (n: number) => {
        let next = 0;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next++ < n) await client.ping(path);
          }),
        );
      };
      await burst(Math.min(500, count));
      const before = await relay.cpuMicros();
      await burst(count);
      return ((await relay.cpuMicros()) - before) / count;
    } finally {
      client.close();
    }
  };
  return { fastify: await measure(relay.url, '/health'), bare: await measure(relay.pingUrl, '/') };
}

export interface CheckpointComparison {
  /** Sign-ins per second over all of each relay's bursts. */
  rate: { now: number; before: number };
  /** The ratio now ÷ before of each pair of bursts, in order. */
  pairRatios: number[];
  /** The largest each relay's write-ahead log got during the comparison. */
  peakWalBytes: { now: number; before: number };
  /** How late each relay's event loop ran (median over its bursts of the burst's p99 and max), ms. */
  loopDelay: { now: { p99: number; max: number }; before: { p99: number; max: number } };
}

/**
 * Two relays, one load at a time: bursts of sign-ins at `concurrency` alternate between them
 * (which goes first alternates too), so a machine getting busier or quieter meets both alike.
 * `now` checkpoints as the relay does; `before` as it did before issue 19.
 */
export async function compareCheckpoints(
  relays: {
    now: { relay: RelayProcess; client: HttpClient; walFile: string };
    before: { relay: RelayProcess; client: HttpClient; walFile: string };
  },
  inbox: PushInbox,
  phones: BenchPhone[],
  options: { concurrency: number; rounds: number; perRound: number; warmup: number },
): Promise<CheckpointComparison> {
  const order = ['now', 'before'] as const;
  const totals = { now: { signIns: 0, seconds: 0 }, before: { signIns: 0, seconds: 0 } };
  const wal = { now: sampleWal(relays.now.walFile), before: sampleWal(relays.before.walFile) };
  const pairRatios: number[] = [];
  const delays = { now: { p99: [] as number[], max: [] as number[] }, before: { p99: [] as number[], max: [] as number[] } };
  for (const which of order)
    await runSignIns(relays[which].client, inbox, phones, options.concurrency, options.warmup, `cmp-warm-${which}`);
  for (let round = 0; round < options.rounds; round++) {
    const rates = { now: 0, before: 0 };
    for (const which of round % 2 === 0 ? order : [...order].reverse()) {
      // Reading the stats resets the relay's event-loop delay histogram.
      await relays[which].relay.stats();
      const start = performance.now();
      const timings = await runSignIns(relays[which].client, inbox, phones, options.concurrency, options.perRound, `cmp-${which}-${round}`);
      const seconds = (performance.now() - start) / 1000;
      const stats = await relays[which].relay.stats();
      delays[which].p99.push(stats.loopDelayP99Ms);
      delays[which].max.push(stats.loopDelayMaxMs);
      totals[which].signIns += timings.length;
      totals[which].seconds += seconds;
      rates[which] = timings.length / seconds;
    }
    pairRatios.push(rates.now / rates.before);
  }
  return {
    rate: { now: totals.now.signIns / totals.now.seconds, before: totals.before.signIns / totals.before.seconds },
    pairRatios,
    peakWalBytes: { now: wal.now.stop(), before: wal.before.stop() },
    loopDelay: {
      now: { p99: median(delays.now.p99), max: median(delays.now.max) },
      before: { p99: median(delays.before.p99), max: median(delays.before.max) },
    },
  };
}
