import type { FastifyBaseLogger } from 'fastify';
import type { Millis } from '../../storage/model';

/** Expiry per request: one timer, set for the nearest due time. */
export interface ExpiryScheduler {
  /** A pending request falls due at `at`: wake then, if that is sooner than planned. */
  schedule(at: Millis): void;
  /** Expire whatever is already due (left from before a restart), then follow the due-time index. */
  start(): void;
  /** No more wakes; resolves once a run under way has finished (before storage closes). */
  stop(): Promise<void>;
}

export interface ExpirySchedulerOptions {
  now: () => Millis;
  /** The earliest expiry among pending requests (storage's due-time index). */
  nextDue: () => Promise<Millis | undefined>;
  /**
   * Expire every request due now (each through the one close). Resolves `'elsewhere'` when
   * another relay is doing it right now (it holds the sweep's lock): look again shortly.
   */
  expireDue: () => Promise<unknown>;
  /**
   * The longest it sleeps without looking at the index again: what bounds how late it notices a
   * request no `schedule` call told it about (created by another relay), or a clock that jumped.
   */
  recheckMs: number;
  log: FastifyBaseLogger;
}

/** How soon to look again after another relay was found sweeping. */
const elsewhereRetryMs = 1000;

/**
 * Wakes when the nearest pending request falls due, expires what is due, and sets its one timer
 * for the next due time it reads from storage. It keeps no state that matters: after a restart
 * the index says what is due, and with several relays each runs its own scheduler while the
 * close's compare-and-set expires each request exactly once (on PostgreSQL, a sweep also takes an
 * advisory lock first, so one relay sweeps at a time instead of all racing for the same rows).
 */
export function createExpiryScheduler(options: ExpirySchedulerOptions): ExpiryScheduler {
  const { now, log, recheckMs } = options;
  let timer: NodeJS.Timeout | undefined;
  let wakeAt = Number.POSITIVE_INFINITY;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;

  const arm = (at: Millis) => {
    if (stopped) return;
    const delay = Math.max(0, Math.min(at - now(), recheckMs));
    const when = now() + delay;
    if (timer && when >= wakeAt) return;
    clearTimeout(timer);
    wakeAt = when;
    timer = setTimeout(wake, delay);
    timer.unref();
  };

  const run = async () => {
    try {
      let elsewhere = false;
      do {
        again = false;
        elsewhere = (await options.expireDue()) === 'elsewhere';
      } while (again && !stopped && !elsewhere);
      // Another relay's sweep: what is due now is its work; look again once it is likely done.
      if (elsewhere) arm(now() + Math.min(recheckMs, elsewhereRetryMs));
      else arm((await options.nextDue()) ?? Number.POSITIVE_INFINITY);
    } catch (error) {
      log.error({ err: error }, 'expiring due sign-in requests failed; trying again later');
      arm(now() + recheckMs);
    }
  };

  const wake = () => {
    timer = undefined;
    wakeAt = Number.POSITIVE_INFINITY;
    if (running) {
      again = true;
      return;
    }
    running = run().finally(() => {
      running = undefined;
    });
  };

  return {
    schedule(at) {
      arm(at);
    },
    start() {
      stopped = false;
      arm(now());
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
