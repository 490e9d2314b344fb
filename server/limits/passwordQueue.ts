import { ProblemError } from '../http/problem';

/**
 * scrypt is slow on purpose, so a flood of password guesses would slow every real sign-in behind
 * it. The relay hashes at most `running` passwords at once, lets at most `waiting` more wait, and
 * lets one source (IP) hold at most `perSource` places (running or waiting): beyond that the guess
 * is refused at once (`503 busy`, Retry-After 1) instead of queueing. So a real sign-in waits
 * behind at most `waiting` hashes, and one source can never fill the queue by itself.
 */
export interface PasswordQueueLimits {
  running: number;
  waiting: number;
  perSource: number;
}

export const passwordQueueLimits: PasswordQueueLimits = { running: 2, waiting: 16, perSource: 2 };

export class PasswordQueue {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  private readonly bySource = new Map<string, number>();

  constructor(private readonly limits: PasswordQueueLimits = passwordQueueLimits) {}

  /** Run `work` (one hash) when a place is free; refused at once when the queue is full or the source has its share. */
  async run<T>(source: string, work: () => Promise<T>): Promise<T> {
    const held = this.bySource.get(source) ?? 0;
    if (held >= this.limits.perSource || (this.active >= this.limits.running && this.queue.length >= this.limits.waiting)) {
      throw new ProblemError('busy', 'Too many password checks are waiting. Try again in a moment.', {
        headers: { 'retry-after': '1' },
        privateDetail: `password queue: ${this.active} running, ${this.queue.length} waiting, ${held} from ${source}`,
      });
    }
    this.bySource.set(source, held + 1);
    try {
      if (this.active >= this.limits.running) await new Promise<void>((resolve) => this.queue.push(resolve));
      else this.active++;
      try {
        return await work();
      } finally {
        const next = this.queue.shift();
        // The place passes straight to the next in line (active stays counted).
        if (next) next();
        else this.active--;
      }
    } finally {
      const left = (this.bySource.get(source) ?? 1) - 1;
      if (left > 0) this.bySource.set(source, left);
      else this.bySource.delete(source);
    }
  }
}

/** The relay process's one queue: what it bounds is this process's CPU. */
export const passwordQueue = new PasswordQueue();
