import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AllClientMetadata } from 'oidc-provider';
import { noContent } from '../../shared/schemas/common';
import { type OidcClientView, oidcClientCreate, oidcClientList, oidcClientUpdate, oidcClientView } from '../../shared/schemas/oidcClients';
import { adminRoute, tenantPath } from '../admin/adminRoute';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { ProblemError } from '../http/problem';
import { newId } from '../ids';
import type { OidcClient } from '../storage/model';
import { issuerFor } from './createTenantProvider';
import { builtInClientPrefix } from './myAccountClient';
import type { TenantProviders } from './tenantProviders';

function clientView(ctx: RelayContext, tenantName: string, client: OidcClient): OidcClientView {
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
  /** Let the provider judge the metadata now, not at the first sign-in. */
  const validateClient = async (tenantName: string, clientId: string, displayName: string, metadata: AllClientMetadata) => {
    const entry = await providers.get(tenantName);
    try {
      await entry?.provider.Client.validate({ ...metadata, client_id: clientId, client_name: displayName });
    } catch (error) {
      throw new ProblemError(
        'validation_failed',
        (error as { error_description?: string }).error_description ?? 'The client is not valid.',
      );
    }
  };

  adminRoute(
    app,
    ctx,
    { method: 'GET', path: '/clients', role: 'global', params: tenantPath, reply: oidcClientList },
    async ({ tenant }) => ({
      clients: (await ctx.storage.oidcClients.list(tenant.id)).map((c) => clientView(ctx, tenant.name, c)),
    }),
  );

  adminRoute(
    app,
    ctx,
    { method: 'POST', path: '/clients', role: 'global', params: tenantPath, body: oidcClientCreate, reply: oidcClientView, status: 201 },
    async ({ tenant, body: input, token }) => {
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
      const metadata: AllClientMetadata = {
        application_type: 'web',
        redirect_uris: input.redirectUris,
        post_logout_redirect_uris: input.postLogoutRedirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: 'ES256',
        token_endpoint_auth_method: clientSecret ? 'client_secret_basic' : 'none',
        ...(clientSecret ? { client_secret: clientSecret } : {}),
      };
      await validateClient(tenant.name, clientId, input.displayName, metadata);
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
  );

  // Edit: the name the phone shows, and where the client may send people back to; the secret and type stay.
  adminRoute(
    app,
    ctx,
    {
      method: 'PATCH',
      path: '/clients/:id',
      role: 'global',
      params: tenantPath.extend({ id: z.string() }),
      body: oidcClientUpdate,
      reply: oidcClientView,
    },
    async ({ tenant, params, body, token }) => {
      const client = await ctx.storage.oidcClients.get(tenant.id, params.id);
      if (!client) throw new ProblemError('client_not_found', `No client ${params.id} in ${tenant.name}.`);
      const metadata: AllClientMetadata = {
        ...(client.metadata as AllClientMetadata),
        ...(body.redirectUris ? { redirect_uris: body.redirectUris } : {}),
        ...(body.postLogoutRedirectUris ? { post_logout_redirect_uris: body.postLogoutRedirectUris } : {}),
      };
      const displayName = body.displayName ?? client.displayName;
      await validateClient(tenant.name, client.clientId, displayName, metadata);
      const updated: OidcClient = { ...client, displayName, metadata };
      await ctx.storage.oidcClients.upsert(updated);
      await recordAudit(ctx, {
        tenantId: tenant.id,
        type: 'client.updated',
        outcome: 'success',
        detail: { clientId: client.clientId, adminToken: token.id, changed: Object.keys(body) },
      });
      return clientView(ctx, tenant.name, updated);
    },
  );

  adminRoute(
    app,
    ctx,
    { method: 'DELETE', path: '/clients/:id', role: 'global', params: tenantPath.extend({ id: z.string() }), reply: noContent },
    async ({ tenant, params, token }) => {
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
    },
  );
}
