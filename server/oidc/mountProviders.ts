import { noSuchTenant } from '../tenants/requireTenant';
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../http/problem';
import type { TenantProviders } from './tenantProviders';

/**
 * Hand `/t/<tenant>/…` to that tenant's provider (discovery, JWKS, authorization, token,
 * userinfo, end session). oidc-provider is a Koa app: it gets the raw request with the
 * `/t/<tenant>` prefix taken off the URL (and kept in `originalUrl`, from which it builds its
 * own URLs), and answers on the raw response. More specific relay routes under `/t/:tenant/`
 * (the interaction, My Sign-ins) win over this catch-all.
 */
export function mountProviders(app: FastifyInstance, providers: TenantProviders): void {
  app.register(async (scope) => {
    // The provider reads its own bodies (form-encoded token requests, logout forms).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.route({
      method: ['GET', 'POST', 'OPTIONS'],
      url: '/t/:tenant/*',
      handler: async (request, reply) => {
        const { tenant } = request.params as { tenant: string };
        const entry = await providers.get(tenant);
        if (!entry) throw noSuchTenant(tenant);
        const raw = request.raw as typeof request.raw & { originalUrl?: string };
        const prefix = `/t/${entry.tenant.name}`;
        const url = raw.url ?? '/';
        if (!url.startsWith(`${prefix}/`)) throw new ProblemError('not_found', `Nothing is at ${url.split('?')[0]}.`);
        raw.originalUrl = url;
        raw.url = url.slice(prefix.length);
        reply.hijack();
        await entry.handle(raw, reply.raw);
      },
    });
  });
}
