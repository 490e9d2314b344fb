import { describe, expect, it } from 'vitest';
import { EventStream, beatAll, keepAlive } from '../../server/http/eventStream';

const fakeResponse = () => {
  const written: string[] = [];
  return { written, raw: { write: (chunk: string) => written.push(chunk) > 0, end: () => undefined } as never };
};

describe('server-sent event streams', () => {
  it('frames events with their id, and nothing after close', () => {
    const { written, raw } = fakeResponse();
    let closed = 0;
    const stream = new EventStream(raw, () => closed++);
    stream.send('state', { status: 'pending' }, 1);
    stream.close();
    stream.close();
    stream.send('state', { status: 'approved' }, 2);
    expect(written).toEqual(['id: 1\nevent: state\ndata: {"status":"pending"}\n\n']);
    expect(closed).toBe(1);
  });

  it('the heartbeat reaches every open stream, a slice per turn of the event loop', async () => {
    const responses = Array.from({ length: 1200 }, fakeResponse);
    const streams = responses.map(({ raw }) => new EventStream(raw, () => undefined));
    for (const stream of streams) keepAlive(stream);
    streams[5].close();
    beatAll();
    // The first slice is beaten at once, the rest on later turns.
    expect(responses.filter((r) => r.written.length > 0).length).toBe(500);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(responses.filter((r) => r.written.includes(': heartbeat\n\n')).length).toBe(1199);
    for (const stream of streams) stream.close();
  });
});
