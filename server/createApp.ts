import type { Agent } from 'node:https';
import Fastify, { type FastifyInstance } from 'fastify';
import { startWorkers } from './background/workerCalls';
import type { RelayConfig } from './config';
import type { PushDelivery, RelayContext } from './context';
import { type StorageWatch, watchStorage } from './health/watchStorage';
import { registerErrorHandling } from './http/errorHandling';
import { closeEventStreamsOf } from './http/eventStream';
import { ProblemError, sendProblem } from './http/problem';
import { registerJsonBody } from './http/jsonBody';
import { refuseNulCharacter } from './http/refuseNulCharacter';
import { loadKeys } from './keys/loadKeys';
import { loadSecretBox } from './secrets/secretBox';
import { resealSecrets, sealSecretsAtRest } from './secrets/sealSecretsAtRest';
import { checkPushHealth, pushHealth } from './push/checkPushHealth';
import { createPushSender } from './push/createPushSender';
import { isAllowedPushEndpoint } from './push/pushHosts';
import type { SignInEventBus } from './signin/requests/SignInEventBus';
import { createExpiryScheduler } from './signin/requests/createExpiryScheduler';
import { createInProcessEventBus } from './signin/requests/createInProcessEventBus';
import type { PostgresEventBus } from './signin/requests/createPostgresEventBus';
import { expireDueSignInRequests } from './signin/requests/expireDueSignInRequests';
import type { Storage } from './storage/Storage';
import { openStorage } from './storage/openStorage';
import type { PostgresDatabase } from './storage/postgres/database';
import { type Locator, defaultGeoipDatabase, openLocator } from './location/locator';
import { withdrawalsSettled } from './signin/requests/phoneWithdrawals';

export interface AppOptions {
  /** Storage to use instead of the one the configuration names (NOD_DATABASE_URL, else the SQLite file). */
  storage?: Storage;
  /** A clock for tests. */
  now?: () => number;
  /** The HTTPS agent for push services (tests trust their loopback push service with it). */
  pushAgent?: Agent;
  /** Push delivery to use instead of the built-in sender. */
  push?: PushDelivery;
  /**
   * The event bus, instead of the one the storage implies: in-process on SQLite; on PostgreSQL,
   * LISTEN/NOTIFY on the relay's database, which every relay on it shares.
   */
  events?: SignInEventBus;
  /**
   * The longest the expiry scheduler sleeps before looking at the due-time index again, in ms
   * (default 30 s): what bounds how late it notices requests created by another relay.
   */
  expiryRecheckMs?: number;
  /** Where the log's JSON lines go instead of stdout (tests read them). */
  logStream?: { write(line: string): void };
  /**
   * What the app serves: `relay` (the default), everything a listening relay serves; `admin`, only
   * the admin API, for the CLI, which calls it in-process and never listens, so it loads no sign-in,
   * page or provider code; `admin+clients`, that and the OpenID Connect clients API, which loads the
   * provider to check a client's metadata.
   */
  routes?: AppRoutes;
}

export type AppRoutes = 'relay' | 'admin' | 'admin+clients';

/** The code that registers the routes `routes` names, loaded before anything is opened. */
async function loadRoutes(routes: AppRoutes): Promise<(app: FastifyInstance, ctx: RelayContext, watch: StorageWatch) => void> {
  if (routes === 'relay') return (await import('./relayRoutes')).relayRoutes;
  const { adminRoutes } = await import('./admin/adminRoutes');
  if (routes === 'admin') return (app, ctx) => adminRoutes(app, ctx);
  const [{ clientRoutes }, { TenantProviders }] = await Promise.all([import('./oidc/clientRoutes'), import('./oidc/tenantProviders')]);
  return (app, ctx) => {
    adminRoutes(app, ctx);
    clientRoutes(app, ctx, new TenantProviders(ctx));
  };
}

export interface RelayApp {
  app: FastifyInstance;
  ctx: RelayContext;
}

/** Build the relay: the one factory `main` and the tests share. */
export async function createApp(config: RelayConfig, options: AppOptions = {}): Promise<RelayApp> {
  const registerRoutes = await loadRoutes(options.routes ?? 'relay');
  const app = Fastify({
    logger: {
      level: config.logLevel,
      ...(options.logStream ? { stream: options.logStream } : {}),
      // Secrets never reach the log: tokens, passes, codes and signatures travel in these.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    },
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    // Stopping drains (see drainRelay): no new connections, calls in flight finish, each on a
    // connection that then closes; event streams are ended by the relay with a reconnect hint.
    forceCloseConnections: false,
    return503OnClosing: false,
    // A badly encoded URL or header is a problem+json answer like every other bad input.
    frameworkErrors: (error, _request, reply) => {
      void sendProblem(reply, new ProblemError('validation_failed', `The request could not be read: ${error.message}`));
    },
  });
  const backend =
    options.storage ??
    (await openStorage(config, { onIdleError: (error) => app.log.warn({ err: error }, 'a pooled PostgreSQL connection was lost') }));
  const now = options.now ?? Date.now;
  let keys: Awaited<ReturnType<typeof loadKeys>>;
  let bus: PostgresEventBus | undefined;
  // The PostgreSQL pool, when the state is there: events and the expiry sweep coordinate through it too.
  const pool = config.databaseUrl ? (backend as Storage & { database?: Partial<PostgresDatabase> }).database?.pool : undefined;
  let sealed: Storage;
  let locator: Locator;
  try {
    // Storage that cannot take a write stops the start with one clear line (see main.ts),
    // rather than a relay that answers 503 to everyone.
    await backend.ready(now());
    keys = await loadKeys(config.dataDir);
    const geoipDb = config.geoipDb ?? defaultGeoipDatabase();
    locator = await openLocator(geoipDb).catch((error: Error) => {
      throw new Error(`${config.geoipDb ? 'NOD_GEOIP_DB' : 'the location database'}: cannot read ${geoipDb} (${error.message})`);
    });
    const box = loadSecretBox(config.dataDir);
    sealed = sealSecretsAtRest(backend, box);
    const resealed = await resealSecrets(sealed, box);
    if (resealed > 0) app.log.info({ resealed, keyId: box.keyId }, 'secrets at rest sealed with the current key');
    if (!options.events && config.databaseUrl && pool) {
      const { createPostgresEventBus } = await import('./signin/requests/createPostgresEventBus');
      bus = createPostgresEventBus({ url: config.databaseUrl, pool, log: app.log });
      await bus.start();
    }
  } catch (error) {
    await backend.close();
    throw error;
  }
  const watch = watchStorage(sealed, app.log, now);
  const storage = watch.storage;
  const sender = options.push
    ? undefined
    : // No test clock here: push services check the VAPID token's expiry against the real time.
      createPushSender({
        vapid: keys.vapid,
        subject: config.vapidSubject,
        agent: options.pushAgent,
        log: app.log,
        allowEndpoint: (endpoint) => isAllowedPushEndpoint(endpoint, config.pushHosts),
      });
  const expiry = createExpiryScheduler({
    now,
    nextDue: () => storage.signInRequests.nextExpiry(),
    // On PostgreSQL one relay sweeps at a time; the others find the lock taken and look again later.
    expireDue: async () => {
      if (!pool) return expireDueSignInRequests(ctx);
      const { tryAdvisoryLock } = await import('./storage/postgres/tryAdvisoryLock');
      const sweep = await tryAdvisoryLock(pool, 'nod expiry sweep', () => expireDueSignInRequests(ctx));
      return sweep.ran ? sweep.value : 'elsewhere';
    },
    recheckMs: options.expiryRecheckMs ?? 30_000,
    log: app.log,
  });
  const ctx: RelayContext = {
    config,
    storage,
    keys,
    log: app.log,
    now,
    events: options.events ?? bus ?? createInProcessEventBus(),
    expiry,
    push: options.push ?? sender!,
    locator,
  };
  registerErrorHandling(app);
  registerJsonBody(app);
  refuseNulCharacter(app);
  registerRoutes(app, ctx, watch);
  // The drain's first step: event streams never end by themselves, so end them, each with a
  // reconnect hint, before the server waits for its connections to close.
  // A kept-alive connection is closed once its call in flight is answered: Node closes only the
  // connections idle at the moment the server closes, so look again until the server has closed.
  let reapIdle: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    const ended = closeEventStreamsOf(app.server);
    if (ended > 0) app.log.info({ streams: ended }, 'event streams ended with a reconnect hint');
    reapIdle = setInterval(() => app.server.closeIdleConnections(), 50);
  });
  // Only a listening relay expires requests and checks pushes (the CLI builds the app without listening).
  let healthTimer: NodeJS.Timeout | undefined;
  app.addHook('onListen', async () => {
    expiry.start();
    startWorkers();
    healthTimer = setInterval(
      () => void checkPushHealth(ctx).catch((error) => app.log.warn({ err: error }, 'push health check failed')),
      pushHealth.intervalMs,
    ).unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(reapIdle);
    clearInterval(healthTimer);
    await expiry.stop();
    // Closed requests still being withdrawn from their phones reach them before the bus closes.
    await withdrawalsSettled(ctx, 2_000);
    await bus?.close();
    // Pushes under way (a sign-in just created, a retry waiting out a 429) go out before the sender stops.
    await sender?.settled(2_000);
    sender?.close();
    watch.stop();
    await storage.close();
  });
  return { app, ctx };
}
