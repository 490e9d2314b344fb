/**
 * The relay under test, in its own process (so the load generator and the relay do not share one
 * event loop). Started by bench/lib/relayProcess.ts with settings in BENCH_RELAY (JSON); speaks
 * to its parent over the IPC channel:
 *   → { id, type: 'stats' | 'gc' | 'stop' | 'setup' }
 *   ← { id, ... } answers, and once at start { type: 'ready', url, pingUrl }.
 * Beside the relay it runs a bare node:http server answering 204 (the loopback round trip of
 * figure 2, measured under the same process load as the relay's event streams).
 */
import { createServer } from 'node:http';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdminToken } from '../../server/admin/adminTokens';
import { configFor } from '../../server/config';
import { createApp } from '../../server/createApp';
import { createTenant } from '../../server/tenants/createTenant';

interface Settings {
  dataDir: string;
  publicUrl: string;
  rpId: string;
  pushCa: string;
  logLevel: 'silent' | 'warn' | 'info';
}

const settings = JSON.parse(process.env.BENCH_RELAY ?? '{}') as Settings;
const send = (message: object) => process.send?.(message);

async function main(): Promise<void> {
  const config = configFor({
    dataDir: settings.dataDir,
    publicUrl: settings.publicUrl,
    rpId: settings.rpId,
    host: '127.0.0.1',
    port: 0,
    logLevel: settings.logLevel,
  });
  const { app, ctx } = await createApp(config, { pushAgent: new Agent({ ca: settings.pushCa, keepAlive: true }) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const bare = createServer((_request, response) => {
    response.writeHead(204);
    response.end();
  });
  bare.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));

  const stats = () => {
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    return {
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      external: memory.external,
      arrayBuffers: memory.arrayBuffers,
      cpuMicros: cpu.user + cpu.system,
      listeners: ctx.events.listenerCount,
      sockets: (app.server as unknown as { _connections?: number })._connections,
    };
  };

  process.on('message', async (message: { id: number; type: string; tenant?: string }) => {
    try {
      if (message.type === 'stats') send({ id: message.id, ...stats() });
      else if (message.type === 'gc') {
        const gc = (globalThis as { gc?: () => void }).gc;
        for (let i = 0; i < 3; i++) {
          gc?.();
          await new Promise((resolve) => setImmediate(resolve));
        }
        send({ id: message.id, ...stats() });
      } else if (message.type === 'setup') {
        const tenant = await createTenant(ctx, { name: message.tenant ?? 'contoso', displayName: 'Contoso' });
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
