import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAdminToken } from '../../server/admin/adminTokens';
import { configFor } from '../../server/config';
import { createApp } from '../../server/createApp';
import { createTenant } from '../../server/tenants/createTenant';
import { readEventStream } from '../../shared/relay/readEventStream';
import { tenantCreate } from '../../shared/schemas/directory';
import { repoRoot } from '../helpers/builds';
import { type RelayProcess, startRelayProcess } from '../helpers/relayProcess';
import { freePort } from '../helpers/roundRobinProxy';
import { createRequest } from '../helpers/signInFlow';

/** A data directory with tenant contoso in it, made before any relay process runs on it. */
async function seededDataDir(): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-drain-'));
  const { app, ctx } = await createApp(configFor({ dataDir }));
  const tenant = await createTenant(ctx, tenantCreate.parse({ name: 'contoso' }));
  await createAdminToken(ctx, tenant, 'global_administrator', 'test');
  await app.close();
  return dataDir;
}

/** Whether a listener can take the port now (nothing holds it). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Resolves once `condition()` holds, or rejects when the process ends first. */
function waitFor(condition: () => boolean, exited: Promise<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (condition()) {
        clearInterval(timer);
        resolve();
      }
    }, 25);
    void exited.then(() => {
      clearInterval(timer);
      if (!condition()) reject(new Error('the process exited first'));
    });
  });
}

/** Resolves once `read()` includes `text`, or rejects when the process ends first. */
function waitForOutput(read: () => string, text: string, exited: Promise<unknown>): Promise<void> {
  return waitFor(() => read().includes(text), exited).catch(() => {
    throw new Error(`exited before printing "${text}":\n${read()}`);
  });
}

describe('stopping a relay drains it (SIGTERM)', () => {
  let dataDir: string;
  let relay: RelayProcess | undefined;
  let port: number;

  beforeAll(async () => {
    dataDir = await seededDataDir();
  });
  afterEach(() => {
    relay?.child.kill('SIGKILL');
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('a call in flight is answered, an event stream ends with a reconnect hint, the process exits 0 and frees its port', async () => {
    port = await freePort();
    relay = startRelayProcess({ NOD_PORT: String(port), NOD_DATA_DIR: dataDir, NOD_LOG_LEVEL: 'info' });
    await relay.ready();
    const url = `http://localhost:${port}`;

    // A desktop waiting on its request's event stream.
    const created = await createRequest(url, 'contoso', { username: 'nobody@contoso.example' });
    expect(created.status).toBe(201);
    const response = await fetch(`${url}/api/sign-in-requests/${created.body.requestId}/events`, {
      headers: { authorization: `Bearer ${created.body.collectorSecret}` },
    });
    const events: { event: string; data: string }[] = [];
    const streamEnded = (async () => {
      for await (const event of readEventStream(response.body!)) events.push(event);
    })();

    // A call in flight: its headers and half its body are in when the signal comes.
    const body = JSON.stringify({ username: 'nobody@contoso.example', origin: 'https://portal.contoso.example' });
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    const answered = new Promise((resolve) => socket.once('close', resolve));
    socket.write(
      `POST /api/t/contoso/sign-in-requests HTTP/1.1\r\nhost: localhost:${port}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\n\r\n${body.slice(0, 10)}`,
    );
    // In flight once the relay has read its headers (it logs each call as it comes in).
    const incoming = () =>
      relay!
        .output()
        .stdout.split('\n')
        .filter((line) => line.includes('"url":"/api/t/contoso/sign-in-requests"') && line.includes('incoming request'));
    await waitFor(() => incoming().length >= 2, relay.exited);
    relay.child.kill('SIGTERM');
    await waitForOutput(() => relay!.output().stdout, 'SIGTERM: stopping', relay.exited);

    await streamEnded;
    expect(events.map((e) => e.event)).toEqual(['state', 'reconnect']);
    expect(JSON.parse(events[1].data)).toEqual({ reason: 'relay_stopping' });

    // New connections are refused while it drains; the call in flight still gets its answer.
    // (The listener closes right after the streams end: wait for that.)
    let refused = false;
    while (!refused) {
      refused = await fetch(`${url}/health/live`, { headers: { connection: 'close' } }).then(
        () => false,
        () => true,
      );
    }
    socket.write(body.slice(10));
    await answered;
    expect(answer).toMatch(/^HTTP\/1\.1 201 /);
    expect(answer).toContain('"requestId"');

    expect(await relay.exited).toEqual({ code: 0, signal: null });
    expect(await portIsFree(port)).toBe(true);
  });
});

describe('npm start passes signals on to the relay', () => {
  let child: ChildProcess | undefined;
  let dataDir: string;
  afterAll(() => {
    child?.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('SIGTERM to npm stops the relay: npm exits, and the relay and demo ports are free for the next start', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-npm-start-'));
    const [port, demoPort] = [await freePort(), await freePort()];
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('NOD_')));
    // What `npm start` runs once the pages and the phone app are built (its last step, through npm).
    child = spawn('npm', ['run', '--silent', 'start:built'], {
      cwd: repoRoot,
      env: { ...env, NOD_PORT: String(port), NOD_DEMO_PORT: String(demoPort), NOD_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr!.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child!.once('exit', (code, signal) => resolve({ code, signal })),
    );
    await waitForOutput(() => output, 'Press Ctrl+C to stop.', exited);
    expect(await portIsFree(port)).toBe(false);

    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    // npm waits for the relay: once npm has exited, both ports are free.
    expect(await portIsFree(port)).toBe(true);
    expect(await portIsFree(demoPort)).toBe(true);
    // npm, then the relay and the demo site start: several seconds each on a loaded machine.
  }, 60_000);

  it('the start script ends in exec, so the shell npm runs it in does not stay between npm and the relay', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).scripts;
    expect(scripts.start).toMatch(/&& exec npm run --silent start:built$/);
    expect(scripts['start:built']).toMatch(/^exec node /);
  });
});
