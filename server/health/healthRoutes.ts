import type { FastifyInstance } from 'fastify';
import { health, readiness } from '../../shared/schemas/directory';
import type { RelayContext } from '../context';
import { defineRoute } from '../http/defineRoute';
import { ProblemError } from '../http/problem';
import { StorageUnavailableError } from '../storage/StorageUnavailableError';
import type { StorageWatch } from './watchStorage';

/** A readiness answer is reused this long: each check writes, and the endpoint is public. */
const READY_CACHE_MS = 1000;

/**
 * For load balancers and orchestrators. `/health/live`: the process answers (restart it if not).
 * `/health/ready`: storage is reachable, migrated and takes a write (send no traffic if not);
 * a 503 says storage is unavailable, with Retry-After. `/health` stays as it always was.
 */
export function healthRoutes(app: FastifyInstance, ctx: RelayContext, watch: StorageWatch): void {
  let last: { at: number; error?: StorageUnavailableError } | undefined;
  let checking: Promise<void> | undefined;

  const check = async () => {
    try {
      await ctx.storage.ready(ctx.now());
      last = { at: Date.now() };
      watch.recovered();
    } catch (error) {
      if (!(error instanceof StorageUnavailableError)) throw error;
      last = { at: Date.now(), error };
    }
  };

  defineRoute(app, { method: 'GET', url: '/health/live', reply: health }, async ({ reply }) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' as const };
  });
  defineRoute(app, { method: 'GET', url: '/health/ready', reply: readiness }, async ({ reply }) => {
    if (!last || Date.now() - last.at >= READY_CACHE_MS) {
      checking ??= check().finally(() => {
        checking = undefined;
      });
      await checking;
    }
    reply.header('cache-control', 'no-store');
    if (last?.error) {
      throw new ProblemError('storage_unavailable', 'The relay cannot use its storage right now.', {
        headers: { 'retry-after': String(last.error.retryAfterSeconds) },
      });
    }
    return { status: 'ready' as const };
  });
}
