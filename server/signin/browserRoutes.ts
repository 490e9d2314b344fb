import { calculateJwkThumbprint } from 'jose';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { browserRegister, browserRegistered, browserUserRegistered } from '../../shared/schemas/devices';
import { temporaryAccessPassSignIn } from '../../shared/schemas/grants';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { defineRoute } from '../http/defineRoute';
import { type ReplayGuard, authenticateDevice } from '../http/deviceAuth';
import { ProblemError } from '../http/problem';
import { newId } from '../ids';
import { redeemTemporaryAccessPass } from '../tap/redeemTemporaryAccessPass';
import { requireTenant } from '../tenants/requireTenant';
import { callerInfo } from './callerInfo';

const tenantPath = z.object({ tenant: z.string() });

/**
 * Browsers (the extension) as devices. A browser key is just an identity until a user approves
 * a sign-in it brokered, or adds it with a Temporary Access Pass; then it is a registered
 * browser for that user, which a tenant can require for phone sign-in.
 */
export function browserRoutes(app: FastifyInstance, ctx: RelayContext, guard: ReplayGuard): void {
  defineRoute(
    app,
    { method: 'POST', url: '/api/t/:tenant/browsers', params: tenantPath, body: browserRegister, reply: browserRegistered, status: 201 },
    async ({ params, body }) => {
      const tenant = await requireTenant(ctx, params.tenant);
      const now = ctx.now();
      const device = await ctx.storage.devices.registerBrowser({
        id: newId(),
        tenantId: tenant.id,
        kind: 'browser',
        name: body.name,
        publicKey: body.publicKey,
        thumbprint: await calculateJwkThumbprint(body.publicKey),
        pushSubscription: null,
        pushState: 'none',
        createdAt: now,
        lastSeenAt: now,
        lastReceiptAt: null,
        healthCheckSentAt: null,
      });
      if (device.kind !== 'browser') throw new ProblemError('conflict', 'This key belongs to a phone.');
      return { deviceId: device.id, tenant: tenant.name };
    },
  );

  /** The first registration of a browser for a user, where the tenant requires registered browsers. */
  defineRoute(
    app,
    {
      method: 'POST',
      url: '/api/t/:tenant/browsers/self/users',
      params: tenantPath,
      authenticate: (request) => authenticateDevice(ctx, guard, request),
      body: temporaryAccessPassSignIn,
      reply: browserUserRegistered,
    },
    async ({ params, auth: device, body, request }) => {
      const { tenant, user } = await redeemTemporaryAccessPass(
        ctx,
        params.tenant,
        body.username,
        body.temporaryAccessPass,
        callerInfo(request),
      );
      if (device.kind !== 'browser' || device.tenantId !== tenant.id)
        throw new ProblemError('forbidden', 'This is not a browser of this tenant.');
      await ctx.storage.devices.addBrowserUser(device.id, user.id, ctx.now());
      await recordAudit(ctx, {
        tenantId: tenant.id,
        type: 'browser.registered',
        outcome: 'success',
        userId: user.id,
        username: user.username,
        deviceId: device.id,
        method: 'temporary_access_pass',
      });
      return { deviceId: device.id, username: user.username, registered: true as const };
    },
  );
}
