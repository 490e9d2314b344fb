/**
 * RFC 8291's key agreement — a fresh P-256 key pair for the message and its ECDH secret with the
 * user agent's key — on a worker thread. The secret is a point multiplication by an unknown point,
 * the costliest step of encrypting a push (~110–140 µs of CPU); on the relay's event loop it held
 * up every other request while the second core had room. WebCrypto would also leave the loop, but
 * not for all of it in Node 20: subtle.generateKey does most of its work on the calling thread and
 * deriveBits checks the peer's point once more (a second multiplication). Measured per message at
 * 64 in flight: 15 µs on the event loop and 167 µs of CPU here, 113 and 288 µs with WebCrypto,
 * 150 and 137 µs on the event loop alone.
 *
 * One worker for the process, started on first use; it holds the process open only while a
 * message is being agreed, and if it ever dies, the messages it had fail (the sender reports a
 * failed push) and the next message starts another.
 */
import { Worker } from 'node:worker_threads';

const workerSource = `
const { parentPort } = require('node:worker_threads');
const { createECDH } = require('node:crypto');
parentPort.on('message', ({ id, uaPublic }) => {
  const sender = createECDH('prime256v1');
  sender.generateKeys();
  let secret;
  try {
    secret = sender.computeSecret(uaPublic);
  } catch {
    parentPort.postMessage({ id });
    return;
  }
  parentPort.postMessage({ id, publicKey: new Uint8Array(sender.getPublicKey()), secret: new Uint8Array(secret) });
});
`;

export interface AgreedKey {
  /** The message's public key, uncompressed (65 bytes): the record header's keyid. */
  publicKey: Buffer;
  /** The ECDH shared secret with the user agent's key (32 bytes). */
  secret: Buffer;
}

interface Reply {
  id: number;
  publicKey?: Uint8Array;
  secret?: Uint8Array;
}

interface Waiting {
  resolve(agreed: AgreedKey | undefined): void;
  reject(error: Error): void;
}

let worker: Worker | undefined;
const waiting = new Map<number, Waiting>();
let lastId = 0;

function runningWorker(): Worker {
  if (worker) return worker;
  const started = new Worker(workerSource, { eval: true });
  started.unref();
  started.on('message', (reply: Reply) => {
    const waiter = waiting.get(reply.id);
    if (!waiter) return;
    waiting.delete(reply.id);
    if (waiting.size === 0) started.unref();
    const { publicKey, secret } = reply;
    waiter.resolve(publicKey && secret ? { publicKey: Buffer.from(publicKey), secret: Buffer.from(secret) } : undefined);
  });
  const stopped = (error: Error) => {
    if (worker !== started) return;
    worker = undefined;
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
  };
  started.on('error', stopped);
  started.on('exit', (code) => stopped(new Error(`the push key-agreement worker exited (code ${code})`)));
  worker = started;
  return started;
}

/**
 * A fresh key pair and its ECDH secret with `uaPublic` (an uncompressed P-256 point), computed off
 * the event loop; undefined when `uaPublic` is not a point on the curve.
 */
export function agreeInBackground(uaPublic: Uint8Array): Promise<AgreedKey | undefined> {
  const target = runningWorker();
  const id = ++lastId;
  return new Promise((resolve, reject) => {
    if (waiting.size === 0) target.ref();
    waiting.set(id, { resolve, reject });
    target.postMessage({ id, uaPublic: new Uint8Array(uaPublic) });
  });
}
