/**
 * The shared relay client's pure parts, fed exact bytes: the event-stream format as HTML §9.2.6
 * describes it (line endings, comments, multi-line data, ids, retry), and problem+json reading,
 * including the error answers a proxy gives. The same client against a running relay is in
 * tests/integration/relayClient.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { type ServerSentEvent, eventStreamParser, readEventStream } from '../../shared/relay/readEventStream';
import { readProblem, retryAfterSeconds } from '../../shared/relay/readProblem';
import { RelayProblem } from '../../shared/relay/relayErrors';

/** A body that delivers exactly these pieces, as separate reads. */
function bodyOf(pieces: (string | Uint8Array)[]): { body: ReadableStream<Uint8Array>; cancelled: () => boolean } {
  let cancelled = false;
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next === pieces.length) return controller.close();
      const piece = pieces[next++];
      controller.enqueue(typeof piece === 'string' ? new TextEncoder().encode(piece) : piece);
    },
    cancel() {
      cancelled = true;
    },
  });
  return { body, cancelled: () => cancelled };
}

async function eventsOf(pieces: (string | Uint8Array)[], onRetry?: (ms: number) => void): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const event of readEventStream(bodyOf(pieces).body, { onRetry })) events.push(event);
  return events;
}

describe('reading an event stream', () => {
  it('ends lines with LF, CRLF or CR alike', async () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      expect(await eventsOf([`event: state${eol}data: {"a":1}${eol}${eol}data: two${eol}${eol}`]), JSON.stringify(eol)).toEqual([
        { event: 'state', data: '{"a":1}' },
        { event: 'message', data: 'two' },
      ]);
    }
  });

  it('keeps a CRLF split between two reads one line ending, not two', async () => {
    // Were the CR taken as a line end on its own, the LF after it would be an empty line and end the event early.
    expect(await eventsOf(['data: one\r', '\ndata: two\r', '\n\r', '\n'])).toEqual([{ event: 'message', data: 'one\ntwo' }]);
  });

  it('joins lines split anywhere, even inside a character', async () => {
    const bytes = new TextEncoder().encode('data: Zoë ✓\n\n');
    const pieces = [...bytes].map((byte) => new Uint8Array([byte]));
    expect(await eventsOf(pieces)).toEqual([{ event: 'message', data: 'Zoë ✓' }]);
  });

  it('skips comments (the heartbeat) and fields it does not know', async () => {
    expect(await eventsOf([': heartbeat\n\n: another\nfoo: bar\ndata: x\n\n'])).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('joins data lines with a line feed and keeps empty ones', async () => {
    expect(await eventsOf(['data: line one\ndata\ndata:line three\n\n'])).toEqual([{ event: 'message', data: 'line one\n\nline three' }]);
  });

  it('strips one space after the colon, no more', async () => {
    expect(await eventsOf(['data:  two spaces\n\n'])).toEqual([{ event: 'message', data: ' two spaces' }]);
  });

  it('dispatches nothing for a block without data', async () => {
    expect(await eventsOf(['event: state\nid: 4\n\ndata: after\n\n'])).toEqual([{ event: 'message', data: 'after', id: '4' }]);
  });

  it('carries the last event id over to later events, and ignores one with NUL', async () => {
    expect(await eventsOf(['id: 1\ndata: a\n\ndata: b\n\nid: 2\0x\ndata: c\n\nid\ndata: d\n\n'])).toEqual([
      { event: 'message', data: 'a', id: '1' },
      { event: 'message', data: 'b', id: '1' },
      { event: 'message', data: 'c', id: '1' },
      // `id` with no value resets it to empty.
      { event: 'message', data: 'd', id: '' },
    ]);
  });

  it('reports a retry time given in digits only', async () => {
    const retries: number[] = [];
    await eventsOf(['retry: 2000\n\nretry: soon\n\nretry: 15\n\n'], (ms) => retries.push(ms));
    expect(retries).toEqual([2000, 15]);
  });

  it('drops a leading byte order mark', async () => {
    expect(await eventsOf([new Uint8Array([0xef, 0xbb, 0xbf]), 'data: x\n\n'])).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('drops an event the stream ends in the middle of, but not one a final CR completes', async () => {
    expect(await eventsOf(['data: complete\n\ndata: cut off\n'])).toEqual([{ event: 'message', data: 'complete' }]);
    expect(await eventsOf(['data: last\n\r'])).toEqual([{ event: 'message', data: 'last' }]);
  });

  it('closes the body when the reader breaks off', async () => {
    const { body, cancelled } = bodyOf(['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n']);
    for await (const event of readEventStream(body)) {
      expect(event.data).toBe('1');
      break;
    }
    expect(cancelled()).toBe(true);
  });

  it('can be fed text directly (the benchmark feeds it raw socket chunks)', () => {
    const events: ServerSentEvent[] = [];
    const parser = eventStreamParser((event) => events.push(event));
    parser.push('id: 1\nevent: st');
    parser.push('ate\ndata: {}\n');
    expect(events).toEqual([]);
    parser.push('\n');
    parser.end();
    expect(events).toEqual([{ event: 'state', data: '{}', id: '1' }]);
  });
});

describe('reading a problem', () => {
  const answer = (body: string, status: number, headers: Record<string, string> = {}) => new Response(body, { status, headers });

  it('takes the code, the sentence, the field and the errors from problem+json', async () => {
    const problem = await readProblem(
      answer(
        JSON.stringify({
          type: 'https://nod.invalid/problems/validation_failed',
          title: 'The request is not valid',
          status: 400,
          code: 'validation_failed',
          detail: 'body field username: Invalid input',
          field: 'username',
          errors: [{ field: 'username', message: 'Invalid input' }],
        }),
        400,
        { 'content-type': 'application/problem+json' },
      ),
    );
    expect(problem).toBeInstanceOf(RelayProblem);
    expect(problem).toMatchObject({
      status: 400,
      code: 'validation_failed',
      detail: 'body field username: Invalid input',
      field: 'username',
      errors: [{ field: 'username', message: 'Invalid input' }],
      retryAfterSeconds: undefined,
      message: 'body field username: Invalid input',
    });
  });

  it('falls back to the title when there is no detail, and reads an unknown code as unknown', async () => {
    const problem = await readProblem(answer(JSON.stringify({ title: 'Slow down', code: 'a_code_from_the_future' }), 429));
    expect(problem).toMatchObject({ status: 429, code: 'unknown', detail: 'Slow down' });
  });

  it('reads a proxy’s HTML error page as just its status', async () => {
    const problem = await readProblem(answer('<html><body><h1>502 Bad Gateway</h1></body></html>', 502, { 'content-type': 'text/html' }));
    expect(problem).toMatchObject({ status: 502, code: 'unknown', detail: undefined, field: undefined, errors: [] });
    expect(problem.message).toBe('unknown (502)');
  });

  it('keeps the fields of the right type when others are wrong', async () => {
    const problem = await readProblem(answer(JSON.stringify({ code: 'conflict', detail: 42, errors: 'many', field: 'name' }), 409));
    expect(problem).toMatchObject({ status: 409, code: 'conflict', detail: undefined, field: 'name', errors: [] });
  });

  it('reads Retry-After as seconds, or as a date', async () => {
    expect((await readProblem(answer('', 429, { 'retry-after': '120' }))).retryAfterSeconds).toBe(120);
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(retryAfterSeconds('Tue, 01 Jan 2030 00:01:30 GMT', now)).toBe(90);
    expect(retryAfterSeconds('Mon, 31 Dec 2029 23:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });
});
