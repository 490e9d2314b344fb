import type { FastifyInstance } from 'fastify';
import { health, tenantDiscovery } from '../../shared/schemas/directory';
import { domainOfUsername, homeRealm, homeRealmQuery } from '../../shared/schemas/discovery';
import type { RelayContext } from '../context';
import { defineRoute } from '../http/defineRoute';
import { ProblemError } from '../http/problem';
import { signInOriginsOf } from './signInOrigins';

/** Public discovery: which tenants this relay serves and their registered sign-in origins. */
export function discoveryRoutes(app: FastifyInstance, ctx: RelayContext): void {
  defineRoute(app, { method: 'GET', url: '/api/tenants', reply: tenantDiscovery }, async () => ({
    relay: ctx.config.publicUrl,
    tenants: (await ctx.storage.tenants.list()).map((t) => ({
      name: t.name,
      displayName: t.displayName,
      signInOrigins: signInOriginsOf(ctx, t),
      issuer: `${ctx.config.publicUrl}/t/${t.name}`,
    })),
  }));
  // Home realm discovery: the organization of a username, from its domain alone. The user is never
  // looked up, so every username of a domain gets the same answer: it tells which domains an
  // organization registered (as Entra's does), never which users exist.
  defineRoute(app, { method: 'GET', url: '/api/discovery', query: homeRealmQuery, reply: homeRealm }, async ({ query, reply }) => {
    const domain = domainOfUsername(query.username) as string;
    const tenant = await ctx.storage.tenants.byDomain(domain);
    reply.header('cache-control', 'no-store');
    if (!tenant) throw new ProblemError('tenant_not_found', `No organization here uses ${domain}.`);
    return { tenant: tenant.name, displayName: tenant.displayName };
  });
  defineRoute(app, { method: 'GET', url: '/health', reply: health }, async () => ({ status: 'ok' as const }));
}
