/**
 * Figure 3's references: servers that hold server-sent event streams open and do nothing else —
 * what Node itself (BENCH_BARE=node: node:http) and Fastify (BENCH_BARE=fastify: one route that
 * hijacks the reply, as the relay's event routes do; logger at warn like the bench relay) cost per
 * open stream, measured like the relay (RSS after GC).
 *   ← { type: 'ready', url }     → { id, type: 'gc' } ← { id, rss, heapUsed, open }
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';

const held = new Set<ServerResponse>();
function hold(request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
  response.write('retry: 2000\n\n');
  response.write(`id: 1\nevent: state\ndata: {"status":"pending"}\n\n`);
  held.add(response);
  request.on('close', () => held.delete(response));
}

async function main(): Promise<string> {
  if (process.env.BENCH_BARE === 'fastify') {
    const app = Fastify({ logger: { level: 'warn' } });
    app.get('/hold', async (request, reply) => {
      reply.hijack();
      hold(request.raw, reply.raw);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }
  const server = createServer(hold);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

main().then((url) => process.send?.({ type: 'ready', url }));
process.on('message', async (message: { id: number; type: string }) => {
  if (message.type === 'gc') {
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let i = 0; i < 3; i++) {
      gc?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const memory = process.memoryUsage();
    process.send?.({ id: message.id, rss: memory.rss, heapUsed: memory.heapUsed, open: held.size });
  }
});
process.on('disconnect', () => process.exit(0));
