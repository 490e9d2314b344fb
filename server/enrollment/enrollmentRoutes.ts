import type { FastifyInstance } from 'fastify';
import { phoneSignInSet, pushSubscriptionSet } from '../../shared/schemas/devices';
import type { RelayContext } from '../context';
import { type ReplayGuard, authenticateDevice } from '../http/deviceAuth';
import { parseWith } from '../http/parseWith';
import { recordAudit } from '../audit/recordAudit';
import { requireOwnRegistration, setPhoneSignIn } from '../registrations/setPhoneSignIn';
import { finishEnrollment } from './finishEnrollment';
import { startEnrollment } from './startEnrollment';

/** The phone's side of journey 2: add an account, enable phone sign-in, keep push current, remove. */
export function enrollmentRoutes(app: FastifyInstance, ctx: RelayContext, guard: ReplayGuard): void {
  app.post('/api/enrollment/start', async (request) =>
    startEnrollment(ctx, request.body as never, { ip: request.ip, userAgent: request.headers['user-agent'] }),
  );
  app.post('/api/enrollment/finish', async (request, reply) => reply.status(201).send(await finishEnrollment(ctx, request.body as never)));

  app.get('/api/device/registrations', async (request) => {
    const device = await authenticateDevice(ctx, guard, request);
    const registrations = await ctx.storage.registrations.listForDevice(device.id);
    return {
      deviceId: device.id,
      pushState: device.pushState,
      registrations: registrations.map((r) => ({ id: r.id, phoneSignInEnabled: r.phoneSignInEnabled, credentialId: r.credentialId })),
    };
  });
  app.put('/api/device/push', async (request) => {
    const device = await authenticateDevice(ctx, guard, request);
    const { subscription } = parseWith(pushSubscriptionSet, request.body);
    await ctx.storage.devices.setPush(device.id, subscription, subscription ? 'subscribed' : 'none');
    return { pushState: subscription ? 'subscribed' : 'none' };
  });
  app.put('/api/registrations/:id/phone-sign-in', async (request) => {
    const device = await authenticateDevice(ctx, guard, request);
    const { enabled } = parseWith(phoneSignInSet, request.body);
    return setPhoneSignIn(ctx, device, (request.params as { id: string }).id, enabled);
  });
  app.delete('/api/registrations/:id', async (request, reply) => {
    const device = await authenticateDevice(ctx, guard, request);
    const registration = await requireOwnRegistration(ctx, device, (request.params as { id: string }).id);
    await ctx.storage.registrations.delete(registration.id);
    await recordAudit(ctx, {
      tenantId: registration.tenantId,
      type: 'registration.removed',
      outcome: 'success',
      userId: registration.userId,
      deviceId: device.id,
    });
    return reply.status(204).send();
  });
}
