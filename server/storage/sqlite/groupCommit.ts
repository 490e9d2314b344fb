import type Database from 'better-sqlite3';

/**
 * How much one batch may hold before it commits: its calls, and the milliseconds since its BEGIN.
 * The write lock is held only while a batch runs (storage work and nothing else, in one event-loop
 * turn), so these bound how long another connection — the `nod` command on the same file, the
 * checkpoint worker — waits for it, and how long the event loop is blocked by one batch.
 */
export interface BatchLimits {
  maxCalls: number;
  maxMs: number;
}

const defaultLimits: BatchLimits = { maxCalls: 128, maxMs: 5 };

export interface GroupCommit {
  /**
   * Run `call` (a storage method whose statements run synchronously, as better-sqlite3's do) in
   * the batch of this event-loop turn. It settles only after the COMMIT that made its changes, and
   * everything it read, durable; when that COMMIT fails, with the COMMIT's error as storage trouble.
   */
  run<T>(call: () => Promise<T>): Promise<T>;
  /** Wait for the calls already queued to be committed; calls after it run on their own. */
  close(): Promise<void>;
}

interface Queued {
  call: () => unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Outcome {
  queued: Queued;
  ok: boolean;
  value: unknown;
}

/**
 * Group commit for one SQLite connection. Storage calls made during one event-loop turn are
 * queued; at the end of the turn (setImmediate) they run in one transaction — BEGIN IMMEDIATE,
 * each call in a savepoint of its own, one COMMIT — so pages many concurrent sign-ins touch (the
 * requests, limit events and audit B-trees) are written to the log once per batch instead of
 * once per call, and there is one commit's worth of fixed cost instead of one per call.
 *
 * - A call's result is delivered only after the batch's COMMIT succeeded: nobody acts on a write,
 *   or on a read of another call's write, that is then lost. A failed COMMIT (a full disk) rejects
 *   every call of the batch with that error and rolls back, so the connection stays usable.
 * - A call that fails has its own changes rolled back to its savepoint; the others commit. When
 *   SQLite itself ended the transaction (SQLITE_FULL, SQLITE_IOERR… mid-statement), the calls run
 *   so far are rejected with that error and the rest wait for the next batch.
 * - A batch of one call runs as it always did, without BEGIN and COMMIT (its statements commit
 *   on their own, or in the method's own transaction), so a quiet relay pays nothing extra.
 * - Calls run one after another, each to its end, before the next begins: a method that awaited
 *   real I/O between its statements would hold the batch (and the write lock) across turns. The
 *   SQLite methods do not; their bodies are synchronous.
 * - The write transaction is never open while the event loop does anything else, so other
 *   connections get the lock between batches (within their busy_timeout), the checkpoint worker
 *   copies what was committed as before, and the automatic checkpoint runs after a batch's COMMIT
 *   as it did after each call's.
 */
export function groupCommit(
  db: Database.Database,
  asTrouble: (error: unknown) => unknown,
  limits: BatchLimits = defaultLimits,
): GroupCommit {
  // Prepared (not db.exec) so they count as statements, as better-sqlite3's own BEGIN and COMMIT do.
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  const savepoint = db.prepare('SAVEPOINT nod_call');
  const release = db.prepare('RELEASE nod_call');
  const rollbackTo = db.prepare('ROLLBACK TO nod_call');

  let queue: Queued[] = [];
  let scheduled = false;
  let running = false;
  let closed = false;
  const drained: (() => void)[] = [];

  const schedule = () => {
    if (scheduled || running) return;
    scheduled = true;
    setImmediate(flush);
  };

  async function flush(): Promise<void> {
    scheduled = false;
    running = true;
    try {
      const batch = queue;
      queue = [];
      const rest = batch.length === 1 ? await alone(batch[0]) : await together(batch);
      queue = rest.concat(queue);
    } finally {
      running = false;
      if (queue.length > 0) schedule();
      else for (const done of drained.splice(0)) done();
    }
  }

  async function alone(queued: Queued): Promise<Queued[]> {
    try {
      queued.resolve(await queued.call());
    } catch (error) {
      queued.reject(error);
    }
    return [];
  }

  /** Run what fits of `batch` in one transaction; returns the calls left for the next turn. */
  async function together(batch: Queued[]): Promise<Queued[]> {
    try {
      begin.run();
    } catch (error) {
      for (const queued of batch) queued.reject(error);
      return [];
    }
    const started = performance.now();
    const outcomes: Outcome[] = [];
    let lost: { error: unknown } | undefined;
    let next = 0;
    while (next < batch.length && !lost) {
      if (next >= limits.maxCalls || (next > 0 && performance.now() - started >= limits.maxMs)) break;
      const queued = batch[next++];
      let outcome: Outcome;
      try {
        savepoint.run();
        try {
          outcome = { queued, ok: true, value: await queued.call() };
        } catch (error) {
          outcome = { queued, ok: false, value: error };
        }
        if (!db.inTransaction) {
          // SQLite rolled the whole transaction back: nothing of this batch was kept.
          lost = { error: outcome.ok ? new Error('the batch transaction ended inside a storage call') : outcome.value };
        } else if (outcome.ok) {
          release.run();
        } else {
          rollbackTo.run();
          release.run();
        }
      } catch (error) {
        outcome = { queued, ok: false, value: error };
        lost = { error };
      }
      outcomes.push(outcome);
    }
    if (!lost) {
      try {
        commit.run();
      } catch (error) {
        lost = { error };
      }
    }
    if (lost && db.inTransaction) {
      try {
        rollback.run();
      } catch {
        // Nothing more to undo: SQLite gives up the transaction on a failed ROLLBACK too.
      }
    }
    for (const { queued, ok, value } of outcomes) {
      if (lost) queued.reject(value === lost.error ? value : asTrouble(lost.error));
      else if (ok) queued.resolve(value);
      else queued.reject(value);
    }
    return batch.slice(next);
  }

  return {
    run<T>(call: () => Promise<T>): Promise<T> {
      if (closed) return call();
      return new Promise<T>((resolve, reject) => {
        queue.push({ call, resolve: resolve as (value: unknown) => void, reject });
        schedule();
      });
    },
    async close() {
      if (queue.length > 0 || scheduled || running) await new Promise<void>((resolve) => drained.push(resolve));
      closed = true;
    },
  };
}
