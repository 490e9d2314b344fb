import { randomBytes } from 'node:crypto';
import { tenantCreate } from '../../shared/schemas/directory';
import type { TemporaryAccessPassIssued } from '../../shared/schemas/enrollment';
import { authenticatorPolicy } from '../../shared/schemas/policy';
import type { RelayContext } from '../context';
import { newId } from '../ids';
import { savePolicy } from '../policy/savePolicy';
import type { OidcClient, Tenant, User } from '../storage/model';
import { issueTemporaryAccessPass } from '../tap/issueTemporaryAccessPass';
import { createTenant } from '../tenants/createTenant';

export const demo = {
  tenant: 'contoso',
  tenantDisplayName: 'Contoso',
  domain: 'contoso.example',
  group: 'Phone sign-in pilot',
  username: 'bala@contoso.example',
  displayName: 'Bala Sandhu',
  clientId: 'contoso-portal',
  clientName: 'Contoso Portal',
} as const;

export interface SeededDemo {
  tenant: Tenant;
  user: User;
  clientSecret: string;
  temporaryAccessPass: TemporaryAccessPassIssued;
}

/**
 * The demo's data, made once and kept: tenant contoso, Bala in a group that the Authenticator
 * policy targets in `any` mode, and Contoso Portal registered as a client. What exists is left
 * as it is (an admin may have changed it); each run issues a fresh Temporary Access Pass.
 */
export async function seedDemo(ctx: RelayContext, demoUrl: string): Promise<SeededDemo> {
  const now = ctx.now();
  const tenant =
    (await ctx.storage.tenants.byName(demo.tenant)) ??
    (await createTenant(ctx, tenantCreate.parse({ name: demo.tenant, displayName: demo.tenantDisplayName })));
  // Home realm discovery: people of contoso.example type only their username. Kept if registered already.
  await ctx.storage.tenants.addDomain(tenant.id, demo.domain, now);

  let user = await ctx.storage.users.byName(tenant.id, demo.username);
  if (!user) {
    user = {
      id: newId(),
      tenantId: tenant.id,
      username: demo.username,
      displayName: demo.displayName,
      kind: 'member',
      blockedAt: null,
      disabledAt: null,
      passwordHash: null,
      lastMethod: null,
      createdAt: now,
    };
    await ctx.storage.users.create(user);
  }
  let group = await ctx.storage.groups.byName(tenant.id, demo.group);
  if (!group) {
    group = { id: newId(), tenantId: tenant.id, name: demo.group, displayName: demo.group, createdAt: now };
    await ctx.storage.groups.create(group);
    await ctx.storage.groups.addMember(tenant.id, group.id, user.id);
  }
  const policy = await ctx.storage.policies.get(tenant.id);
  if (!policy || policy.includeTargets.length === 0) {
    await savePolicy(
      ctx,
      tenant,
      authenticatorPolicy.parse({ enabled: true, includeTargets: [{ kind: 'group', name: demo.group, mode: 'any' }] }),
    );
  }

  const redirectUri = `${demoUrl}/callback`;
  const existing = await ctx.storage.oidcClients.get(tenant.id, demo.clientId);
  const clientSecret =
    typeof existing?.metadata.client_secret === 'string' ? existing.metadata.client_secret : randomBytes(32).toString('base64url');
  const redirectUris = [...new Set([...((existing?.metadata.redirect_uris as string[] | undefined) ?? []), redirectUri])];
  const postLogoutUris = [...new Set([...((existing?.metadata.post_logout_redirect_uris as string[] | undefined) ?? []), `${demoUrl}/`])];
  if (!existing || redirectUris.length !== (existing.metadata.redirect_uris as string[]).length) {
    const client: OidcClient = {
      tenantId: tenant.id,
      clientId: demo.clientId,
      displayName: existing?.displayName ?? demo.clientName,
      metadata: {
        ...existing?.metadata,
        application_type: 'web',
        redirect_uris: redirectUris,
        post_logout_redirect_uris: postLogoutUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: 'ES256',
        token_endpoint_auth_method: 'client_secret_basic',
        client_secret: clientSecret,
      },
      createdAt: existing?.createdAt ?? now,
    };
    await ctx.storage.oidcClients.upsert(client);
  }

  const temporaryAccessPass = await issueTemporaryAccessPass(ctx, tenant, user, { lifetimeMinutes: 60, oneTime: true });
  return { tenant, user, clientSecret, temporaryAccessPass };
}
