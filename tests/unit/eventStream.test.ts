import { Agent, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Fastify from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { EventStream, beatAll, keepAlive, openEventStream } from '../../server/http/eventStream';

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

describe('a waiting event stream holds only what it needs', () => {
  it("lets go of Fastify's Request and Reply while it waits, and still closes when the client goes away", async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const app = Fastify({ logger: { level: 'warn' } });
    let reply: WeakRef<object> | undefined;
    let request: WeakRef<object> | undefined;
    let closed = 0;
    let opened!: () => void;
    const open = new Promise<void>((resolve) => {
      opened = resolve;
    });
    app.get('/events', async (req, rep) => {
      request = new WeakRef(req);
      reply = new WeakRef(rep);
      openEventStream(req, rep, {}, () => closed++);
      opened();
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const client = get({ host: '127.0.0.1', port, path: '/events', agent: new Agent({ keepAlive: true }) });
    await open;
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(reply?.deref()).toBeUndefined();
    expect(request?.deref()).toBeUndefined();
    expect(closed).toBe(0);
    client.destroy();
    await vi.waitFor(() => expect(closed).toBe(1));
    await app.close();
  });

  it('a response that fails is destroyed, and its stream closes', async () => {
    const app = Fastify({ logger: { level: 'warn' } });
    let closed = 0;
    let fail!: () => void;
    const open = new Promise<void>((resolve) => {
      app.get('/events', async (req, rep) => {
        openEventStream(req, rep, {}, () => closed++);
        fail = () => rep.raw.emit('error', new Error('the socket broke'));
        resolve();
      });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const client = get({ host: '127.0.0.1', port, path: '/events' });
    client.on('error', () => undefined);
    await open;
    fail();
    await vi.waitFor(() => expect(closed).toBe(1));
    client.destroy();
    await app.close();
  });
});
