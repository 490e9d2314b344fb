import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { type OidcClientView, oidcClientCreate } from '../../shared/schemas/oidcClients';
import { adminRoute } from '../admin/adminRoute';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { parseWith } from '../http/parseWith';
import { ProblemError } from '../http/problem';
import { newId } from '../ids';
import type { OidcClient } from '../storage/model';
import { issuerFor } from './createTenantProvider';
import { builtInClientPrefix } from './myAccountClient';
import type { TenantProviders } from './tenantProviders';

export function clientView(ctx: RelayContext, tenantName: string, client: OidcClient): OidcClientView {
  const metadata = client.metadata as {
    redirect_uris?: string[];
    post_logout_redirect_uris?: string[];
    token_endpoint_auth_method?: string;
  };
  return {
    clientId: client.clientId,
    displayName: client.displayName,
    type: metadata.token_endpoint_auth_method === 'none' ? 'public' : 'confidential',
    redirectUris: metadata.redirect_uris ?? [],
    postLogoutRedirectUris: metadata.post_logout_redirect_uris ?? [],
    issuer: issuerFor(ctx, tenantName),
    createdAt: new Date(client.createdAt).toISOString(),
  };
}

/** Admin: the tenant's OpenID Connect clients (`/admin/t/:tenant/clients`). */
export function clientRoutes(app: FastifyInstance, ctx: RelayContext, providers: TenantProviders): void {
  adminRoute(app, ctx, 'GET', '/clients', 'global', async ({ tenant }) => ({
    clients: (await ctx.storage.oidcClients.list(tenant.id)).map((c) => clientView(ctx, tenant.name, c)),
  }));

  adminRoute(
    app,
    ctx,
    'POST',
    '/clients',
    'global',
    async ({ tenant, body, token }) => {
      const input = parseWith(oidcClientCreate, body);
      const clientId = input.clientId ?? newId(12);
      if (clientId.startsWith(builtInClientPrefix)) {
        throw new ProblemError('validation_failed', `Client ids starting with ${builtInClientPrefix} are the relay's own.`, {
          errors: [{ field: 'clientId', message: 'reserved' }],
        });
      }
      if (await ctx.storage.oidcClients.get(tenant.id, clientId)) {
        throw new ProblemError('conflict', `A client ${clientId} exists in ${tenant.name}.`, {
          errors: [{ field: 'clientId', message: 'taken' }],
        });
      }
      const clientSecret = input.type === 'confidential' ? randomBytes(32).toString('base64url') : undefined;
      const metadata: Record<string, unknown> = {
        application_type: 'web',
        redirect_uris: input.redirectUris,
        post_logout_redirect_uris: input.postLogoutRedirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: 'ES256',
        token_endpoint_auth_method: clientSecret ? 'client_secret_basic' : 'none',
        ...(clientSecret ? { client_secret: clientSecret } : {}),
      };
      // Let the provider judge the metadata now, not at the first sign-in.
      const entry = await providers.get(tenant.name);
      try {
        await entry?.provider.Client.validate({ ...metadata, client_id: clientId, client_name: input.displayName } as never);
      } catch (error) {
        throw new ProblemError(
          'validation_failed',
          (error as { error_description?: string }).error_description ?? 'The client is not valid.',
        );
      }
      const client: OidcClient = { tenantId: tenant.id, clientId, displayName: input.displayName, metadata, createdAt: ctx.now() };
      await ctx.storage.oidcClients.upsert(client);
      await recordAudit(ctx, {
        tenantId: tenant.id,
        type: 'client.created',
        outcome: 'success',
        detail: { clientId, adminToken: token.id },
      });
      return { ...clientView(ctx, tenant.name, client), ...(clientSecret ? { clientSecret } : {}) };
    },
    201,
  );

  adminRoute(app, ctx, 'DELETE', '/clients/:id', 'global', async ({ tenant, params, token }) => {
    const client = await ctx.storage.oidcClients.get(tenant.id, params.id);
    if (!client) throw new ProblemError('client_not_found', `No client ${params.id} in ${tenant.name}.`);
    await ctx.storage.oidcClients.delete(tenant.id, client.clientId);
    await recordAudit(ctx, {
      tenantId: tenant.id,
      type: 'client.deleted',
      outcome: 'success',
      detail: { clientId: client.clientId, adminToken: token.id },
    });
    return undefined;
  });
}
