/**
 * Figure 4: pushes per second, Nod's sender ÷ web-push's sendNotification, to the same loopback
 * push endpoint in the same run. The senders run in a child process (bench/processes/pushSender.ts);
 * the endpoint runs here in `sample` mode (it answers 201 at once and fully checks one message in
 * `sampleEvery` — VAPID JWT and http_ece decryption — so its cost per message does not depend on
 * the sender). Phases alternate nod, web-push, nod, web-push, ... and each pair gives one ratio.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { BenchPushEndpoint } from '../lib/pushEndpoint';
import { benchDir, repoDir } from '../lib/relayProcess';

export interface PushPhase {
  sender: 'nod' | 'web-push';
  rate: number;
  cpuMsPerPush: number;
  failed: number;
  checked: number;
  checkFailures: string[];
}

export interface PushRun {
  nod: PushPhase;
  webPush: PushPhase;
  ratio: number;
}

export async function measurePushSending(
  push: BenchPushEndpoint,
  options: { count: number; concurrency: number; pairs: number; subscriptions: number },
): Promise<PushRun[]> {
  const caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nod-bench-ca-')), 'push-ca.pem');
  fs.writeFileSync(caFile, push.ca);
  const subscriptions = Array.from({ length: options.subscriptions }, () => push.subscribe().subscription);
  const topics = subscriptions.map(() => randomBytes(16).toString('base64url'));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(benchDir, 'processes/pushSender.ts')], {
    cwd: repoDir,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile, BENCH_PUSH: JSON.stringify({ subscriptions, topics }) },
  });
  let nextId = 1;
  const waiting = new Map<number, (message: any) => void>();
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message: any) => {
      if (message.type === 'ready') resolve();
      waiting.get(message.id)?.(message);
      waiting.delete(message.id);
    });
    child.on('exit', (code) => reject(new Error(`push sender exited with ${code}`)));
  });
  const phase = async (sender: 'nod' | 'web-push', count: number): Promise<PushPhase> => {
    push.mode = 'sample';
    push.sampleEvery = Math.max(1, Math.floor(count / 20));
    push.resetStats();
    const id = nextId++;
    const answer = await new Promise<any>((resolve) => {
      waiting.set(id, resolve);
      child.send({ id, sender, count, concurrency: options.concurrency });
    });
    // Let the sampled checks still running finish.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return {
      sender,
      rate: answer.delivered / answer.seconds,
      cpuMsPerPush: answer.cpuMs / count,
      failed: answer.failed,
      checked: push.stats.checked,
      checkFailures: push.stats.failures,
    };
  };
  try {
    await ready;
    await phase('nod', Math.min(200, options.count));
    await phase('web-push', Math.min(200, options.count));
    const runs: PushRun[] = [];
    for (let pair = 0; pair < options.pairs; pair++) {
      // Alternate which goes first, so a drift in machine load does not favour one side.
      const first = pair % 2 === 0 ? 'nod' : 'web-push';
      const a = await phase(first, options.count);
      const b = await phase(first === 'nod' ? 'web-push' : 'nod', options.count);
      const nod = a.sender === 'nod' ? a : b;
      const webPush = a.sender === 'nod' ? b : a;
      runs.push({ nod, webPush, ratio: nod.rate / webPush.rate });
    }
    return runs;
  } finally {
    push.mode = 'decrypt';
    child.removeAllListeners('exit');
    child.disconnect();
    fs.rmSync(path.dirname(caFile), { recursive: true, force: true });
  }
}
