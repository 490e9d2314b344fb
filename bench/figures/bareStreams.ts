/** Figure 3's references: RSS per open event stream on a bare node:http or Fastify server (bench/processes/bareSse.ts). */
import { spawn } from 'node:child_process';
import { Agent } from 'node:http';
import path from 'node:path';
import { HttpClient, type SseStream, openSse } from '../lib/http';
import { benchDir, repoDir } from '../lib/relayProcess';

export async function bareStreamCost(count: number, server: 'node' | 'fastify'): Promise<{ rssPerStream: number; heapPerStream: number }> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(benchDir, 'processes/bareSse.ts')], {
    cwd: repoDir,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, BENCH_BARE: server },
  });
  let nextId = 1;
  const waiting = new Map<number, (m: any) => void>();
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (m: any) => {
      if (m.type === 'ready') resolve(m.url);
      waiting.get(m.id)?.(m);
      waiting.delete(m.id);
    });
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  const gc = () =>
    new Promise<{ rss: number; heapUsed: number; open: number }>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.send({ id, type: 'gc' });
    });
  const client = new HttpClient(url);
  const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const streams: SseStream[] = [];
  try {
    // Warm it the same way the relay is warmed: some streams opened and closed first.
    for (let round = 0; round < 2; round++) {
      const warm = await openMany(Math.min(100, count));
      for (const s of warm) s.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const before = await gc();
    streams.push(...(await openMany(count)));
    const after = await gc();
    if (after.open < count) throw new Error(`bare server holds ${after.open} of ${count} streams`);
    return { rssPerStream: (after.rss - before.rss) / count, heapPerStream: (after.heapUsed - before.heapUsed) / count };
  } finally {
    for (const s of streams) s.close();
    agent.destroy();
    client.close();
    child.removeAllListeners('exit');
    child.kill();
  }

  async function openMany(n: number): Promise<SseStream[]> {
    const out: SseStream[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < n) {
          next++;
          let seen!: () => void;
          const pending = new Promise<void>((resolve) => {
            seen = resolve;
          });
          const stream = openSse(
            client,
            '/hold',
            { authorization: 'Bearer 0123456789abcdefghijklmnopqrstuvwxyzABCDEFG' },
            () => seen(),
            agent,
          );
          await stream.opened;
          await pending;
          out.push(stream);
        }
      }),
    );
    return out;
  }
}
