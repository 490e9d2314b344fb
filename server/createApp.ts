import Fastify, { type FastifyInstance } from 'fastify';
import { adminRoutes } from './admin/adminRoutes';
import type { RelayConfig } from './config';
import type { RelayContext } from './context';
import { enrollmentRoutes } from './enrollment/enrollmentRoutes';
import { ReplayGuard } from './http/deviceAuth';
import { registerErrorHandling } from './http/errorHandling';
import { registerJsonBody } from './http/jsonBody';
import { loadKeys } from './keys/loadKeys';
import type { Storage } from './storage/Storage';
import { createSqliteStorage } from './storage/sqlite/createSqliteStorage';
import { discoveryRoutes } from './tenants/discoveryRoutes';

export interface AppOptions {
  /** Storage to use instead of the embedded SQLite file. */
  storage?: Storage;
  /** A clock for tests. */
  now?: () => number;
}

export interface RelayApp {
  app: FastifyInstance;
  ctx: RelayContext;
}

/** Build the relay: the one factory `main` and the tests share. */
export async function createApp(config: RelayConfig, options: AppOptions = {}): Promise<RelayApp> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Secrets never reach the log: tokens, passes, codes and signatures travel in these.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    },
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
  });
  const storage = options.storage ?? createSqliteStorage(config.dataDir);
  const ctx: RelayContext = {
    config,
    storage,
    keys: await loadKeys(config.dataDir),
    log: app.log,
    now: options.now ?? Date.now,
  };
  registerErrorHandling(app);
  registerJsonBody(app);
  const guard = new ReplayGuard();
  discoveryRoutes(app, ctx);
  adminRoutes(app, ctx);
  enrollmentRoutes(app, ctx, guard);
  app.addHook('onClose', async () => storage.close());
  return { app, ctx };
}
