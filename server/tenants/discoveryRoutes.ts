import type { FastifyInstance } from 'fastify';
import { health, tenantDiscovery } from '../../shared/schemas/directory';
import type { RelayContext } from '../context';
import { defineRoute } from '../http/defineRoute';

/** Public discovery: which tenants this relay serves and their registered sign-in origins. */
export function discoveryRoutes(app: FastifyInstance, ctx: RelayContext): void {
  defineRoute(app, { method: 'GET', url: '/api/tenants', reply: tenantDiscovery }, async () => ({
    relay: ctx.config.publicUrl,
    tenants: (await ctx.storage.tenants.list()).map((t) => ({
      name: t.name,
      displayName: t.displayName,
      signInOrigins: [ctx.config.publicUrl, ...t.signInOrigins],
      issuer: `${ctx.config.publicUrl}/t/${t.name}`,
    })),
  }));
  defineRoute(app, { method: 'GET', url: '/health', reply: health }, async () => ({ status: 'ok' as const }));
}
