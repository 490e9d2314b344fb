import type { FastifyBaseLogger } from 'fastify';
import type { Storage } from '../storage/Storage';
import { StorageUnavailableError } from '../storage/StorageUnavailableError';
import { mapStorageErrors } from '../storage/mapStorageErrors';

/** One error line per this long while storage stays unavailable, however many calls fail. */
const REPORT_PERIOD_MS = 60_000;
/** While in trouble, how often the relay checks by itself whether storage works again. */
const RECHECK_MS = 2_000;

export interface StorageWatch {
  storage: Storage;
  /** A readiness check passed: storage works again (logged once). */
  recovered(): void;
  stop(): void;
}

/**
 * Watch a storage for StorageUnavailableError from any caller (requests, expiry, push
 * delivery, the OpenID provider): the first failure is logged at once with its cause, later
 * ones are counted and summed up once per period, and while the trouble lasts the relay checks
 * readiness every few seconds so it can say when storage works again. Nothing is retried here:
 * the next call simply tries again, so the relay recovers by itself when the disk does.
 */
export function watchStorage(storage: Storage, log: FastifyBaseLogger, now: () => number = Date.now): StorageWatch {
  let episode: { error: StorageUnavailableError; since: number; logged: boolean; failures: number } | undefined;
  let lastLine = Number.NEGATIVE_INFINITY;
  let recheck: NodeJS.Timeout | undefined;

  const report = (error: StorageUnavailableError) => {
    const at = now();
    episode ??= { error, since: at, logged: false, failures: 0 };
    episode.error = error;
    episode.failures++;
    recheck ??= setInterval(() => {
      storage.ready(now()).then(watch.recovered, () => {});
    }, RECHECK_MS);
    recheck.unref();
    // Flapping (a probe passes, the next write fails) stays within the same budget of lines.
    if (at - lastLine < REPORT_PERIOD_MS) return;
    const cause = { kind: error.kind, code: error.backendCode, message: error.message };
    if (episode.logged) {
      log.error({ storage: cause, failures: episode.failures }, `storage still unavailable: ${error.message}`);
    } else {
      log.error({ storage: cause }, `storage unavailable: ${error.message}; answering 503 until it works again`);
    }
    episode.logged = true;
    episode.failures = 0;
    lastLine = at;
  };

  const watched = mapStorageErrors(storage, (error) => {
    if (error instanceof StorageUnavailableError) report(error);
    return error;
  });

  const watch: StorageWatch = {
    storage: watched,
    recovered() {
      if (recheck) clearInterval(recheck);
      recheck = undefined;
      if (episode?.logged) {
        log.warn(
          { storage: { kind: episode.error.kind, code: episode.error.backendCode }, failures: episode.failures },
          `storage works again after ${Math.round((now() - episode.since) / 1000)} s`,
        );
      }
      episode = undefined;
    },
    stop() {
      if (recheck) clearInterval(recheck);
      recheck = undefined;
    },
  };
  return watch;
}
