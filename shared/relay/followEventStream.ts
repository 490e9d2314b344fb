import type { z } from 'zod';
import { reconnectEvent } from '../schemas/eventStreams';
import { readEventStream } from './readEventStream';
import { readProblem } from './readProblem';
import { RelayProblem, RelayUnreachable } from './relayErrors';
import type { FetchCredentials, FetchInit } from '../webPlatform';

/** A stream's events: each event name with the schema its data must pass (e.g. `signInRequestEvents`). */
export type EventSchemas = Record<string, z.ZodType>;

/** One event of a followed stream, its data validated against the schema of its name. */
export type FollowedEvent<M extends EventSchemas> = {
  [K in keyof M & string]: { event: K; data: z.output<M[K]>; id?: string };
}[keyof M & string];

export interface FollowOptions<M extends EventSchemas> {
  events: M;
  /** Asked again for every connection: a device signature is good once. */
  headers?: Record<string, string> | (() => Promise<Record<string, string>>);
  /** Resume after this event (it and what came before are not sent again). */
  lastEventId?: string;
  /** Stops following; the generator then simply ends. */
  signal?: AbortSignal;
  credentials?: FetchCredentials;
  fetch?: typeof fetch;
  /** The wait before reconnecting: `firstMs` after a stream that was open, doubling up to `maxMs` while connecting fails. */
  reconnect?: { firstMs?: number; maxMs?: number };
  /** How to wait (the phone wakes its waits when it comes back online). */
  wait?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  /** A connection was accepted (anything missed while disconnected is for the caller to fetch). */
  onOpen?: () => void;
  /** Whether to try again after this failure; by default only when the relay is unreachable or answers 408, 429 or 5xx. */
  shouldReconnect?: (failure: RelayProblem | RelayUnreachable) => boolean;
  /** An event whose data failed its schema (it is skipped). */
  onInvalid?: (event: string, issues: z.ZodError) => void;
}

const retryable = (failure: RelayProblem | RelayUnreachable) =>
  failure instanceof RelayUnreachable || failure.status === 408 || failure.status === 429 || failure.status >= 500;

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}

/**
 * Follow a server-sent event stream of the relay, reconnecting when it breaks and resuming with
 * `Last-Event-ID` (HTML §9.2), for as long as the caller reads. Events of names not in `events`, and
 * events whose data fails the schema of their name, are skipped. An answer the caller should not
 * retry (by default any 4xx but 408 and 429) ends the generator with its RelayProblem. A stream
 * that ends with the `reconnect` event (a relay stopping) is followed again at once.
 */
export async function* followEventStream<M extends EventSchemas>(url: string, options: FollowOptions<M>): AsyncGenerator<FollowedEvent<M>> {
  const { signal } = options;
  const firstMs = options.reconnect?.firstMs ?? 1_000;
  const maxMs = options.reconnect?.maxMs ?? 30_000;
  const wait = options.wait ?? sleep;
  const shouldReconnect = options.shouldReconnect ?? retryable;
  let lastEventId = options.lastEventId;
  let failures = 0;
  while (!signal?.aborted) {
    const connection = new AbortController();
    const stop = () => connection.abort(signal?.reason);
    signal?.addEventListener('abort', stop);
    let opened = false;
    /** The relay ended the stream on purpose (it is stopping): come back at once. */
    let hinted = false;
    try {
      const headers = typeof options.headers === 'function' ? await options.headers() : options.headers;
      let response: Response;
      try {
        const init: FetchInit = {
          headers: { accept: 'text/event-stream', ...headers, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
          signal: connection.signal,
          credentials: options.credentials,
          cache: 'no-store',
        };
        response = await (options.fetch ?? fetch)(url, init);
      } catch (error) {
        throw new RelayUnreachable(error);
      }
      if (!response.ok) throw await readProblem(response);
      if (!response.body) throw new RelayUnreachable(new Error('the event stream has no body'));
      opened = true;
      failures = 0;
      options.onOpen?.();
      for await (const received of readEventStream(response.body)) {
        if (received.id !== undefined) lastEventId = received.id;
        if (received.event === reconnectEvent) {
          hinted = true;
          break;
        }
        const schema = Object.hasOwn(options.events, received.event) ? options.events[received.event] : undefined;
        if (!schema) continue;
        let json: unknown;
        try {
          json = JSON.parse(received.data);
        } catch {
          continue;
        }
        const parsed = schema.safeParse(json);
        if (!parsed.success) {
          options.onInvalid?.(received.event, parsed.error);
          continue;
        }
        // The schema was picked by this event's name, so the data is that event's.
        yield { event: received.event, data: parsed.data, ...(received.id === undefined ? {} : { id: received.id }) } as FollowedEvent<M>;
      }
    } catch (error) {
      if (signal?.aborted) return;
      const failure = error instanceof RelayProblem || error instanceof RelayUnreachable ? error : new RelayUnreachable(error);
      if (!shouldReconnect(failure)) throw failure;
    } finally {
      signal?.removeEventListener('abort', stop);
      connection.abort();
    }
    if (signal?.aborted) return;
    if (!opened) failures++;
    if (!hinted) await wait(opened ? firstMs : Math.min(firstMs * 2 ** failures, maxMs), signal);
  }
}
