import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { z } from 'zod';
import { unknownOrganizationWords } from '../../../shared/relay/discoverTenant';
import { type AdminCenterBoot, type AdminCenterRole, adminCenterSession } from '../../../shared/schemas/adminCenter';
import { username } from '../../../shared/schemas/common';
import { domainOfUsername } from '../../../shared/schemas/discovery';
import { recordAudit } from '../../audit/recordAudit';
import type { RelayContext } from '../../context';
import { defineRoute, rawReply } from '../../http/defineRoute';
import { ProblemError } from '../../http/problem';
import { type PendingBuiltInSignIn, builtInCallbackQuery, redeemBuiltInSignIn, startBuiltInSignIn } from '../../oidc/builtInSignIn';
import { issuerFor } from '../../oidc/createTenantProvider';
import { deriveKey } from '../../oidc/loadOidcSecret';
import type { TenantProviders } from '../../oidc/tenantProviders';
import { cookieHeader, decrypt, encrypt, readCookies, seal, unseal } from '../../pages/cookies';
import { pageHeaders } from '../../pages/htmlShell';
import type { Tenant, User } from '../../storage/model';
import { createAdminToken } from '../adminTokens';
import { roleForCall } from './adminCenterAccess';
import { adminCenterClientId, adminCenterPaths } from './adminCenterClient';
import { adminCenterAssetRoutes, adminCenterShell } from './adminCenterShell';

/** An admin center session lasts at most this long, and no longer than the tenant sign-in it came from. */
const sessionHours = 8;
const sessionCookie = 'nod_admin_center';
const stateCookie = 'nod_admin_center_state';

interface PendingSignIn extends PendingBuiltInSignIn {
  tenant: string;
}

/** What the browser keeps, encrypted: it can neither read the admin token in it nor change anything. */
interface SessionCookie {
  tenantId: string;
  userId: string;
  /** The tenant provider's session this one rides on: signing out of the tenant ends the admin session. */
  sessionUid: string;
  /** One admin token per role the admin held at sign-in: the page never sees them. */
  tokens: Partial<Record<AdminCenterRole, { id: string; token: string }>>;
  expiresAt: number;
}

interface SignedInAdmin {
  cookie: SessionCookie;
  tenant: Tenant;
  user: User;
  roles: AdminCenterRole[];
}

const signInQuery = z.object({
  tenant: z.string().trim().min(1).max(200).optional().catch(undefined),
  username: z.string().trim().min(1).max(254).optional().catch(undefined),
});
const callPath = z.object({ '*': z.string() });

/**
 * The admin center at `/admin/`: its page, sign-in with Nod through the tenant's own provider
 * (phone sign-in), and `/admin/center/api/call/…`, which makes the admin API call of the same path
 * for the signed-in admin with the admin token bound to the session. The token never reaches the
 * page: it travels in the HttpOnly cookie, encrypted, and is revoked at sign-out.
 */
export function adminCenterRoutes(app: FastifyInstance, ctx: RelayContext, providers: TenantProviders): void {
  const secure = ctx.config.publicUrl.startsWith('https:');
  const key = deriveKey(providers.secret, 'admin center', 'all tenants');

  const sessionHeader = (value: string, maxAgeSeconds: number) =>
    [
      `${sessionCookie}=${value}`,
      'Path=/admin/',
      'HttpOnly',
      'SameSite=Strict',
      `Max-Age=${maxAgeSeconds}`,
      ...(secure ? ['Secure'] : []),
    ].join('; ');

  /** The signed-in admin, or undefined: the cookie, its tenant session, the user and their roles must all still hold. */
  const signedIn = async (request: FastifyRequest): Promise<SignedInAdmin | undefined> => {
    const cookie = decrypt<SessionCookie>(key, readCookies(request.headers.cookie).get(sessionCookie));
    if (!cookie || cookie.expiresAt <= ctx.now()) return undefined;
    const tenant = await ctx.storage.tenants.byId(cookie.tenantId);
    const entry = tenant ? await providers.get(tenant.name) : undefined;
    if (!tenant || !entry) return undefined;
    const session = await entry.provider.Session.findByUid(cookie.sessionUid);
    if (!session || session.accountId !== cookie.userId) return undefined;
    const user = await ctx.storage.users.byId(tenant.id, cookie.userId);
    if (!user || user.blockedAt !== null) return undefined;
    const roles = (await ctx.storage.adminRoles.forUser(tenant.id, user.id)).map((a) => a.role);
    if (roles.length === 0) return undefined;
    return { cookie, tenant, user, roles };
  };

  const showSession = (admin: SignedInAdmin) => ({
    tenant: admin.tenant.name,
    tenantDisplayName: admin.tenant.displayName,
    username: admin.user.username,
    displayName: admin.user.displayName,
    roles: admin.roles,
  });

  const sendPage = (reply: FastifyReply, boot: AdminCenterBoot, status = 200) =>
    reply
      .status(status)
      .headers(pageHeaders)
      .type('text/html; charset=utf-8')
      .send(adminCenterShell({ title: 'Nod admin center', boot }));

  adminCenterAssetRoutes(app);

  defineRoute(app, { method: 'GET', url: adminCenterPaths.page, reply: rawReply }, async ({ request, reply }) => {
    const admin = await signedIn(request);
    return sendPage(reply, admin ? { signedIn: true, session: showSession(admin) } : { signedIn: false });
  });

  /**
   * The organization an admin signs in to: from the username's domain (home realm discovery), or the
   * Other organization field (its short name or its name). Refusals are said in words on the page.
   */
  const organizationFor = async (query: z.output<typeof signInQuery>): Promise<Tenant | { status: number; message: string }> => {
    if (query.tenant) {
      const wanted = query.tenant.toLowerCase();
      const tenants = await ctx.storage.tenants.list();
      const found = tenants.find((t) => t.name === wanted) ?? tenants.find((t) => t.displayName.trim().toLowerCase() === wanted);
      return found ?? { status: 404, message: unknownOrganizationWords(query.tenant) };
    }
    if (!query.username) return { status: 400, message: 'Enter your username, like someone@contoso.example.' };
    const domain = domainOfUsername(query.username);
    if (!domain) {
      return { status: 400, message: 'Enter your username with its domain, like someone@contoso.example, or choose Other organization.' };
    }
    const found = await ctx.storage.tenants.byDomain(domain);
    return found ?? { status: 404, message: `We couldn’t find an organization for ${domain}. Enter your organization’s name below.` };
  };

  /** Send the browser through the tenant's hosted sign-in page with the admin center's client (PKCE, state); always a fresh sign-in. */
  defineRoute(app, { method: 'GET', url: adminCenterPaths.signIn, query: signInQuery, reply: rawReply }, async ({ query, reply }) => {
    const organization = await organizationFor(query);
    const entry = 'id' in organization ? await providers.get(organization.name) : undefined;
    if (!entry) {
      const refusal = 'id' in organization ? { status: 404, message: unknownOrganizationWords(organization.name) } : organization;
      const boot: AdminCenterBoot = {
        signedIn: false,
        message: refusal.message,
        ...(query.username ? { username: query.username } : {}),
        ...(query.tenant ? { tenant: query.tenant } : {}),
        // Asked for by name when the domain found none, or when the name given was the one that failed.
        otherOrganization: query.tenant !== undefined || refusal.status === 404,
      };
      return sendPage(reply, boot, refusal.status);
    }
    const loginHint = query.username && username.safeParse(query.username).success ? query.username : undefined;
    const { pending, url } = startBuiltInSignIn({
      issuer: issuerFor(ctx, entry.tenant.name),
      clientId: adminCenterClientId,
      redirectUri: `${ctx.config.publicUrl}${adminCenterPaths.callback}`,
      fresh: true,
      // The username typed here: the hosted page goes on with it, as if Next was selected.
      ...(loginHint ? { loginHint } : {}),
    });
    const sealed: PendingSignIn = { ...pending, tenant: entry.tenant.name };
    reply.header('set-cookie', cookieHeader(stateCookie, seal(key, sealed), { path: '/admin/', maxAgeSeconds: 30 * 60, secure }));
    return reply.header('cache-control', 'no-store').redirect(url, 303);
  });

  defineRoute(
    app,
    { method: 'GET', url: adminCenterPaths.callback, query: builtInCallbackQuery, reply: rawReply },
    async ({ query, request, reply }) => {
      const pending = unseal<PendingSignIn>(key, readCookies(request.headers.cookie).get(stateCookie));
      reply.header('set-cookie', cookieHeader(stateCookie, '', { path: '/admin/', maxAgeSeconds: 0, secure }));
      const fail = (message: string, status = 400) => sendPage(reply, { signedIn: false, tenant: pending?.tenant, message }, status);
      if (!pending || !query.state || pending.state !== query.state)
        return fail('The sign-in did not finish in this browser window. Try again.');
      if (query.error || !query.code) return fail('The sign-in was cancelled.');
      const entry = await providers.get(pending.tenant);
      if (!entry) return fail(`No tenant is named ${pending.tenant}.`, 404);
      const { provider, tenant } = entry;
      const code = await redeemBuiltInSignIn(provider, adminCenterClientId, pending, query.code);
      if (!code) return fail('The sign-in could not be completed. Try again.');
      const user = code.accountId ? await ctx.storage.users.byId(tenant.id, code.accountId) : undefined;
      const roles = user ? await ctx.storage.adminRoles.forUser(tenant.id, user.id) : [];
      if (!user || roles.length === 0 || !code.sessionUid) {
        await recordAudit(ctx, {
          tenantId: tenant.id,
          type: 'admin_center.denied',
          outcome: 'failure',
          userId: user?.id ?? null,
          username: user?.username ?? null,
          ip: request.ip,
          userAgent: request.headers['user-agent'] ?? null,
        });
        return fail(`${user?.username ?? 'This account'} holds no admin role in ${tenant.displayName}. Ask a Global Administrator.`, 403);
      }
      const tokens: SessionCookie['tokens'] = {};
      for (const { role } of roles) tokens[role] = await createAdminToken(ctx, tenant, role, `admin center: ${user.username}`);
      const cookie: SessionCookie = {
        tenantId: tenant.id,
        userId: user.id,
        sessionUid: code.sessionUid,
        tokens,
        expiresAt: ctx.now() + sessionHours * 3_600_000,
      };
      await recordAudit(ctx, {
        tenantId: tenant.id,
        type: 'admin_center.signed_in',
        outcome: 'success',
        userId: user.id,
        username: user.username,
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
        detail: { adminTokens: Object.values(tokens).map((t) => t.id) },
      });
      reply.header('set-cookie', sessionHeader(encrypt(key, cookie), sessionHours * 3600));
      return reply.header('cache-control', 'no-store').redirect(adminCenterPaths.page, 303);
    },
  );

  /** Sign out: the session's admin token is revoked, the cookie cleared, and the tenant sign-in ended too. */
  defineRoute(app, { method: 'GET', url: adminCenterPaths.signOut, reply: rawReply }, async ({ request, reply }) => {
    const cookie = decrypt<SessionCookie>(key, readCookies(request.headers.cookie).get(sessionCookie));
    reply.header('set-cookie', sessionHeader('', 0)).header('cache-control', 'no-store');
    const tenant = cookie ? await ctx.storage.tenants.byId(cookie.tenantId) : undefined;
    if (!cookie || !tenant) return reply.redirect(adminCenterPaths.page, 303);
    for (const token of Object.values(cookie.tokens ?? {})) await ctx.storage.adminTokens.revoke(tenant.id, token.id, ctx.now());
    const search = new URLSearchParams({
      client_id: adminCenterClientId,
      post_logout_redirect_uri: `${ctx.config.publicUrl}${adminCenterPaths.page}`,
    });
    return reply.redirect(`${issuerFor(ctx, tenant.name)}/session/end?${search}`, 303);
  });

  /** Calls from the page only: same origin (a cross-site page cannot send the custom header without a preflight we never answer). */
  const requireAdmin = async (request: FastifyRequest): Promise<SignedInAdmin> => {
    const origin = request.headers.origin;
    if ((origin !== undefined && origin !== ctx.config.publicUrl) || request.headers['x-nod-admin-center'] !== '1') {
      throw new ProblemError('forbidden', 'Admin center calls come from the admin center page only.');
    }
    const admin = await signedIn(request);
    if (!admin) throw new ProblemError('unauthorized', 'Sign in to the admin center again.');
    return admin;
  };

  defineRoute(
    app,
    { method: 'GET', url: `${adminCenterPaths.api}/session`, authenticate: requireAdmin, reply: adminCenterSession },
    async ({ auth, reply }) => {
      reply.header('cache-control', 'no-store');
      return showSession(auth);
    },
  );

  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const satisfies HTTPMethods[]) {
    defineRoute(
      app,
      { method, url: `${adminCenterPaths.api}/call/*`, params: callPath, authenticate: requireAdmin, reply: rawReply },
      async ({ auth, request, reply }) => {
        const [path, search] = apiPathOf(request.url);
        const role = roleForCall(auth.roles, method, path);
        const token = role ? auth.cookie.tokens?.[role] : undefined;
        if (/\.\.|%2e/i.test(path) || !token) {
          throw new ProblemError(
            'forbidden',
            'Your admin roles do not allow this here; a role given since you signed in needs a new sign-in.',
          );
        }
        const answer = await app.inject({
          method,
          url: `/admin/t/${encodeURIComponent(auth.tenant.name)}${path}${search}`,
          headers: {
            authorization: `Bearer ${token.token}`,
            ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
            'user-agent': request.headers['user-agent'] ?? '',
          },
          payload: request.body === undefined ? undefined : JSON.stringify(request.body),
          remoteAddress: request.ip,
        });
        const type = answer.headers['content-type'];
        if (type) reply.type(String(type));
        return reply.status(answer.statusCode).header('cache-control', 'no-store').send(answer.rawPayload);
      },
    );
  }
}

/** The admin API path after `/call` (still URL-encoded, as sent) and the query string. */
function apiPathOf(url: string): [string, string] {
  const at = url.indexOf('?');
  const path = (at < 0 ? url : url.slice(0, at)).slice(`${adminCenterPaths.api}/call`.length).replace(/\/$/, '');
  return [path, at < 0 ? '' : url.slice(at)];
}
