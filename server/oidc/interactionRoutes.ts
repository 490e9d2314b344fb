import { noSuchTenant } from '../tenants/requireTenant';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { tenantName, username } from '../../shared/schemas/common';
import {
  type HostedSignInBoot,
  hostedFinish,
  hostedFinished,
  hostedUsernameAnswer,
  hostedUsernameStep,
} from '../../shared/schemas/hostedPages';
import { formatSignInPageMarker, signInPageMarkerName } from '../../shared/schemas/extensionMessages';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { defineRoute, rawReply } from '../http/defineRoute';
import { ProblemError } from '../http/problem';
import { consumeGrant } from '../signin/grants/consumeGrant';
import { escapeHtml, htmlShell, pageHeaders } from '../pages/htmlShell';
import { rememberBrowser } from '../limits/rememberBrowser';
import { describeMethods } from './describeMethods';
import type { TenantProvider, TenantProviders } from './tenantProviders';

const interactionPath = z.object({ tenant: z.string(), uid: z.string() });
type Params = z.infer<typeof interactionPath>;
type Interaction = Awaited<ReturnType<TenantProvider['provider']['interactionDetails']>>;

const expired = () =>
  new ProblemError('not_found', 'This sign-in has expired. Go back to the site you were signing in to and start again.');

/**
 * The hosted sign-in page: oidc-provider's login interaction. The page (hosted/, rendered by server/pages) asks for
 * the username, offers the ways this user may sign in, runs them against the relay's sign-in
 * API, and hands the resulting one-time grant back here to finish the interaction.
 */
export function interactionRoutes(app: FastifyInstance, ctx: RelayContext, providers: TenantProviders): void {
  /** The interaction this browser is in: its cookie must name the uid in the path. */
  const load = async (
    { tenant, uid }: Params,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ entry: TenantProvider; interaction: Interaction }> => {
    const entry = await providers.get(tenant);
    if (!entry) throw noSuchTenant(tenant);
    const interaction = await entry.provider.interactionDetails(request.raw, reply.raw).catch(() => undefined);
    if (!interaction || interaction.uid !== uid) throw expired();
    return { entry, interaction };
  };
  const sameOrigin = (request: FastifyRequest) => {
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== ctx.config.publicUrl)
      throw new ProblemError('forbidden', 'Cross-origin calls are not accepted here.');
  };

  /** The page's own calls: same origin only, and in the interaction its cookie names. */
  const inInteraction = (request: FastifyRequest, params: Params, reply: FastifyReply) => {
    sameOrigin(request);
    return load(params, request, reply);
  };

  defineRoute(
    app,
    { method: 'GET', url: '/t/:tenant/interaction/:uid', params: interactionPath, reply: rawReply },
    async ({ params, request, reply }) => {
      let loaded: Awaited<ReturnType<typeof load>>;
      try {
        loaded = await load(params, request, reply);
      } catch (error) {
        if (!(error instanceof ProblemError)) throw error;
        const { tenant } = params;
        const known = error.code !== 'tenant_not_found' && tenantName.safeParse(tenant).success;
        const marker = known ? formatSignInPageMarker({ v: 1, tenant, step: 'error' }) : undefined;
        return reply
          .status(error.status)
          .headers(pageHeaders)
          .type('text/html; charset=utf-8')
          .send(
            htmlShell({
              title: 'Sign in',
              entry: 'plain',
              head: marker ? `<meta name="${signInPageMarkerName}" content="${escapeHtml(marker)}">\n` : '',
              body: `<main class="card"><h1>We couldn't sign you in</h1><p>${escapeHtml(error.detail ?? error.message)}</p></main>`,
            }),
          );
      }
      const { entry, interaction } = loaded;
      const { tenant, provider } = entry;
      if (interaction.prompt.name === 'consent') {
        // Consent is the organization's (clients are registered by its admin): grant what was asked and go on.
        const grant =
          (await provider.Grant.find(String(interaction.grantId ?? ''))) ??
          new provider.Grant({ clientId: String(interaction.params.client_id), accountId: interaction.session?.accountId });
        grant.addOIDCScope(String(interaction.params.scope ?? 'openid'));
        const grantId = await grant.save();
        reply.hijack();
        await provider.interactionFinished(request.raw, reply.raw, { consent: { grantId } }, { mergeWithLastSubmission: true });
        return reply;
      }
      const clientId = String(interaction.params.client_id ?? '');
      const client = await provider.Client.find(clientId);
      let loginHint = typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : undefined;
      const continueWithHint = loginHint !== undefined && username.safeParse(loginHint).success;
      if (!loginHint && interaction.session?.accountId) {
        loginHint = (await ctx.storage.users.byId(tenant.id, interaction.session.accountId))?.username;
      }
      const boot: HostedSignInBoot = {
        tenant: tenant.name,
        tenantDisplayName: tenant.displayName,
        uid: interaction.uid,
        applicationName: client?.clientName ?? clientId,
        clientId,
        origin: ctx.config.publicUrl,
        ...(loginHint ? { loginHint } : {}),
        ...(continueWithHint ? { continueWithHint } : {}),
      };
      // The interaction from the first byte: a brokered request names it, and the relay names its registered client.
      const marker = formatSignInPageMarker({ v: 1, tenant: tenant.name, step: 'username', interaction: interaction.uid });
      return reply
        .headers(pageHeaders)
        .type('text/html; charset=utf-8')
        .send(
          htmlShell({
            title: `Sign in to ${tenant.displayName}`,
            entry: 'signIn',
            boot,
            head: `<meta name="${signInPageMarkerName}" content="${escapeHtml(marker)}">\n`,
          }),
        );
    },
  );

  defineRoute(
    app,
    {
      method: 'POST',
      url: '/t/:tenant/interaction/:uid/username',
      params: interactionPath,
      authenticate: inInteraction,
      body: hostedUsernameStep,
      reply: hostedUsernameAnswer,
    },
    async ({ auth: { entry }, body, request, reply }) => {
      reply.header('cache-control', 'no-store');
      return describeMethods(ctx, entry.tenant, body.username, request.headers.cookie);
    },
  );

  defineRoute(
    app,
    {
      method: 'POST',
      url: '/t/:tenant/interaction/:uid/finish',
      params: interactionPath,
      authenticate: inInteraction,
      body: hostedFinish,
      reply: hostedFinished,
    },
    async ({ auth: { entry, interaction }, body, request, reply }) => {
      const grant = await consumeGrant(ctx, body.grant);
      if (!grant || grant.tenantId !== entry.tenant.id) {
        throw new ProblemError('grant_invalid', 'This sign-in could not be completed. Try again.');
      }
      const redirectTo = await entry.provider.interactionResult(
        request.raw,
        reply.raw,
        // The login time on the relay's clock: My Sign-ins measures "signed in within 20 minutes" with it.
        { login: { accountId: grant.userId, amr: grant.amr, ts: Math.floor(ctx.now() / 1000), remember: true } },
        { mergeWithLastSubmission: false },
      );
      const user = await ctx.storage.users.byId(entry.tenant.id, grant.userId);
      if (user) await rememberBrowser(ctx, entry.tenant, user, grant.method, request, reply);
      const clientId = String(interaction.params.client_id ?? '');
      const client = await entry.provider.Client.find(clientId);
      await recordAudit(ctx, {
        tenantId: entry.tenant.id,
        type: 'oidc.sign_in',
        outcome: 'success',
        userId: grant.userId,
        username: user?.username ?? null,
        method: grant.method,
        origin: ctx.config.publicUrl,
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
        detail: { clientId, applicationName: client?.clientName ?? null, amr: grant.amr },
      });
      reply.header('cache-control', 'no-store');
      return { redirectTo };
    },
  );

  defineRoute(
    app,
    {
      method: 'POST',
      url: '/t/:tenant/interaction/:uid/cancel',
      params: interactionPath,
      authenticate: inInteraction,
      reply: hostedFinished,
    },
    async ({ auth: { entry }, request, reply }) => {
      const redirectTo = await entry.provider.interactionResult(
        request.raw,
        reply.raw,
        { error: 'access_denied', error_description: 'The sign-in was cancelled.' },
        { mergeWithLastSubmission: false },
      );
      reply.header('cache-control', 'no-store');
      return { redirectTo };
    },
  );
}
