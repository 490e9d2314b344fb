/**
 * The relay under test, in its own process (so the load generator and the relay do not share one
 * event loop). Started by bench/lib/relayProcess.ts with settings in BENCH_RELAY (JSON); speaks
 * to its parent over the IPC channel:
 *   → { id, type: 'cpu' | 'stats' | 'gc' | 'stop' | 'setup' | 'profile-start' | 'profile-stop' (file) | 'sql' | 'wal' (action) | 'heap-snapshot' (file) }
 *   ← { id, ... } answers, and once at start { type: 'ready', url, pingUrl }.
 * Beside the relay it runs a bare node:http server answering 204 (the loopback round trip of
 * figure 2, measured under the same process load as the relay's event streams).
 */
import fs from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdminToken } from '../../server/admin/adminTokens';
import { configFor } from '../../server/config';
import { createApp } from '../../server/createApp';
import { defaultPushHosts } from '../../server/push/pushHosts';
import { createTenant } from '../../server/tenants/createTenant';
import { startPassiveCheckpointWorker } from './passiveCheckpointWorker';
import { tenantCreate } from '../../shared/schemas/directory';

interface Settings {
  dataDir: string;
  publicUrl: string;
  rpId: string;
  pushCa?: string;
  /** Listen here (default: any free port). */
  port?: number;
  logLevel: 'silent' | 'warn' | 'info';
  sqlTrace?: boolean;
  /** 'passive-worker': checkpoint the log as the relay did before issue 19 (figure 1 compares). */
  checkpoints?: 'relay' | 'passive-worker';
  /** PostgreSQL instead of the SQLite file (figure 6). */
  databaseUrl?: string;
}

const settings = JSON.parse(process.env.BENCH_RELAY ?? '{}') as Settings;

/**
 * --sql-trace: time every better-sqlite3 statement call (run/get/all) by SQL text, to count the
 * statements one sign-in costs and what they take. Off by default (it adds a little per call).
 */
const sqlStats = new Map<string, { calls: number; micros: number }>();
async function traceSql(): Promise<void> {
  const { default: Database } = await import('better-sqlite3');
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, (...args: unknown[]) => unknown>;
  probe.close();
  for (const method of ['run', 'get', 'all'] as const) {
    const original = proto[method];
    proto[method] = function (this: { source: string }, ...args: unknown[]) {
      const start = process.hrtime.bigint();
      try {
        return original.apply(this, args);
      } finally {
        const key = this.source.replace(/\s+/g, ' ').trim();
        const entry = sqlStats.get(key) ?? { calls: 0, micros: 0 };
        entry.calls++;
        entry.micros += Number(process.hrtime.bigint() - start) / 1000;
        sqlStats.set(key, entry);
      }
    };
  }
}
const send = (message: object) => process.send?.(message);
let walPin: import('better-sqlite3').Database | undefined;

/**
 * --sql-trace on PostgreSQL: count and time every statement the relay sends, by SQL text: those of
 * transactions through pg's Client.query, those on the shared pipelined connections through their
 * diagnostics channel (they do not go through pg's query).
 */
async function tracePostgres(): Promise<void> {
  const { default: pg } = await import('pg');
  const { statementChannel } = await import('../../server/storage/postgres/pipelinedConnection');
  const count = (text: string, result: unknown, start = process.hrtime.bigint()) => {
    const key = text.replace(/\s+/g, ' ').trim();
    const done = () => {
      const entry = sqlStats.get(key) ?? { calls: 0, micros: 0 };
      entry.calls++;
      entry.micros += Number(process.hrtime.bigint() - start) / 1000;
      sqlStats.set(key, entry);
    };
    if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(done, done);
    else done();
  };
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    const start = process.hrtime.bigint();
    const result = original.apply(this, args);
    count(typeof first === 'string' ? first : (first?.text ?? '?'), result, start);
    return result;
  };
  statementChannel.subscribe((message) => {
    const { text, answered } = message as { text: string; answered: Promise<unknown> };
    count(text, answered);
  });
}

async function main(): Promise<void> {
  if (settings.sqlTrace) await (settings.databaseUrl ? tracePostgres() : traceSql());
  const config = configFor({
    dataDir: settings.dataDir,
    publicUrl: settings.publicUrl,
    rpId: settings.rpId,
    host: '127.0.0.1',
    port: settings.port ?? 0,
    logLevel: settings.logLevel,
    databaseUrl: settings.databaseUrl,
    // The bench's loopback push endpoint, beside the real push services.
    pushHosts: [...defaultPushHosts, '127.0.0.1'],
  });
  const pushAgent = settings.pushCa ? new Agent({ ca: settings.pushCa, keepAlive: true }) : undefined;
  const { app, ctx } = await createApp(config, { pushAgent });
  if (settings.checkpoints === 'passive-worker') {
    const stopWorker = startPassiveCheckpointWorker((ctx.storage as unknown as { database: import('better-sqlite3').Database }).database);
    app.addHook('onClose', stopWorker);
  }
  await app.listen({ port: settings.port ?? 0, host: '127.0.0.1' });
  const bare = createServer((_request, response) => {
    response.writeHead(204);
    response.end();
  });
  bare.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));

  let profiler: Session | undefined;
  // How late the event loop runs (e.g. while 10,000 heartbeats are written in one go); reset by 'stats'.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  /**
   * What the kernel counts for the relay: its CPU in system calls, its main thread's CPU (the rest
   * is libuv's pool, workers and V8's helpers), read and write system calls, context switches.
   */
  const osCounters = (cpu: NodeJS.CpuUsage) => {
    const usage = process.resourceUsage();
    let mainThreadMicros: number | undefined;
    let readCalls: number | undefined;
    let writeCalls: number | undefined;
    const threadMicros: Record<string, number> = {};
    try {
      const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      mainThreadMicros = ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
      for (const task of fs.readdirSync('/proc/self/task')) {
        const text = fs.readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
        const name = `${text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'))}${task === String(process.pid) ? ' (main)' : ` ${task}`}`;
        const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
        threadMicros[name] = (threadMicros[name] ?? 0) + ((Number(rest[11]) + Number(rest[12])) * 1e6) / 100;
      }
      const io = fs.readFileSync('/proc/self/io', 'utf8');
      readCalls = Number(/syscr: (\d+)/.exec(io)?.[1]);
      writeCalls = Number(/syscw: (\d+)/.exec(io)?.[1]);
    } catch {
      // Not Linux: only what Node itself counts.
    }
    return {
      systemMicros: cpu.system,
      mainThreadMicros,
      readCalls,
      writeCalls,
      threadMicros,
      contextSwitches: usage.voluntaryContextSwitches + usage.involuntaryContextSwitches,
    };
  };
  const stats = () => {
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    return {
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      youngGeneration: getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0,
      external: memory.external,
      arrayBuffers: memory.arrayBuffers,
      cpuMicros: cpu.user + cpu.system,
      ...osCounters(cpu),
      listeners: ctx.events.listenerCount,
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      loopDelayMaxMs: loopDelay.max / 1e6,
      sockets: (app.server as unknown as { _connections?: number })._connections,
    };
  };

  process.on('message', async (message: { id: number; type: string; tenant?: string }) => {
    try {
      if (message.type === 'cpu') {
        const cpu = process.cpuUsage();
        send({ id: message.id, cpuMicros: cpu.user + cpu.system });
      } else if (message.type === 'stats') {
        send({ id: message.id, ...stats() });
        loopDelay.reset();
      } else if (message.type === 'gc') {
        const gc = (globalThis as { gc?: () => void }).gc;
        for (let i = 0; i < 3; i++) {
          gc?.();
          await new Promise((resolve) => setImmediate(resolve));
        }
        send({ id: message.id, ...stats() });
      } else if (message.type === 'wal') {
        // Pages one workload writes to the WAL: checkpoint it empty, stop automatic checkpoints
        // ('wal-start'), and later read its size ('wal-read', which restores the default of 1000).
        const db = (ctx.storage as unknown as { database: import('better-sqlite3').Database }).database;
        const walFile = `${db.name}-wal`;
        const action = (message as unknown as { action: string }).action;
        if (action === 'start') {
          db.pragma('wal_checkpoint(TRUNCATE)');
          db.pragma('wal_autocheckpoint = 0');
          // A reader of the empty log (read mark 0) keeps every checkpoint (the worker's too) from
          // copying anything, so the log only grows: its size is what the workload wrote.
          const { default: Database } = await import('better-sqlite3');
          walPin = new Database(db.name);
          walPin.exec('BEGIN');
          walPin.prepare('SELECT count(*) FROM sqlite_master').get();
          send({ id: message.id, bytes: fs.statSync(walFile).size });
        } else {
          const bytes = fs.statSync(walFile).size;
          walPin?.close();
          walPin = undefined;
          db.pragma('wal_autocheckpoint = 1000');
          send({ id: message.id, bytes, pageSize: db.pragma('page_size', { simple: true }) });
        }
      } else if (message.type === 'heap-snapshot') {
        const { writeHeapSnapshot } = await import('node:v8');
        writeHeapSnapshot((message as unknown as { file: string }).file);
        send({ id: message.id });
      } else if (message.type === 'sql') {
        send({ id: message.id, statements: [...sqlStats].map(([sql, v]) => ({ sql, ...v })) });
        sqlStats.clear();
      } else if (message.type === 'profile-start') {
        profiler ??= new Session();
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
        await profiler.post('Profiler.start');
        send({ id: message.id });
      } else if (message.type === 'profile-stop') {
        const { profile } = await profiler!.post('Profiler.stop');
        fs.writeFileSync((message as unknown as { file: string }).file, JSON.stringify(profile));
        profiler!.disconnect();
        send({ id: message.id });
      } else if (message.type === 'setup') {
        const tenant = await createTenant(ctx, tenantCreate.parse({ name: message.tenant ?? 'contoso', displayName: 'Contoso' }));
        const { token } = await createAdminToken(ctx, tenant, 'global_administrator', 'bench');
        send({ id: message.id, token });
      } else if (message.type === 'stop') {
        bare.close();
        bare.closeAllConnections();
        await app.close();
        send({ id: message.id });
        // A normal exit, so that --cpu-prof writes its profile.
        setImmediate(() => process.exit(0));
      }
    } catch (error) {
      send({ id: message.id, error: String((error as Error).stack ?? error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  const address = app.server.address() as AddressInfo;
  send({
    type: 'ready',
    url: `http://127.0.0.1:${address.port}`,
    pingUrl: `http://127.0.0.1:${(bare.address() as AddressInfo).port}`,
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
