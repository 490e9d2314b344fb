import { Worker } from 'node:worker_threads';

/**
 * Calls to a function that runs on a worker thread, for CPU-bound work (public-key crypto) that
 * would otherwise hold up the relay's event loop while the machine's other cores have room. One
 * worker per kind of call, started on first use; it holds the process open only while a call is
 * under way. If it ever dies, the calls it had reject and the next call starts another.
 *
 * A listening relay starts every kind at once (startWorkers, from createApp's onListen): the first
 * sign-in after a start does not wait for a worker to load its library, and the workers' memory is
 * part of what a relay costs at rest, not something its first waiting sign-ins seem to add.
 *
 * `handler` is plain CommonJS source defining `async function handle(input)` (and `workerData` is
 * in scope): a thrown error rejects the call with an Error of its message. Inputs and outputs are
 * structured-cloned.
 */
const kinds = new Set<() => void>();

/** Start a worker for every kind of call defined so far (those already running are left as they are). */
export function startWorkers(): void {
  for (const start of kinds) start();
}

export function workerCalls<In, Out>(name: string, handler: string, workerData?: unknown): (input: In) => Promise<Out> {
  const source = `
const { parentPort, workerData } = require('node:worker_threads');
${handler}
parentPort.on('message', async ({ id, input }) => {
  try {
    parentPort.postMessage({ id, output: await handle(input) });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
`;
  let worker: Worker | undefined;
  const waiting = new Map<number, { resolve(output: Out): void; reject(error: Error): void }>();
  let lastId = 0;

  function running(): Worker {
    if (worker) return worker;
    const started = new Worker(source, { eval: true, workerData });
    started.unref();
    started.on('message', (reply: { id: number; output?: Out; error?: string }) => {
      const waiter = waiting.get(reply.id);
      if (!waiter) return;
      waiting.delete(reply.id);
      if (waiting.size === 0) started.unref();
      if (reply.error !== undefined) waiter.reject(new Error(reply.error));
      else waiter.resolve(reply.output as Out);
    });
    const stopped = (error: Error) => {
      if (worker !== started) return;
      worker = undefined;
      for (const waiter of waiting.values()) waiter.reject(error);
      waiting.clear();
    };
    started.on('error', stopped);
    started.on('exit', (code) => stopped(new Error(`the ${name} worker exited (code ${code})`)));
    worker = started;
    return started;
  }

  kinds.add(() => void running());
  return (input) => {
    const target = running();
    const id = ++lastId;
    return new Promise<Out>((resolve, reject) => {
      if (waiting.size === 0) target.ref();
      waiting.set(id, { resolve, reject });
      target.postMessage({ id, input });
    });
  };
}
