/**
 * Figures 2 and 3: with N sign-in requests waiting on open event streams (one per desktop),
 * how long from the approval's HTTP answer (read by the phone) to the `approved` state event at
 * that request's collector; the bare loopback HTTP round trip to a node:http server inside the
 * relay process in the same conditions; and the relay's resident memory per waiting sign-in.
 *
 * Waiters are real: each is a request for an enrolled user (at most 18 per user, under the
 * tenant's raised cap of 20), pushed to that user's phone, with its collector's stream open and
 * its `pending` state already received. Each sample approves one waiter and then replaces it, so
 * the number waiting stays at N; the replacement's push is awaited before the next sample so no
 * background work overlaps a measurement.
 */
import { Agent } from 'node:http';
import { HttpClient, type SseEvent } from '../lib/http';
import type { RelayProcess, RelayStats } from '../lib/relayProcess';
import {
  type Created,
  type PushInbox,
  createRequest,
  prepareApproval,
  readDetails,
  redeem,
  sendApproval,
  watchRequest,
} from '../lib/signIn';
import { latencySummary } from '../lib/stats';
import type { BenchPhone, BenchWorld } from '../lib/world';

export const maxPendingPerPhone = 18;

interface Waiter {
  index: number;
  phone: BenchPhone;
  created: Created;
  approved: Promise<SseEvent>;
  close(): void;
}

export interface LatencyLevel {
  waiters: number;
  samples: number;
  /** approval answer read → `approved` event read, ms (negative: the event was read first). */
  latency: { p50: number; p99: number; max: number };
  /** approval sent → `approved` event read, ms (includes the relay's work on the answer). */
  sendToEvent: { p50: number; p99: number };
  loopback: { p50: number; p99: number };
  /** Fastify /health round trip, for comparison. */
  health: { p50: number; p99: number };
  relay: RelayStats;
  ratioP99: number;
  /** How long the sampling lasted. */
  seconds: number;
  /** The relay's event-loop delay while sampling, ms. */
  loopDelay: { p99: number; max: number };
}

export interface LatencyRun {
  baseline: RelayStats;
  levels: LatencyLevel[];
  /** (RSS at the largest level − RSS before any waiter) / waiters, bytes. */
  rssPerWaiter: number;
  heapPerWaiter: number;
  /** Seconds spent opening waiters (create + push + stream), per 1,000. */
  secondsPer1000Waiters: number;
}

export async function measureLatency(
  world: BenchWorld,
  relay: RelayProcess,
  inbox: PushInbox,
  options: {
    levels: number[];
    samples: number;
    /** Keep sampling at least this long at each level (so a 15 s heartbeat round falls inside). */
    minSeconds: number;
    pingsPerSample: number;
    say?: (line: string) => void;
    /** Write heap snapshots of the relay before any waiter and at the first level (file name prefix). */
    heapSnapshots?: string;
    /** Write a CPU profile of the relay while sampling at each level (file name prefix). */
    cpuProfiles?: string;
  },
): Promise<LatencyRun> {
  const client = new HttpClient(relay.url);
  const ping = new HttpClient(relay.pingUrl, { maxSockets: 1 });
  const healthClient = new HttpClient(relay.url, { maxSockets: 1 });
  const streams = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const phones = world.phones;
  const maxLevel = Math.max(...options.levels);
  if (phones.length * maxPendingPerPhone < maxLevel) throw new Error(`need ${Math.ceil(maxLevel / maxPendingPerPhone)} phones`);
  const waiters: Waiter[] = [];
  let made = 0;
  let roundRobin = 0;
  try {
    // Warm the relay (modules, JIT, statement cache) with a few waiters approved and redeemed.
    const warm = Math.min(20, options.samples);
    for (let k = 0; k < warm; k++) waiters.push(await openWaiter());
    for (let k = 0; k < warm; k++) await sample(waiters.shift()!);
    await Promise.all(Array.from({ length: 20 }, () => ping.ping('/')));
    const baseline = await relay.gcStats();
    if (options.heapSnapshots) await relay.heapSnapshot(`${options.heapSnapshots}-0.heapsnapshot`);

    const levels: LatencyLevel[] = [];
    let openingSeconds = 0;
    for (const level of options.levels) {
      const started = performance.now();
      await growTo(level);
      openingSeconds += (performance.now() - started) / 1000;
      const relayStats = await relay.gcStats();
      if (options.heapSnapshots && level === options.levels[0]) await relay.heapSnapshot(`${options.heapSnapshots}-${level}.heapsnapshot`);
      if (relayStats.listeners < level) throw new Error(`relay has ${relayStats.listeners} listeners for ${level} waiters`);
      options.say?.(`  ${level} waiting: relay RSS ${(relayStats.rss / 2 ** 20).toFixed(0)} MiB`);
      const latencies: number[] = [];
      const sendToEvent: number[] = [];
      const rtts: number[] = [];
      const health: number[] = [];
      await relay.stats(); // resets the relay's event-loop delay histogram
      if (options.cpuProfiles) await relay.profileStart();
      const window = performance.now();
      for (let s = 0; s < options.samples || performance.now() - window < options.minSeconds * 1000; s++) {
        const waiter = waiters.shift()!;
        const measured = await sample(waiter);
        latencies.push(measured.latency);
        sendToEvent.push(measured.sendToEvent);
        waiters.push(await openWaiter(waiter.phone));
        for (let p = 0; p < options.pingsPerSample; p++) {
          let t = performance.now();
          await ping.ping('/');
          rtts.push(performance.now() - t);
          t = performance.now();
          await healthClient.ping('/health');
          health.push(performance.now() - t);
        }
      }
      const during = await relay.stats();
      if (options.cpuProfiles) await relay.profileStop(`${options.cpuProfiles}-${level}.cpuprofile`);
      const summary = latencySummary(latencies);
      const loop = latencySummary(rtts);
      levels.push({
        waiters: level,
        samples: latencies.length,
        latency: { p50: summary.p50, p99: summary.p99, max: summary.max },
        sendToEvent: pick(latencySummary(sendToEvent)),
        loopback: pick(loop),
        health: pick(latencySummary(health)),
        relay: relayStats,
        ratioP99: summary.p99 / loop.p99,
        seconds: (performance.now() - window) / 1000,
        loopDelay: { p99: during.loopDelayP99Ms, max: during.loopDelayMaxMs },
      });
    }
    const top = levels[levels.length - 1];
    return {
      baseline,
      levels,
      rssPerWaiter: (top.relay.rss - baseline.rss) / top.waiters,
      heapPerWaiter: (top.relay.heapUsed - baseline.heapUsed) / top.waiters,
      secondsPer1000Waiters: (openingSeconds * 1000) / maxLevel,
    };
  } finally {
    for (const waiter of waiters) waiter.close();
    client.close();
    ping.close();
    healthClient.close();
    streams.destroy();
    inbox.clear();
  }

  function pick(s: { p50: number; p99: number }) {
    return { p50: s.p50, p99: s.p99 };
  }

  async function openWaiter(phone = phones[roundRobin++ % phones.length]): Promise<Waiter> {
    const index = made++;
    const created = await createRequest(client, phone, `waiter-${index}`);
    const watching = watchRequest(client, created, streams);
    // The phone's push, decrypted at the endpoint; the stream's `pending` says the relay listens.
    await Promise.all([inbox.wait(created.requestId), watching.listening]);
    return { index, phone, created, approved: watching.approved, close: () => watching.stream.close() };
  }

  async function growTo(level: number): Promise<void> {
    let opening = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (waiters.length + opening < level) {
          opening++;
          const waiter = await openWaiter();
          opening--;
          waiters.push(waiter);
        }
      }),
    );
  }

  async function sample(waiter: Waiter): Promise<{ latency: number; sendToEvent: number }> {
    const details = await readDetails(client, waiter.phone, waiter.created.requestId);
    const body = await prepareApproval(waiter.phone, details, waiter.created.number);
    const sent = performance.now();
    const answeredAt = await sendApproval(client, waiter.created.requestId, body);
    const event = await waiter.approved;
    // Redeem (as the desktop would), which also ends the stream.
    await redeem(client, waiter.created);
    waiter.close();
    return { latency: event.at - answeredAt, sendToEvent: event.at - sent };
  }
}
