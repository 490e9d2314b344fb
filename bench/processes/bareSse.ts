/**
 * Figure 3's reference: a bare node:http server that holds server-sent event streams open and does
 * nothing else — what Node itself costs per open stream, measured like the relay (RSS after GC).
 *   ← { type: 'ready', url }     → { id, type: 'gc' } ← { id, rss, heapUsed, open }
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const held = new Set<ServerResponse>();
const server = createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
  response.write('retry: 2000\n\n');
  response.write(`id: 1\nevent: state\ndata: {"status":"pending"}\n\n`);
  held.add(response);
  request.on('close', () => held.delete(response));
});
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
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
