import { describe, expect, it } from 'vitest';
import { startWorkers, workerCalls } from '../../server/background/workerCalls';

const call = workerCalls<string, string>(
  'test',
  `
async function handle(input) {
  if (input === 'exit') process.exit(3);
  if (input === 'throw') throw new Error('refused ' + input);
  return input.toUpperCase() + workerData.suffix;
}
`,
  { suffix: '!' },
);

describe('workerCalls', () => {
  it('answers each call from the worker, a thrown error as a rejection with its message', async () => {
    expect(await Promise.all(['a', 'b', 'c'].map(call))).toEqual(['A!', 'B!', 'C!']);
    await expect(call('throw')).rejects.toThrow('refused throw');
  });

  it('a worker that dies fails the calls it had, and the next call gets a new worker', async () => {
    const [exited, queued] = await Promise.allSettled([call('exit'), call('after')]);
    expect(exited.status).toBe('rejected');
    expect(queued.status).toBe('rejected');
    expect(String((exited as PromiseRejectedResult).reason)).toMatch(/test worker exited \(code 3\)/);
    expect(await call('again')).toBe('AGAIN!');
  });
});

describe('startWorkers', () => {
  it('starts a worker for every kind defined, before any call', async () => {
    const { mkdtempSync, existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const marker = join(mkdtempSync(join(tmpdir(), 'nod-workers-')), 'loaded');
    // The handler's module code runs when its worker starts: it leaves a marker file.
    workerCalls<string, string>(
      'marked',
      `require('node:fs').writeFileSync(workerData.marker, 'up');
async function handle(input) { return input; }`,
      { marker },
    );
    expect(existsSync(marker)).toBe(false);
    startWorkers();
    await expect.poll(() => existsSync(marker), { timeout: 10_000 }).toBe(true);
  });
});
