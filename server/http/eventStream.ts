import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { type StreamReconnect, reconnectEvent } from '../../shared/schemas/eventStreams';

/** A stream's events by name, each with the schema of its data (shared/schemas: `signInRequestEvents`, `deviceEvents`). */
export type EventSchemas = Record<string, z.ZodType>;

const heartbeatMs = 15_000;
/** Open streams by the server that answered them (a relay that stops ends its own, not another's). */
const open = new Map<object, Set<EventStream>>();
const noServer = {};
let heartbeat: NodeJS.Timeout | undefined;

/** How long a client waits before it reconnects (the `retry` field), and after a stopping relay ends the stream. */
const reconnectMs = 2000;
const reconnectAfterStopMs = 250;

/** How many streams one turn of the event loop beats, so 10,000 waiting never stall it at once. */
const beatsPerTurn = 500;

/** Beat every open stream, a slice per turn of the event loop. */
export function beatAll(): void {
  const streams = [...open.values()].flatMap((set) => [...set]);
  const next = (from: number) => {
    for (const stream of streams.slice(from, from + beatsPerTurn)) stream.beat();
    if (from + beatsPerTurn < streams.length) setImmediate(next, from + beatsPerTurn);
  };
  next(0);
}

/** One timer beats for every open stream, rather than one timer each. */
function ensureHeartbeat(): void {
  if (heartbeat) return;
  heartbeat = setInterval(() => {
    beatAll();
    if (open.size === 0 && heartbeat) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
  }, heartbeatMs);
  heartbeat.unref();
}

/**
 * A server-sent event stream (text/event-stream). Thousands wait at once, so each holds only
 * the raw response and its close callback; the methods live on the prototype. What `send` sends is
 * checked against the stream's event schemas when the relay is compiled.
 */
export class EventStream<M extends EventSchemas = EventSchemas> {
  private ended = false;
  /** Which set of `open` holds it. */
  owner: object = noServer;

  constructor(
    private readonly raw: Pick<ServerResponse, 'write' | 'end'>,
    private readonly onClose: () => void,
  ) {}

  get closed(): boolean {
    return this.ended;
  }

  send<K extends keyof M & string>(event: K, data: z.input<M[K]>, id?: string | number): void {
    if (this.ended) return;
    this.raw.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** A comment keeps proxies from timing the stream out. */
  beat(): void {
    if (!this.ended) this.raw.write(': heartbeat\n\n');
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    const set = open.get(this.owner);
    set?.delete(this);
    if (set?.size === 0) open.delete(this.owner);
    this.onClose();
    this.raw.end();
  }

  /**
   * The relay is stopping: say when to come back (`retry`) and that the stream ends on purpose
   * (the `reconnect` event: the client reconnects at once, to another relay behind the proxy,
   * resuming with its Last-Event-ID), then end it.
   */
  closeForRestart(): void {
    if (this.ended) return;
    this.raw.write(
      `retry: ${reconnectAfterStopMs}\nevent: ${reconnectEvent}\ndata: ${JSON.stringify({ reason: 'relay_stopping' } satisfies StreamReconnect)}\n\n`,
    );
    this.close();
  }
}

/** Count the stream among those the heartbeat keeps alive, and among `owner`'s (the server that answered it). */
export function keepAlive(stream: EventStream<EventSchemas>, owner: object = noServer): void {
  stream.owner = owner;
  let set = open.get(owner);
  if (!set) {
    set = new Set();
    open.set(owner, set);
  }
  set.add(stream);
  ensureHeartbeat();
}

/** End every stream `owner` answered, each with a reconnect hint: the first step of a relay's drain. Returns how many. */
export function closeEventStreamsOf(owner: object): number {
  const streams = [...(open.get(owner) ?? [])];
  for (const stream of streams) stream.closeForRestart();
  return streams.length;
}

/**
 * Node keeps a response's head (`_header`) for as long as the response is open, as V8 built it: a
 * rope of some twenty pieces, about 860 bytes. Reading one character flattens it in place (about
 * 240 bytes): 600 bytes less for each of thousands of waiting streams. Only memory changes.
 */
function flattenHead(raw: ServerResponse): void {
  const head = (raw as unknown as { _header?: unknown })._header;
  if (typeof head === 'string') head.charCodeAt(0);
}

/**
 * Fastify, once it has a logger, listens for the response's `finish` and `error` with one function
 * that holds the call's Request and Reply, and through them its child logger, bindings, params,
 * query and headers: some 700 bytes kept for as long as a stream stays open, for a "request
 * completed" log line and hooks an event stream has no use for (the relay registers no onResponse
 * hook). A hijacked stream lets go of it. One shared listener takes `error` in its place: a
 * response that fails is destroyed, which closes its stream through the request's `close`.
 */
function releaseFastifyListener(raw: ServerResponse): void {
  const onError = raw.listeners('error');
  for (const listener of raw.listeners('finish')) {
    if (!onError.includes(listener)) continue;
    raw.removeListener('finish', listener as () => void);
    raw.removeListener('error', listener as () => void);
  }
  if (raw.listenerCount('error') === 0) raw.on('error', destroyOnError);
}

function destroyOnError(this: ServerResponse): void {
  this.destroy();
}

/** Answer with a server-sent event stream of `events`; `onClose` runs once when either side ends it. */
export function openEventStream<M extends EventSchemas>(
  request: FastifyRequest,
  reply: FastifyReply,
  _events: M,
  onClose: () => void,
): EventStream<M> {
  reply.hijack();
  const raw = reply.raw;
  releaseFastifyListener(raw);
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.write(`retry: ${reconnectMs}\n\n`);
  flattenHead(raw);
  const stream = new EventStream<M>(raw, onClose);
  keepAlive(stream, request.server.server);
  // `on`, not `once`: close runs once anyway, and once's wrapper is two more objects per stream.
  request.raw.on('close', stream.close.bind(stream));
  return stream;
}
