/** How many subscribers a tenant-wide notice reaches per second, past the first as many at once. */
export const defaultFanOutPerSecond = 500;

export interface FanOutPacer<T> {
  /** Deliver to each of these, at once while this second's allowance lasts, the rest in later seconds. */
  enqueue(items: Iterable<T>): void;
  /** How many wait for a later second. */
  readonly waiting: number;
  /** Drops what waits (the process is stopping). */
  close(): void;
}

/**
 * Paces a fan-out: at most `perSecond` deliveries in any one second, so a tenant-wide notice
 * (a policy saved) does not make every phone of a large tenant read its accounts in the same
 * instant. Up to `perSecond` go at once; the rest go `perSecond` a second after that. An item
 * already waiting is not queued twice: it reads everything anyway when its turn comes, so a second
 * notice before it is told adds nothing, and two saves in a row do not double the rate.
 */
export function createFanOutPacer<T>(deliver: (item: T) => void, options: { perSecond?: number; now?: () => number } = {}): FanOutPacer<T> {
  const perSecond = Math.max(1, Math.floor(options.perSecond ?? defaultFanOutPerSecond));
  const now = options.now ?? Date.now;
  const queue = new Set<T>();
  let windowStart = Number.NEGATIVE_INFINITY;
  let sentInWindow = 0;
  let timer: NodeJS.Timeout | undefined;

  const drain = () => {
    timer = undefined;
    const at = now();
    if (at - windowStart >= 1000) {
      windowStart = at;
      sentInWindow = 0;
    }
    for (const item of queue) {
      if (sentInWindow >= perSecond) break;
      queue.delete(item);
      sentInWindow++;
      try {
        deliver(item);
      } catch {
        // A subscriber must not throw (the bus's contract); one that does stops nobody else.
      }
    }
    if (queue.size > 0) {
      timer = setTimeout(drain, Math.max(0, windowStart + 1000 - now()));
      timer.unref?.();
    }
  };

  return {
    enqueue(items) {
      for (const item of items) queue.add(item);
      if (timer === undefined && queue.size > 0) drain();
    },
    get waiting() {
      return queue.size;
    },
    close() {
      clearTimeout(timer);
      timer = undefined;
      queue.clear();
    },
  };
}
