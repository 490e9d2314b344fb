import type { FastifyInstance } from 'fastify';
import type { RelayContext } from '../context';

/** Public discovery: which tenants this relay serves and their registered sign-in origins. */
export function discoveryRoutes(app: FastifyInstance, ctx: RelayContext): void {
  app.get('/api/tenants', async () => ({
    relay: ctx.config.publicUrl,
    tenants: (await ctx.storage.tenants.list()).map((t) => ({
      name: t.name,
      displayName: t.displayName,
      signInOrigins: [ctx.config.publicUrl, ...t.signInOrigins],
      issuer: `${ctx.config.publicUrl}/t/${t.name}`,
    })),
  }));
  app.get('/health', async () => ({ status: 'ok' }));
}
