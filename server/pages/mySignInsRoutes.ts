import { noSuchTenant } from '../tenants/requireTenant';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { noContent, recordId, username } from '../../shared/schemas/common';
import {
  type FindOrganizationBoot,
  type MySignInsBoot,
  type SecurityMethod,
  authenticatorEnrollment,
  mySignInsSummary,
} from '../../shared/schemas/hostedPages';
import { listRegisteredBrowsers, removeRegisteredBrowser } from '../signin/registeredBrowsers';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { enrollmentLink } from '../enrollment/enrollmentLink';
import { defineRoute, rawReply } from '../http/defineRoute';
import { ProblemError } from '../http/problem';
import { type PendingBuiltInSignIn, builtInCallbackQuery, redeemBuiltInSignIn, startBuiltInSignIn } from '../oidc/builtInSignIn';
import { issuerFor } from '../oidc/createTenantProvider';
import { deriveKey } from '../oidc/loadOidcSecret';
import { mySignInsClientId, mySignInsPaths } from '../oidc/myAccountClient';
import type { TenantProvider, TenantProviders } from '../oidc/tenantProviders';
import { allowsPhoneSignIn, allowsPushMfa } from '../policy/evaluatePolicy';
import { policyForUser } from '../policy/policyForUser';
import { removeDeviceOfUser } from '../registrations/removeDeviceOfUser';
import { removeRegistration } from '../registrations/removeRegistration';
import type { Tenant, User } from '../storage/model';
import { isStrongAmr } from '../limits/strongSignIn';
import { cookieHeader, readCookies, seal, unseal } from './cookies';
import { describeSignIn, isListedSignIn } from './describeSignIn';
import { endSignIns } from '../users/endSignIns';
import { htmlShell, pageHeaders } from './htmlShell';

/** Adding or removing a method needs a sign-in this recent. */
export const recentSignInMinutes = 20;

const tenantPath = z.object({ tenant: z.string() });
/** A method, device or browser of the signed-in user's, by id. */
const itemPath = tenantPath.extend({ id: recordId });

interface SignedIn {
  entry: TenantProvider;
  user: User;
  /** When the user last signed in, on the relay's clock (ms). */
  signedInAt: number;
  /** How (RFC 8176 `amr`, as the grant said). */
  amr: string[];
}

interface PendingSignIn extends PendingBuiltInSignIn {
  at: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * My Sign-ins (security info). Its session is the tenant provider's own: signing in to My
 * Sign-ins is an OIDC sign-in through the hosted page with the built-in client, and any sign-in
 * to the tenant in this browser counts (single sign-on). Adding or removing a method needs a
 * sign-in within the last 20 minutes.
 */
export function mySignInsRoutes(app: FastifyInstance, ctx: RelayContext, providers: TenantProviders): void {
  const secure = ctx.config.publicUrl.startsWith('https:');
  const stateCookie = (tenant: Tenant) => `nod_msi_${tenant.name}`;
  const stateKey = (tenant: Tenant) => deriveKey(providers.secret, 'my sign-ins state', tenant.id);

  const tenantEntry = async ({ tenant }: { tenant: string }) => {
    const entry = await providers.get(tenant);
    if (!entry) throw noSuchTenant(tenant);
    return entry;
  };

  /** The user signed in to this tenant in this browser, from the provider's session cookie. */
  const signedIn = async (params: { tenant: string }, request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | undefined> => {
    const entry = await tenantEntry(params);
    const { provider, tenant } = entry;
    const koa = provider.createContext(request.raw, reply.raw);
    const sessionId = koa.cookies.get(provider.cookieName('session'), { signed: true });
    const session = sessionId ? await provider.Session.find(sessionId) : undefined;
    if (!session?.accountId) return undefined;
    const user = await ctx.storage.users.byId(tenant.id, session.accountId);
    if (!user) return undefined;
    const amr = Array.isArray(session.amr) ? session.amr.map(String) : [];
    return { entry, user, signedInAt: (session.loginTs ?? 0) * 1000, amr };
  };

  const requireSignedIn = async (request: FastifyRequest, params: { tenant: string }, reply: FastifyReply): Promise<SignedIn> => {
    if (request.method !== 'GET') {
      const origin = request.headers.origin;
      if (origin !== undefined && origin !== ctx.config.publicUrl)
        throw new ProblemError('forbidden', 'Cross-origin calls are not accepted here.');
    }
    const found = await signedIn(params, request, reply);
    if (!found) throw new ProblemError('unauthorized', 'Sign in to see your security info.');
    return found;
  };

  const isRecent = (signed: SignedIn) => ctx.now() - signed.signedInAt <= recentSignInMinutes * 60_000;
  /**
   * Adding or removing a method needs a recent strong sign-in: a phone approval with user
   * verification, or a Temporary Access Pass — never a verification code (or a password) alone,
   * which someone who guessed or read it could otherwise turn into a phone of their own.
   */
  const requireRecent = (signed: SignedIn) => {
    if (!isStrongAmr(signed.amr)) {
      throw new ProblemError(
        'strong_sign_in_required',
        'For your security, sign in again with the Authenticator app (phone sign-in) or a Temporary Access Pass to change your sign-in methods.',
      );
    }
    if (!isRecent(signed)) {
      throw new ProblemError(
        'recent_sign_in_required',
        `For your security, sign in again to change your sign-in methods (you signed in more than ${recentSignInMinutes} minutes ago).`,
      );
    }
  };

  /** Send the browser through the hosted sign-in page with the built-in client (PKCE, state). */
  const startSignIn = (entry: TenantProvider, reply: FastifyReply, fresh: boolean, loginHint?: string) => {
    const { tenant } = entry;
    const paths = mySignInsPaths(tenant.name);
    const { pending, url } = startBuiltInSignIn({
      issuer: issuerFor(ctx, tenant.name),
      clientId: mySignInsClientId,
      redirectUri: `${ctx.config.publicUrl}${paths.callback}`,
      fresh,
      // From the organization-less entry: the username the organization was found from.
      loginHint,
    });
    const sealed: PendingSignIn = { ...pending, at: ctx.now() };
    reply.header(
      'set-cookie',
      cookieHeader(stateCookie(tenant), seal(stateKey(tenant), sealed), { path: paths.page, maxAgeSeconds: 30 * 60, secure }),
    );
    return reply.header('cache-control', 'no-store').redirect(url, 303);
  };

  /** An audit record of what the signed-in user did on My Sign-ins, from where. */
  const audit = (signed: SignedIn, request: FastifyRequest, type: string, extra: { deviceId?: string } = {}) =>
    recordAudit(ctx, {
      tenantId: signed.entry.tenant.id,
      type,
      outcome: 'success',
      userId: signed.user.id,
      username: signed.user.username,
      ...extra,
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
      detail: { by: 'my-sign-ins' },
    });

  /** `DELETE …/api/<kind>/:id`: one of the user's methods, devices or browsers goes, after a recent strong sign-in. */
  const removal = (kind: string, remove: (signed: SignedIn, id: string, request: FastifyRequest) => Promise<void>) =>
    defineRoute(
      app,
      {
        method: 'DELETE',
        url: `/t/:tenant/my-sign-ins/api/${kind}/:id`,
        params: itemPath,
        authenticate: requireSignedIn,
        reply: noContent,
      },
      async ({ auth: signed, params, request }) => {
        requireRecent(signed);
        await remove(signed, params.id, request);
        return undefined;
      },
    );

  const page = (
    path: string,
    handler: (params: { tenant: string }, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>,
  ) =>
    defineRoute(
      app,
      { method: 'GET', url: `/t/:tenant/my-sign-ins${path}`, params: tenantPath, reply: rawReply },
      ({ params, request, reply }) => handler(params, request, reply),
    );

  page('', async (params, request, reply) => {
    const found = await signedIn(params, request, reply);
    if (!found) {
      const hint = username.safeParse((request.query as Record<string, unknown> | undefined)?.login_hint);
      return startSignIn(await tenantEntry(params), reply, false, hint.success ? hint.data : undefined);
    }
    const { tenant } = found.entry;
    const boot: MySignInsBoot = { tenant: tenant.name, tenantDisplayName: tenant.displayName };
    return reply
      .headers(pageHeaders)
      .type('text/html; charset=utf-8')
      .send(htmlShell({ title: `My Sign-ins | ${tenant.displayName}`, entry: 'mySignIns', boot }));
  });

  /**
   * My Sign-ins without an organization in the address: the page finds it from the username's
   * domain (home realm discovery), then goes on to `/t/<tenant>/my-sign-ins?login_hint=<username>`.
   */
  defineRoute(app, { method: 'GET', url: '/my-sign-ins', reply: rawReply }, async ({ reply }) => {
    const boot: FindOrganizationBoot = { next: 'my-sign-ins' };
    return reply
      .headers(pageHeaders)
      .type('text/html; charset=utf-8')
      .send(htmlShell({ title: 'Sign in | My Sign-ins', entry: 'findOrganization', boot }));
  });

  /** "Sign in again": a fresh sign-in, whatever the session (the 20-minute rule). */
  page('/sign-in', async (params, _request, reply) => startSignIn(await tenantEntry(params), reply, true));

  page('/sign-out', async (params, _request, reply) => {
    const { tenant } = await tenantEntry(params);
    const query = new URLSearchParams({
      client_id: mySignInsClientId,
      post_logout_redirect_uri: `${ctx.config.publicUrl}${mySignInsPaths(tenant.name).page}`,
    });
    return reply.header('cache-control', 'no-store').redirect(`${issuerFor(ctx, tenant.name)}/session/end?${query}`, 303);
  });

  defineRoute(
    app,
    { method: 'GET', url: '/t/:tenant/my-sign-ins/callback', params: tenantPath, query: builtInCallbackQuery, reply: rawReply },
    async ({ params, query, request, reply }) => {
      const entry = await tenantEntry(params);
      const { tenant, provider } = entry;
      const paths = mySignInsPaths(tenant.name);
      const pending = unseal<PendingSignIn>(stateKey(tenant), readCookies(request.headers.cookie).get(stateCookie(tenant)));
      reply.header('set-cookie', cookieHeader(stateCookie(tenant), '', { path: paths.page, maxAgeSeconds: 0, secure }));
      const fail = (message: string) =>
        reply
          .status(400)
          .headers(pageHeaders)
          .type('text/html; charset=utf-8')
          .send(
            htmlShell({
              title: 'My Sign-ins',
              entry: 'plain',
              body: `<main class="card"><h1>You're not signed in</h1><p>${message}</p><p><a class="button primary" href="${paths.page}">Sign in</a></p></main>`,
            }),
          );
      if (!pending || !query.state || pending.state !== query.state)
        return fail('The sign-in did not finish in this browser window. Try again.');
      if (query.error || !query.code) return fail('The sign-in was cancelled.');
      if (!(await redeemBuiltInSignIn(provider, mySignInsClientId, pending, query.code))) {
        return fail('The sign-in could not be completed. Try again.');
      }
      return reply.header('cache-control', 'no-store').redirect(paths.page, 303);
    },
  );

  defineRoute(
    app,
    {
      method: 'GET',
      url: '/t/:tenant/my-sign-ins/api/summary',
      params: tenantPath,
      authenticate: requireSignedIn,
      reply: mySignInsSummary,
    },
    async ({ auth: signed, reply }) => {
      const { tenant } = signed.entry;
      const { user } = signed;
      const registrations = await ctx.storage.registrations.listForUser(tenant.id, user.id);
      const devices = new Map(
        await Promise.all(registrations.map(async (r) => [r.deviceId, await ctx.storage.devices.byId(r.deviceId)] as const)),
      );
      const { decision } = await policyForUser(ctx, tenant, user);
      // Push-mode users (and guests) are never told of phone sign-in: it is not theirs to use.
      const phoneSignInAllowed = decision.allowed && allowsPhoneSignIn(decision.mode) && user.kind === 'member';
      const methods: SecurityMethod[] = registrations.map((r) => ({
        kind: 'authenticator',
        id: r.id,
        deviceName: devices.get(r.deviceId)?.name ?? 'Phone',
        phoneSignInEnabled: r.phoneSignInEnabled && phoneSignInAllowed,
        createdAt: iso(r.createdAt)!,
        lastUsedAt: iso(r.lastUsedAt),
        notificationsFailing: devices.get(r.deviceId)?.pushState === 'unreachable',
      }));
      const events = await ctx.storage.audit.list({ tenantId: tenant.id, username: user.username, limit: 200 });
      // When each way was last used to sign in: the newest sign-in with it (events are newest first).
      const lastSignInWith = (...ways: string[]) => {
        const found = events.find((e) => e.type === 'oidc.sign_in' && e.method !== null && ways.includes(e.method));
        return found ? iso(found.at) : null;
      };
      if (registrations.length > 0) {
        methods.push({
          kind: 'verification_codes',
          deviceNames: registrations.map((r) => devices.get(r.deviceId)?.name ?? 'Phone'),
          lastUsedAt: lastSignInWith('verification_code', 'password_and_code'),
        });
      }
      if (user.passwordHash !== null) methods.push({ kind: 'password', lastUsedAt: lastSignInWith('password', 'push_mfa') });
      const addAllowed = decision.allowed && allowsPushMfa(decision.mode);
      const userDevices = await ctx.storage.devices.listForUser(tenant.id, user.id);
      reply.header('cache-control', 'no-store');
      return {
        username: user.username,
        displayName: user.displayName,
        signedInAt: new Date(signed.signedInAt).toISOString(),
        recentSignInMinutes,
        // A sign-in that is not strong enough asks for a new one too (the page offers "Sign in again").
        recentSignInRequired: !isRecent(signed) || !isStrongAmr(signed.amr),
        methods,
        browsers: await listRegisteredBrowsers(ctx, user),
        addAuthenticator: addAllowed
          ? { allowed: true }
          : {
              allowed: false,
              message: decision.allowed
                ? 'Your organization lets you use the Authenticator app only for passwordless sign-in, which you set up on the phone with a Temporary Access Pass from your admin.'
                : 'Your organization has not enabled the Authenticator app for you.',
            },
        recentSignIns: events.filter(isListedSignIn).slice(0, 20).map(describeSignIn),
        devices: userDevices.map((d) => ({
          id: d.id,
          kind: d.kind,
          name: d.name,
          createdAt: iso(d.createdAt)!,
          lastSeenAt: iso(d.lastSeenAt),
        })),
      };
    },
  );

  defineRoute(
    app,
    {
      method: 'POST',
      url: '/t/:tenant/my-sign-ins/api/authenticator',
      params: tenantPath,
      authenticate: requireSignedIn,
      reply: authenticatorEnrollment,
      status: 201,
    },
    async ({ auth: signed, request, reply }) => {
      requireRecent(signed);
      const enrollment = await enrollmentLink(ctx, signed.entry.tenant, signed.user);
      await audit(signed, request, 'enrollment_code.created');
      reply.header('cache-control', 'no-store');
      return enrollment;
    },
  );

  removal('registrations', async (signed, id, request) => {
    const registration = await ctx.storage.registrations.byId(id);
    if (!registration || registration.tenantId !== signed.entry.tenant.id || registration.userId !== signed.user.id) {
      throw new ProblemError('registration_not_found', 'That method is not one of yours.');
    }
    await removeRegistration(ctx, registration, {
      via: 'my-sign-ins',
      username: signed.user.username,
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
    });
  });

  /** Sign out everywhere: every session of the account at every client ends, this one too. */
  defineRoute(
    app,
    {
      method: 'POST',
      url: '/t/:tenant/my-sign-ins/api/sign-out-everywhere',
      params: tenantPath,
      authenticate: requireSignedIn,
      reply: noContent,
    },
    async ({ auth: signed, request }) => {
      const { tenant } = signed.entry;
      await endSignIns(ctx, tenant, signed.user, 'the user signed out everywhere');
      await audit(signed, request, 'sessions.revoked');
      return undefined;
    },
  );

  /** A lost phone or browser: its hold on the account goes, and every session ends (as an admin's removal). */
  removal('devices', async (signed, id, request) => {
    await removeDeviceOfUser(ctx, signed.entry.tenant, signed.user, id, {
      via: 'my-sign-ins',
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
      notFound: 'That device is not one of yours.',
    });
  });

  /** A registered browser of the user's: it is "not checked" again (its key stays known, trusted by nobody). */
  removal('browsers', async (signed, id, request) => {
    await removeRegisteredBrowser(ctx, signed.user, id, {
      via: 'my-sign-ins',
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
    });
  });
}
