/** What the tests that run the relay or the CLI as processes share: ports, environments, temporary directories, exits. */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/** A port nobody listens on yet (to give a relay or a site before it starts). */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** The environment without any NOD_* of the machine running the tests, plus these. */
export function envWith(vars: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('NOD_')));
  return { ...clean, ...vars };
}

/** What a child process has printed so far. */
export function outputOf(child: ChildProcess): () => { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return () => ({ stdout, stderr });
}

/** How a child process ended, and all it printed. */
export function exited(child: ChildProcess): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const output = outputOf(child);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, ...output() })));
}

/** Makes temporary directories named `<prefix>…`, all removed after the test file. */
export function tempDirs(prefix: string): () => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
