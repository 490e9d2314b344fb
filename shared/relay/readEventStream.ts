/** One server-sent event, as the WHATWG event-stream format dispatches it. */
export interface ServerSentEvent {
  /** The event type: the `event` field, or `message` when the event had none. */
  event: string;
  /** The `data` lines, joined with a line feed. */
  data: string;
  /** The last event ID at the time of this event (it carries over from earlier events until an `id` field changes it). */
  id?: string;
}

export interface EventStreamOptions {
  /** The stream asked for a reconnection time (a `retry` field), in milliseconds. */
  onRetry?: (milliseconds: number) => void;
}

export interface EventStreamParser {
  /** The next piece of the stream's text, cut anywhere. */
  push(text: string): void;
  /** The stream ended: an event still open is dropped, as the format says. */
  end(): void;
}

/**
 * The event-stream format (HTML "event stream interpretation", §9.2.6), fed text as it arrives: lines
 * end in CRLF, LF or CR alike, also when a CRLF is split between two pieces; comments (the relay's
 * heartbeats) are skipped; `data` lines join with a line feed; an `id` carries over to later events
 * and one containing NUL is ignored; an event without data is not dispatched.
 */
export function eventStreamParser(onEvent: (event: ServerSentEvent) => void, options: EventStreamOptions = {}): EventStreamParser {
  let buffer = '';
  let eventType = '';
  let data = '';
  let hasData = false;
  let lastEventId: string | undefined;

  const takeLine = (line: string) => {
    if (line === '') {
      if (hasData) onEvent({ event: eventType || 'message', data, ...(lastEventId === undefined ? {} : { id: lastEventId }) });
      eventType = '';
      data = '';
      hasData = false;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        eventType = value;
        break;
      case 'data':
        data = hasData ? `${data}\n${value}` : value;
        hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) options.onRetry?.(Number(value));
        break;
    }
  };

  return {
    push(text) {
      buffer += text;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const char = buffer[i];
        if (char !== '\n' && char !== '\r') continue;
        // A CR last in the buffer may be the first half of a CRLF: wait for the next piece to tell.
        if (char === '\r' && i === buffer.length - 1) break;
        takeLine(buffer.slice(start, i));
        if (char === '\r' && buffer[i + 1] === '\n') i++;
        start = i + 1;
      }
      buffer = buffer.slice(start);
    },
    end() {
      // A CR that ends the stream ends its line too.
      if (buffer.endsWith('\r')) takeLine(buffer.slice(0, -1));
      buffer = '';
    },
  };
}

/**
 * Read a `text/event-stream` body as events (see eventStreamParser). `fetch` is used rather than
 * EventSource because the relay's streams need an Authorization header (a collector secret or a
 * device signature), which EventSource cannot send. Breaking off the loop closes the body.
 */
export async function* readEventStream(
  body: ReadableStream<Uint8Array>,
  options: EventStreamOptions = {},
): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  // TextDecoder drops a leading byte order mark, which the format allows.
  const decoder = new TextDecoder();
  const ready: ServerSentEvent[] = [];
  const parser = eventStreamParser((event) => ready.push(event), options);
  let ended = false;
  try {
    while (!ended) {
      const { value, done } = await reader.read();
      if (done) {
        ended = true;
        parser.push(decoder.decode());
        parser.end();
      } else {
        parser.push(decoder.decode(value, { stream: true }));
      }
      while (ready.length > 0) yield ready.shift()!;
    }
  } finally {
    if (!ended) void reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
