import { calculateJwkThumbprint } from 'jose';
import type { FastifyInstance } from 'fastify';
import { browserRegister } from '../../shared/schemas/devices';
import { temporaryAccessPassSignIn } from '../../shared/schemas/grants';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { type ReplayGuard, authenticateDevice } from '../http/deviceAuth';
import { parseWith } from '../http/parseWith';
import { ProblemError } from '../http/problem';
import { newId } from '../ids';
import { redeemTemporaryAccessPass } from '../tap/redeemTemporaryAccessPass';
import { requireTenant } from '../tenants/requireTenant';
import { callerInfo } from './callerInfo';

type WithTenant = { Params: { tenant: string } };

/**
 * Browsers (the extension) as devices. A browser key is just an identity until a user approves
 * a sign-in it brokered, or adds it with a Temporary Access Pass; then it is a registered
 * browser for that user, which a tenant can require for phone sign-in.
 */
export function browserRoutes(app: FastifyInstance, ctx: RelayContext, guard: ReplayGuard): void {
  app.post<WithTenant>('/api/t/:tenant/browsers', async (request, reply) => {
    const tenant = await requireTenant(ctx, request.params.tenant);
    const body = parseWith(browserRegister, request.body);
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
    });
    if (device.kind !== 'browser') throw new ProblemError('conflict', 'This key belongs to a phone.');
    return reply.status(201).send({ deviceId: device.id, tenant: tenant.name });
  });

  /** The first registration of a browser for a user, where the tenant requires registered browsers. */
  app.post<WithTenant>('/api/t/:tenant/browsers/self/users', async (request) => {
    const device = await authenticateDevice(ctx, guard, request);
    const body = parseWith(temporaryAccessPassSignIn, request.body);
    const { tenant, user } = await redeemTemporaryAccessPass(
      ctx,
      request.params.tenant,
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
    return { deviceId: device.id, username: user.username, registered: true };
  });
}
