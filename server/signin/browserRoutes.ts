import { calculateJwkThumbprint } from 'jose';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { displayText } from '../../shared/displayText';
import { noContent } from '../../shared/schemas/common';
import { browserRegister, browserRegistered, browserUserRegistered, registeredBrowserList } from '../../shared/schemas/devices';
import { temporaryAccessPassSignIn } from '../../shared/schemas/grants';
import type { RelayContext } from '../context';
import { defineRoute } from '../http/defineRoute';
import { type ReplayGuard, authenticateDevice } from '../http/deviceAuth';
import { ProblemError } from '../http/problem';
import { newId } from '../ids';
import { redeemTemporaryAccessPass } from '../tap/redeemTemporaryAccessPass';
import { requireOwnRegistration } from '../registrations/setPhoneSignIn';
import type { Device } from '../storage/model';
import { requireTenant } from '../tenants/requireTenant';
import { callerInfo } from './callerInfo';
import { addRegisteredBrowser, listRegisteredBrowsers, removeRegisteredBrowser } from './registeredBrowsers';

const tenantPath = z.object({ tenant: z.string() });

const registrationBrowserPath = z.object({ id: z.string(), browserId: z.string() });

/**
 * Browsers (the extension) as devices. `POST /api/t/:tenant/browsers` only makes a key known (anyone may):
 * it trusts nothing, and the phone says requests it signs were not checked. The key becomes a registered
 * browser for a user only through an authenticated step: the user trusts it on the phone after approving
 * a sign-in it brokered (`POST /api/sign-in-requests/:id/trust-browser`), or adds it with a Temporary
 * Access Pass (below). The phone lists and removes its accounts' browsers here too.
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
        name: displayText(body.name, 100) || 'Browser',
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
      await addRegisteredBrowser(ctx, user, device.id, { method: 'temporary_access_pass' });
      return { deviceId: device.id, username: user.username, registered: true as const };
    },
  );

  // The phone: the browsers registered for one of its accounts, and removing one.
  const accountOf = async (auth: Device, registrationId: string) => {
    const registration = await requireOwnRegistration(ctx, auth, registrationId);
    const user = await ctx.storage.users.byId(registration.tenantId, registration.userId);
    if (!user) throw new ProblemError('registration_not_found', 'This device holds no such account.');
    return user;
  };
  defineRoute(
    app,
    {
      method: 'GET',
      url: '/api/registrations/:id/browsers',
      params: z.object({ id: z.string() }),
      authenticate: (request) => authenticateDevice(ctx, guard, request),
      reply: registeredBrowserList,
    },
    async ({ params, auth }) => ({ browsers: await listRegisteredBrowsers(ctx, await accountOf(auth, params.id)) }),
  );
  defineRoute(
    app,
    {
      method: 'DELETE',
      url: '/api/registrations/:id/browsers/:browserId',
      params: registrationBrowserPath,
      authenticate: (request) => authenticateDevice(ctx, guard, request),
      reply: noContent,
    },
    async ({ params, auth, request }) => {
      await removeRegisteredBrowser(ctx, await accountOf(auth, params.id), params.browserId, {
        via: 'phone',
        ...callerInfo(request),
        detail: { registrationId: params.id },
      });
      return undefined;
    },
  );
}
