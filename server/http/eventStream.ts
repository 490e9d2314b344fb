import type { FastifyReply, FastifyRequest } from 'fastify';

export interface EventStream {
  send(event: string, data: unknown, id?: string | number): void;
  close(): void;
  readonly closed: boolean;
}

const heartbeatMs = 15_000;
const open = new Set<EventStream & { beat(): void }>();
let heartbeat: NodeJS.Timeout | undefined;

/** One timer beats for every open stream, rather than one timer each. */
function ensureHeartbeat(): void {
  if (heartbeat) return;
  heartbeat = setInterval(() => {
    for (const stream of open) stream.beat();
    if (open.size === 0 && heartbeat) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
  }, heartbeatMs);
  heartbeat.unref();
}

/**
 * Answer with a server-sent event stream (text/event-stream). Comments keep proxies from
 * timing the stream out; `onClose` runs once when either side ends it.
 */
export function openEventStream(request: FastifyRequest, reply: FastifyReply, onClose: () => void): EventStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.write('retry: 2000\n\n');
  let closed = false;
  const stream = {
    get closed() {
      return closed;
    },
    send(event: string, data: unknown, id?: string | number) {
      if (closed) return;
      raw.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    beat() {
      if (!closed) raw.write(': heartbeat\n\n');
    },
    close() {
      if (closed) return;
      closed = true;
      open.delete(stream);
      onClose();
      raw.end();
    },
  };
  open.add(stream);
  ensureHeartbeat();
  request.raw.on('close', () => stream.close());
  return stream;
}
