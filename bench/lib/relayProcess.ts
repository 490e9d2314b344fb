/** Start the relay in a child process (bench/processes/relay.ts) and talk to it over IPC. */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = path.resolve(benchDir, '..');

export interface RelayStats {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** What V8 has committed for its young generation (new space), bytes: it grows under allocation and is part of RSS. */
  youngGeneration: number;
  external: number;
  arrayBuffers: number;
  cpuMicros: number;
  /** Of cpuMicros, in the kernel (system calls: sockets, and what a loopback write does for its reader). */
  systemMicros: number;
  /** The main thread's CPU (the rest is libuv's pool, worker threads, V8's helpers); Linux only. */
  mainThreadMicros?: number;
  /** Read- and write-like system calls so far (/proc/self/io); Linux only. */
  readCalls?: number;
  writeCalls?: number;
  /** CPU so far by thread name (threads of one name summed; threads that ended are not counted); Linux only. */
  threadMicros?: Record<string, number>;
  /** Voluntary and involuntary context switches so far. */
  contextSwitches: number;
  listeners: number;
  sockets?: number;
  /** Event-loop delay since the last stats() call, ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export interface RelayProcess {
  url: string;
  pingUrl: string;
  pid: number;
  stats(): Promise<RelayStats>;
  /** CPU time the relay process has used so far (user + system), µs. */
  cpuMicros(): Promise<number>;
  /** Collect garbage (three full GCs) and then read the stats. */
  gcStats(): Promise<RelayStats>;
  setup(tenant: string): Promise<{ token: string }>;
  /** Sample the relay's CPU (V8 profiler, 100 µs) from now until profileStop writes it to `file`. */
  profileStart(): Promise<void>;
  profileStop(file: string): Promise<void>;
  /** With sqlTrace: every statement run since the last call, by SQL text (and reset). */
  sqlStatements(): Promise<{ sql: string; calls: number; micros: number }[]>;
  /** Empty the WAL and hold checkpoints ('start'); read its size and resume them ('read'). */
  wal(action: 'start' | 'read'): Promise<{ bytes: number; pageSize?: number }>;
  /** Write a V8 heap snapshot of the relay (read it with bench/tools/heapDiff.ts). */
  heapSnapshot(file: string): Promise<void>;
  stop(): Promise<void>;
}

export interface RelayProcessOptions {
  dataDir: string;
  publicUrl: string;
  rpId: string;
  /** The loopback push service's certificate, to trust for pushes. */
  pushCa?: string;
  port?: number;
  logLevel?: 'silent' | 'warn' | 'info';
  /** Time every SQLite statement (see bench/processes/relay.ts). */
  sqlTrace?: boolean;
  /** Write a V8 CPU profile of the relay's whole life to this directory when it stops (node --cpu-prof). */
  cpuProfileDir?: string;
  /** 'passive-worker': checkpoint the WAL as the relay did before issue 19, for comparison. */
  checkpoints?: 'relay' | 'passive-worker';
  /** PostgreSQL at this URL instead of the SQLite file in `dataDir` (which then holds only the keys). */
  databaseUrl?: string;
}

export async function startRelayProcess(options: RelayProcessOptions): Promise<RelayProcess> {
  const nodeArgs = ['--expose-gc', '--import', 'tsx'];
  if (options.cpuProfileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`);
  // For looking into the relay (e.g. `--trace-deopt`): more node options, and its standard output appended to a file.
  if (process.env.BENCH_RELAY_NODE_ARGS) nodeArgs.push(...process.env.BENCH_RELAY_NODE_ARGS.split(' ').filter(Boolean));
  const stdout = process.env.BENCH_RELAY_STDOUT ? fs.openSync(process.env.BENCH_RELAY_STDOUT, 'a') : 'ignore';
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, path.join(benchDir, 'processes/relay.ts')], {
    cwd: repoDir,
    stdio: ['ignore', stdout, 'inherit', 'ipc'],
    env: {
      ...process.env,
      // The figures are the relay as deployed: without the tests' answer checks (server/http/defineRoute.ts).
      NOD_CHECK_ANSWERS: '0',
      BENCH_RELAY: JSON.stringify({
        dataDir: options.dataDir,
        publicUrl: options.publicUrl,
        rpId: options.rpId,
        pushCa: options.pushCa,
        port: options.port,
        logLevel: options.logLevel ?? 'warn',
        sqlTrace: options.sqlTrace ?? false,
        checkpoints: options.checkpoints ?? 'relay',
        databaseUrl: options.databaseUrl,
      }),
    },
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  let exited = false;
  const ready = new Promise<{ url: string; pingUrl: string }>((resolve, reject) => {
    child.on('message', (message: any) => {
      if (message.type === 'ready') {
        resolve(message);
        return;
      }
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`relay: ${message.error}`));
      else waiter.resolve(message);
    });
    child.on('exit', (code) => {
      exited = true;
      reject(new Error(`relay process exited with ${code} before it was ready`));
      for (const waiter of pending.values()) waiter.reject(new Error(`relay process exited with ${code}`));
      pending.clear();
    });
  });
  const ask = (type: string, extra: object = {}): Promise<any> => {
    if (exited) return Promise.reject(new Error('relay process has exited'));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      child.send({ id, type, ...extra });
    });
  };
  const { url, pingUrl } = await ready;
  await touchOpenIdConnect(url);
  return {
    url,
    pingUrl,
    pid: child.pid!,
    stats: () => ask('stats'),
    cpuMicros: async () => (await ask('cpu')).cpuMicros,
    gcStats: () => ask('gc'),
    setup: (tenant) => ask('setup', { tenant }),
    profileStart: () => ask('profile-start'),
    profileStop: (file) => ask('profile-stop', { file }),
    sqlStatements: async () => (await ask('sql')).statements,
    wal: (action) => ask('wal', { action }),
    heapSnapshot: (file) => ask('heap-snapshot', { file }),
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await ask('stop').catch(() => {});
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/**
 * A relay in service answers OpenID Connect as well as the sign-in API, and the provider's first
 * request can leave process-wide state behind (on Node 20 its AsyncLocalStorage switched async hooks
 * on for good, tripling every promise's cost, until server/oidc/providerRequestContext.ts). So every
 * measured relay has served one discovery request first, as a relay in service has. Before the world
 * exists (no tenant yet) the relay answers 404 without a provider, which is fine.
 */
async function touchOpenIdConnect(url: string): Promise<void> {
  const answer = await fetch(`${url}/t/contoso/.well-known/openid-configuration`);
  await answer.arrayBuffer();
  if (answer.status !== 200 && answer.status !== 404) throw new Error(`OpenID discovery on the relay answered ${answer.status}`);
}
