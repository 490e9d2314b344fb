import type { ClientMetadata, Configuration, default as Provider, KoaContextWithOIDC } from 'oidc-provider';
import type { RelayContext } from '../context';
import { escapeHtml, htmlShell, pageCsp } from '../pages/htmlShell';
import type { Tenant } from '../storage/model';
import { StorageUnavailableError } from '../storage/StorageUnavailableError';
import { createStorageAdapter } from './createStorageAdapter';
import { loadOidcProvider } from './loadOidcProvider';
import { deriveKey } from './loadOidcSecret';
import { adminCenterClient } from '../admin/center/adminCenterClient';
import { mySignInsClient } from './myAccountClient';

/** The issuer of a tenant: one OpenID Provider per tenant, at `${publicUrl}/t/<tenant>`. */
export const issuerFor = (ctx: RelayContext, tenantName: string) => `${ctx.config.publicUrl}/t/${tenantName}`;

/** The claims a Nod ID token may carry, by scope. `amr` always: sites may want to know how the user signed in. */
const claims = {
  openid: ['sub', 'amr'],
  profile: ['name', 'preferred_username'],
  amr: null,
  acr: null,
  auth_time: null,
  sid: null,
  iss: null,
} as const;
const supportedScopes = ['openid', 'profile'];

/** The HTML the provider itself renders (logout confirmation, errors): no script at all. */
function plainPage(ctx: KoaContextWithOIDC, title: string, body: string, options: { formToOtherOrigin?: boolean } = {}) {
  ctx.type = 'html';
  // The logout form redirects to the client's post-logout URI, another origin: form-action
  // would block that redirect, so the logout page leaves it out (it has no script either way).
  const csp = options.formToOtherOrigin ? pageCsp.replace("form-action 'self'; ", '') : pageCsp;
  ctx.set('content-security-policy', csp);
  ctx.set('x-frame-options', 'DENY');
  ctx.set('cache-control', 'no-store');
  ctx.body = htmlShell({ title, entry: 'plain', body: `<main class="card">${body}</main>` });
}

/**
 * The OpenID Provider of one tenant: authorization code with PKCE (required for every client),
 * ES256 ID tokens signed with the relay's persisted keys, sessions and interactions in the
 * relay's storage, clients from the admin API, RP-initiated logout.
 */
export async function createTenantProvider(ctx: RelayContext, tenant: Tenant, secret: Buffer): Promise<Provider> {
  const base = `/t/${tenant.name}`;
  const configuration: Configuration = {
    adapter: (name: string) => createStorageAdapter(ctx, tenant, name),
    clients: [
      mySignInsClient(ctx.config.publicUrl, tenant.name) as ClientMetadata,
      adminCenterClient(ctx.config.publicUrl) as ClientMetadata,
    ],
    jwks: { keys: ctx.keys.signing.map((key) => key.privateJwk) },
    cookies: {
      keys: [deriveKey(secret, 'oidc cookies', tenant.id).toString('base64url')],
      // One host serves every tenant: cookie names carry the tenant so sessions never mix.
      names: {
        session: `nod_session_${tenant.name}`,
        interaction: `nod_interaction_${tenant.name}`,
        resume: `nod_resume_${tenant.name}`,
      },
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    claims: claims as unknown as Configuration['claims'],
    scopes: supportedScopes,
    // Put name and preferred_username in the ID token of the code flow too (sites read them there).
    conformIdTokenClaims: false,
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    responseTypes: ['code'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (koa, form) => {
          const displayName = (await ctx.storage.tenants.byId(tenant.id))?.displayName ?? tenant.displayName;
          plainPage(
            koa,
            'Sign out',
            `<h1>Sign out</h1><p>Do you want to sign out of ${escapeHtml(displayName)}?</p>${form}
<div class="actions"><button class="primary" autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button>
<button type="submit" form="op.logoutForm">Stay signed in</button></div>`,
            { formToOtherOrigin: true },
          );
        },
        postLogoutSuccessSource: async (koa) => {
          plainPage(koa, 'Signed out', `<h1>You signed out</h1><p>You can close this window.</p>`);
        },
      },
      revocation: { enabled: true },
    },
    ttl: {
      AccessToken: 60 * 60,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      Interaction: 30 * 60,
      Session: 24 * 60 * 60,
      Grant: 24 * 60 * 60,
    },
    interactions: {
      url: async (_koa, interaction) => `${base}/interaction/${interaction.uid}`,
    },
    // Clients are registered by the tenant's admin: consent is the organization's, not asked
    // of each user. The grant covers the OIDC scopes the client asked for.
    loadExistingGrant: async (koa) => {
      const { oidc } = koa;
      if (!oidc.session?.accountId || !oidc.client) return undefined;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
      const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      const grant =
        existing && existing.accountId === oidc.session.accountId
          ? existing
          : new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
      const requested = String(oidc.params?.scope ?? 'openid')
        .split(' ')
        .filter((scope) => supportedScopes.includes(scope));
      grant.addOIDCScope(requested.join(' '));
      await grant.save();
      return grant;
    },
    findAccount: async (_koa, sub) => {
      const user = await ctx.storage.users.byId(tenant.id, sub);
      // A disabled account's sessions and tokens stop working at once (no account, no claims).
      if (!user || user.disabledAt !== null) return undefined;
      return {
        accountId: user.id,
        claims: async () => ({ sub: user.id, name: user.displayName, preferred_username: user.username }),
      };
    },
    renderError: async (koa, out) => {
      const description = typeof out.error_description === 'string' ? out.error_description : 'The sign-in could not continue.';
      plainPage(
        koa,
        'Something went wrong',
        `<h1>Something went wrong</h1><p>${escapeHtml(description)}</p><p class="muted">Error: ${escapeHtml(String(out.error ?? 'server_error'))}</p>`,
      );
    },
  };
  const Provider = await loadOidcProvider();
  const provider = new Provider(issuerFor(ctx, tenant.name), configuration);
  provider.proxy = ctx.config.trustProxy;
  provider.on('server_error', (koa, error) => {
    if (error instanceof StorageUnavailableError) {
      // The provider has rendered its error page already; say what it is (logged once per period by the storage watch).
      koa.status = 503;
      koa.set('retry-after', String(error.retryAfterSeconds));
      return;
    }
    ctx.log.error({ err: error, tenant: tenant.name }, 'oidc provider error');
  });
  return provider;
}
