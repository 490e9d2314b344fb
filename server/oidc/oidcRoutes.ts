import type { FastifyInstance } from 'fastify';
import type { RelayContext } from '../context';
import { adminCenterRoutes } from '../admin/center/adminCenterRoutes';
import { mySignInsRoutes } from '../pages/mySignInsRoutes';
import { staticRoutes } from '../pages/staticRoutes';
import { clientRoutes } from './clientRoutes';
import { interactionRoutes } from './interactionRoutes';
import { mountProviders } from './mountProviders';
import { TenantProviders } from './tenantProviders';

/** How often expired provider records (sessions, codes, interactions) are purged. */
const purgeEveryMs = 10 * 60_000;

/**
 * OpenID Connect: a provider per tenant at `/t/<tenant>`, its hosted sign-in page, My Sign-ins,
 * the page bundles, and the clients admin API.
 */
export function oidcRoutes(app: FastifyInstance, ctx: RelayContext): TenantProviders {
  const providers = new TenantProviders(ctx);
  staticRoutes(app);
  interactionRoutes(app, ctx, providers);
  mySignInsRoutes(app, ctx, providers);
  adminCenterRoutes(app, ctx, providers);
  clientRoutes(app, ctx, providers);
  mountProviders(app, providers);
  const purge = setInterval(
    () => void ctx.storage.oidcRecords.purgeExpired(Date.now()).catch((error) => ctx.log.warn({ err: error }, 'oidc purge failed')),
    purgeEveryMs,
  );
  purge.unref();
  app.addHook('onClose', async () => clearInterval(purge));
  return providers;
}
