import type { FastifyInstance } from 'fastify';
import { adminRoutes } from './admin/adminRoutes';
import type { RelayContext } from './context';
import { enrollmentRoutes } from './enrollment/enrollmentRoutes';
import { healthRoutes } from './health/healthRoutes';
import type { StorageWatch } from './health/watchStorage';
import { ReplayGuard } from './http/deviceAuth';
import { oidcRoutes } from './oidc/oidcRoutes';
import { deviceAccountRoutes } from './registrations/deviceAccountRoutes';
import { browserRoutes } from './signin/browserRoutes';
import { signInRoutes } from './signin/signInRoutes';
import { pwaRoutes } from './static/pwaRoutes';
import { discoveryRoutes } from './tenants/discoveryRoutes';

/** Everything a listening relay serves: the APIs, the OpenID providers, the pages and the phone app. */
export function relayRoutes(app: FastifyInstance, ctx: RelayContext, watch: StorageWatch): void {
  const guard = new ReplayGuard(ctx.storage);
  discoveryRoutes(app, ctx);
  adminRoutes(app, ctx);
  enrollmentRoutes(app, ctx, guard);
  deviceAccountRoutes(app, ctx, guard);
  signInRoutes(app, ctx, guard);
  browserRoutes(app, ctx, guard);
  oidcRoutes(app, ctx);
  pwaRoutes(app, ctx);
  healthRoutes(app, ctx, watch);
}
