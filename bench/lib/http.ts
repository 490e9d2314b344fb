/**
 * A lean HTTP/1.1 client for the benchmarks (node:http with keep-alive), so that the load
 * generator spends as little CPU per call as it can: on a 2-core machine the client and the relay
 * share the cores, and a heavy client would make the relay look slower than it is.
 */
import { Agent, type IncomingMessage, request } from 'node:http';
import { eventStreamParser } from '../../shared/relay/readEventStream';

export interface JsonResult {
  status: number;
  body: any;
  /** performance.now() when the answer's last byte was read. */
  at: number;
}

export class HttpClient {
  readonly agent: Agent;
  readonly host: string;
  readonly port: number;

  constructor(baseUrl: string, options: { maxSockets?: number } = {}) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 256, maxFreeSockets: options.maxSockets ?? 256 });
  }

  /** One JSON call; the body is sent as given when it is a string (device signatures cover the exact text). */
  call(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<JsonResult> {
    const text = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const headers: Record<string, string | number> = { ...options.headers };
    if (text !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(text);
    }
    return new Promise((resolve, reject) => {
      const req = request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const at = performance.now();
          const raw = Buffer.concat(chunks).toString('utf8');
          let body: unknown = raw;
          if (raw && /json/.test(String(res.headers['content-type']))) {
            try {
              body = JSON.parse(raw);
            } catch {}
          }
          resolve({ status: res.statusCode ?? 0, body, at });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(text);
    });
  }

  /** A bare GET that reads and discards the answer (the loopback round trip). */
  ping(path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request({ host: this.host, port: this.port, method: 'GET', path, agent: this.agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
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
 * parser is fed the raw chunks with no stream adapters: 10,000 of these stay open at once.
 */
export function openSse(
  client: HttpClient,
  path: string,
  headers: Record<string, string>,
  onEvent: (event: SseEvent) => void,
  agent?: Agent,
): SseStream {
  let response: IncomingMessage | undefined;
  let endedResolve!: () => void;
  const ended = new Promise<void>((resolve) => {
    endedResolve = resolve;
  });
  let req: ReturnType<typeof request>;
  const opened = new Promise<number>((resolve, reject) => {
    req = request(
      {
        host: client.host,
        port: client.port,
        method: 'GET',
        path,
        headers: { accept: 'text/event-stream', ...headers },
        agent: agent ?? client.agent,
      },
      (res) => {
        response = res;
        resolve(res.statusCode ?? 0);
        let at = 0;
        const parser = eventStreamParser((event) => onEvent({ event: event.event, id: event.id, data: JSON.parse(event.data), at }));
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          at = performance.now();
          parser.push(chunk);
        });
        res.on('end', endedResolve);
        res.on('close', endedResolve);
        res.on('error', endedResolve);
      },
    );
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
