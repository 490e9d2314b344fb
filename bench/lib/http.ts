/**
 * A lean HTTP/1.1 client for the benchmarks, so that the load generator spends as little CPU per
 * call as it can: on a 2-core machine the client and the relay share the cores, and a heavy client
 * would make the relay look slower than it is.
 *
 * Calls go over keep-alive TCP connections this client pools itself: a request is one write of its
 * head and body, and the answer is read straight off the socket (status line, headers, then a body
 * of `content-length` bytes or in chunks, or none). This costs under a third of the CPU per call
 * of `node:http`'s ClientRequest / IncomingMessage / Agent, whose stream and event machinery the
 * bench does not need (measured: 108 → 31 µs per keep-alive call at 64 in flight; undici's Pool
 * 61). The relay sees the same requests either way. Anything this reader does not expect (an upgrade, a malformed head)
 * fails the call.
 *
 * Event streams opened with a `node:http` Agent of their own (the figures that hold thousands
 * open, each on its own connection) still use `node:http`.
 */
import { type Agent, type IncomingMessage, request } from 'node:http';
import { type Socket, connect } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { eventStreamParser } from '../../shared/relay/readEventStream';

export interface JsonResult {
  status: number;
  body: any;
  /** performance.now() when the answer's last byte was read. */
  at: number;
}

/** What reads one answer off a connection. */
interface Exchange {
  head(status: number, headers: Map<string, string>): void;
  body(chunk: Buffer): void;
  end(): void;
  fail(error: Error): void;
}

const crlf = Buffer.from('\r\n');
const headEnd = Buffer.from('\r\n\r\n');
/** A head larger than this is not one the relay sends. */
const maxHead = 64 * 1024;

type BodyMode = 'none' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'until-close';

/** One keep-alive connection: a request at a time, its answer parsed as it arrives. */
class Connection {
  readonly socket: Socket;
  private exchange: Exchange | undefined;
  private pending: Buffer | undefined;
  private mode: BodyMode | 'head' = 'head';
  private remaining = 0;
  private keepAlive = true;

  constructor(
    host: string,
    port: number,
    private readonly release: (connection: Connection) => void,
    private readonly forget: (connection: Connection) => void,
  ) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', (error) => this.close(error));
    this.socket.on('close', () => this.close(new Error('connection closed')));
  }

  send(text: string, exchange: Exchange): void {
    this.exchange = exchange;
    this.mode = 'head';
    this.keepAlive = true;
    this.socket.write(text);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private close(error: Error): void {
    this.forget(this);
    const exchange = this.exchange;
    this.exchange = undefined;
    if (!exchange) return;
    if (this.mode === 'until-close') exchange.end();
    else exchange.fail(error);
  }

  private read(chunk: Buffer): void {
    let data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    try {
      while (data.length > 0 && this.exchange) {
        const used = this.step(data);
        if (used < 0) {
          this.pending = data;
          if (data.length > maxHead) throw new Error('answer head too large');
          return;
        }
        data = data.subarray(used);
      }
      if (data.length > 0) throw new Error('bytes after the answer');
    } catch (error) {
      this.socket.destroy();
      const exchange = this.exchange;
      this.exchange = undefined;
      exchange?.fail(error as Error);
    }
  }

  /** Parse from the start of `data`: how many bytes were used, or −1 when more are needed first. */
  private step(data: Buffer): number {
    const exchange = this.exchange!;
    switch (this.mode) {
      case 'head': {
        const end = data.indexOf(headEnd);
        if (end < 0) return -1;
        const lines = data.toString('latin1', 0, end).split('\r\n');
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
        if (!status) throw new Error(`not an HTTP/1.1 answer: ${lines[0].slice(0, 40)}`);
        const code = Number(status[1]);
        const headers = new Map<string, string>();
        for (let i = 1; i < lines.length; i++) {
          const colon = lines[i].indexOf(':');
          if (colon > 0) headers.set(lines[i].slice(0, colon).toLowerCase(), lines[i].slice(colon + 1).trim());
        }
        if (code < 200) throw new Error(`unexpected ${code} answer`);
        this.keepAlive = !/\bclose\b/i.test(headers.get('connection') ?? '');
        const length = headers.get('content-length');
        if (code === 204 || code === 304) this.mode = 'none';
        else if (/\bchunked\b/i.test(headers.get('transfer-encoding') ?? '')) this.mode = 'chunk-size';
        else if (length !== undefined) {
          if (!/^\d+$/.test(length)) throw new Error(`bad content-length ${length}`);
          this.remaining = Number(length);
          this.mode = this.remaining === 0 ? 'none' : 'length';
        } else {
          this.mode = 'until-close';
          this.keepAlive = false;
        }
        exchange.head(code, headers);
        if (this.mode === 'none') this.finish();
        return end + headEnd.length;
      }
      case 'length':
      case 'chunk-data': {
        const take = Math.min(this.remaining, data.length);
        exchange.body(data.subarray(0, take));
        this.remaining -= take;
        if (this.remaining === 0) {
          if (this.mode === 'length') this.finish();
          else this.mode = 'chunk-end';
        }
        return take;
      }
      case 'chunk-size': {
        const end = data.indexOf(crlf);
        if (end < 0) return -1;
        const size = /^([0-9a-fA-F]{1,8})(;|$)/.exec(data.toString('latin1', 0, end));
        if (!size) throw new Error('bad chunk size');
        this.remaining = Number.parseInt(size[1], 16);
        this.mode = this.remaining === 0 ? 'trailers' : 'chunk-data';
        return end + crlf.length;
      }
      case 'chunk-end': {
        if (data.length < crlf.length) return -1;
        if (data[0] !== 13 || data[1] !== 10) throw new Error('bad chunk end');
        this.mode = 'chunk-size';
        return crlf.length;
      }
      case 'trailers': {
        const end = data.indexOf(crlf);
        if (end < 0) return -1;
        if (end === 0) this.finish();
        return end + crlf.length;
      }
      case 'until-close':
        exchange.body(data);
        return data.length;
      default:
        throw new Error('bytes after the answer');
    }
  }

  /** The answer is complete: hand it over, and the connection back to the pool (or close it). */
  private finish(): void {
    const exchange = this.exchange!;
    this.exchange = undefined;
    this.mode = 'none';
    if (this.keepAlive) this.release(this);
    else {
      this.forget(this);
      this.socket.destroy();
    }
    exchange.end();
  }
}

export class HttpClient {
  readonly host: string;
  readonly port: number;
  private readonly hostHeader: string;
  private readonly maxSockets: number;
  private readonly idle: Connection[] = [];
  private readonly open = new Set<Connection>();
  /** Requests waiting for a connection when `maxSockets` are busy. */
  private readonly queue: ((connection: Connection) => void)[] = [];

  constructor(baseUrl: string, options: { maxSockets?: number } = {}) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.hostHeader = url.host;
    this.maxSockets = options.maxSockets ?? 256;
  }

  /** Send a request on an idle keep-alive connection (or a new one); `exchange` reads the answer. */
  send(
    method: string,
    path: string,
    headers: Record<string, string> | undefined,
    body: string | undefined,
    exchange: Exchange,
  ): { destroy(): void } {
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\nconnection: keep-alive\r\n`;
    if (headers) for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
    if (body !== undefined) head += `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
    head += '\r\n';
    const text = body === undefined ? head : head + body;
    const connection = this.idle.pop() ?? (this.open.size < this.maxSockets ? this.connect() : undefined);
    if (connection) {
      connection.send(text, exchange);
      return connection;
    }
    let queued: Connection | undefined;
    let cancelled = false;
    this.queue.push((free) => {
      queued = free;
      if (cancelled) this.release(free);
      else free.send(text, exchange);
    });
    return {
      destroy() {
        cancelled = true;
        queued?.destroy();
      },
    };
  }

  /** One JSON call; the body is sent as given when it is a string (device signatures cover the exact text). */
  call(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<JsonResult> {
    const text = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    return new Promise((resolve, reject) => {
      let status = 0;
      let json = false;
      const chunks: Buffer[] = [];
      this.send(method, path, options.headers, text, {
        head(code, headers) {
          status = code;
          json = (headers.get('content-type') ?? '').includes('json');
        },
        body: (chunk) => chunks.push(chunk),
        end() {
          const at = performance.now();
          const raw = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
          let body: unknown = raw;
          if (raw && json) {
            try {
              body = JSON.parse(raw);
            } catch {}
          }
          resolve({ status, body, at });
        },
        fail: reject,
      });
    });
  }

  /** A bare GET that reads and discards the answer (the loopback round trip). */
  ping(path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      let status = 0;
      this.send('GET', path, undefined, undefined, {
        head(code) {
          status = code;
        },
        body() {},
        end: () => resolve(status),
        fail: reject,
      });
    });
  }

  close(): void {
    for (const connection of this.open) connection.destroy();
    this.open.clear();
    this.idle.length = 0;
    this.queue.length = 0;
  }

  private connect(): Connection {
    const connection = new Connection(
      this.host,
      this.port,
      (released) => this.release(released),
      (closed) => this.forget(closed),
    );
    this.open.add(connection);
    return connection;
  }

  private release(connection: Connection): void {
    const waiting = this.queue.shift();
    if (waiting) waiting(connection);
    else this.idle.push(connection);
  }

  private forget(connection: Connection): void {
    this.open.delete(connection);
    const at = this.idle.indexOf(connection);
    if (at >= 0) this.idle.splice(at, 1);
    // A request waiting for a free connection gets a new one in place of the closed one.
    if (this.queue.length > 0) this.release(this.connect());
  }
}

export interface SseEvent {
  event: string;
  id?: string;
  data: any;
  /** performance.now() when the chunk holding it was read. */
  at: number;
}

export interface SseStream {
  /** Resolves with the HTTP status once the answer's head arrived. */
  opened: Promise<number>;
  /** Resolves when the server ends the stream (or it is closed here). */
  ended: Promise<void>;
  close(): void;
}

/**
 * Open a server-sent event stream and call `onEvent` for each event as it arrives. The shared
 * parser is fed the raw chunks with no stream adapters. On the client's own keep-alive connections
 * (the stream's connection goes back to the pool when the relay ends the stream), or, given an
 * `agent`, through `node:http` on that agent's connections (10,000 of these stay open at once).
 */
export function openSse(
  client: HttpClient,
  path: string,
  headers: Record<string, string>,
  onEvent: (event: SseEvent) => void,
  agent?: Agent,
): SseStream {
  let at = 0;
  const parser = eventStreamParser((event) => onEvent({ event: event.event, id: event.id, data: JSON.parse(event.data), at }));
  let endedResolve!: () => void;
  const ended = new Promise<void>((resolve) => {
    endedResolve = resolve;
  });
  const requestHeaders = { accept: 'text/event-stream', ...headers };
  if (agent) return openSseOnAgent(client, agent, path, requestHeaders, parser, (now) => (at = now), ended, endedResolve);
  const decoder = new StringDecoder('utf8');
  let closed = false;
  let done = false;
  let connection: { destroy(): void } | undefined;
  const opened = new Promise<number>((resolve, reject) => {
    connection = client.send('GET', path, requestHeaders, undefined, {
      head: (status) => resolve(status),
      body(chunk) {
        if (closed) return;
        at = performance.now();
        parser.push(decoder.write(chunk));
      },
      end() {
        done = true;
        endedResolve();
      },
      fail(error) {
        done = true;
        reject(error);
        endedResolve();
      },
    });
  });
  return {
    opened,
    ended,
    close() {
      closed = true;
      // Once the relay ended the stream its connection is back in the pool, serving other calls.
      if (!done) connection?.destroy();
      endedResolve();
    },
  };
}

function openSseOnAgent(
  client: HttpClient,
  agent: Agent,
  path: string,
  headers: Record<string, string>,
  parser: { push(text: string): void },
  read: (now: number) => void,
  ended: Promise<void>,
  endedResolve: () => void,
): SseStream {
  let response: IncomingMessage | undefined;
  let req: ReturnType<typeof request>;
  const opened = new Promise<number>((resolve, reject) => {
    req = request({ host: client.host, port: client.port, method: 'GET', path, headers, agent }, (res) => {
      response = res;
      resolve(res.statusCode ?? 0);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        read(performance.now());
        parser.push(chunk);
      });
      res.on('end', endedResolve);
      res.on('close', endedResolve);
      res.on('error', endedResolve);
    });
    req.on('error', (error) => {
      reject(error);
      endedResolve();
    });
    req.end();
  });
  return {
    opened,
    ended,
    close() {
      if (response) response.destroy();
      else req?.destroy();
      endedResolve();
    },
  };
}
