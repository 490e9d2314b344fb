import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { noContent } from '../../shared/schemas/common';
import {
  deviceRegistrations,
  phoneSignInSaved,
  phoneSignInSet,
  pushSubscriptionSaved,
  pushSubscriptionSet,
} from '../../shared/schemas/devices';
import { enrollmentFinish, enrollmentFinished, enrollmentStart, enrollmentStarted } from '../../shared/schemas/enrollment';
import type { RelayContext } from '../context';
import { defineRoute } from '../http/defineRoute';
import { type ReplayGuard, authenticateDevice } from '../http/deviceAuth';
import { requireAllowedPushSubscription } from '../push/pushHosts';
import { removeRegistration } from '../registrations/removeRegistration';
import { requireOwnRegistration, setPhoneSignIn } from '../registrations/setPhoneSignIn';
import { finishEnrollment } from './finishEnrollment';
import { startEnrollment } from './startEnrollment';

const registrationPath = z.object({ id: z.string() });

/** The phone's side of journey 2: add an account, enable phone sign-in, keep push current, remove. */
export function enrollmentRoutes(app: FastifyInstance, ctx: RelayContext, guard: ReplayGuard): void {
  const device = (request: FastifyRequest) => authenticateDevice(ctx, guard, request);

  defineRoute(
    app,
    { method: 'POST', url: '/api/enrollment/start', body: enrollmentStart, reply: enrollmentStarted },
    async ({ body, request }) => startEnrollment(ctx, body, { ip: request.ip, userAgent: request.headers['user-agent'] }),
  );
  defineRoute(
    app,
    { method: 'POST', url: '/api/enrollment/finish', body: enrollmentFinish, reply: enrollmentFinished, status: 201 },
    async ({ body }) => finishEnrollment(ctx, body),
  );

  defineRoute(
    app,
    { method: 'GET', url: '/api/device/registrations', authenticate: device, reply: deviceRegistrations },
    async ({ auth }) => {
      const registrations = await ctx.storage.registrations.listForDevice(auth.id);
      return {
        deviceId: auth.id,
        pushState: auth.pushState,
        registrations: registrations.map((r) => ({ id: r.id, phoneSignInEnabled: r.phoneSignInEnabled, credentialId: r.credentialId })),
      };
    },
  );
  defineRoute(
    app,
    { method: 'PUT', url: '/api/device/push', authenticate: device, body: pushSubscriptionSet, reply: pushSubscriptionSaved },
    async ({ auth, body: { subscription } }) => {
      requireAllowedPushSubscription(subscription, ctx.config.pushHosts, 'subscription.endpoint');
      await ctx.storage.devices.setPush(auth.id, subscription, subscription ? 'subscribed' : 'none');
      return { pushState: subscription ? ('subscribed' as const) : ('none' as const) };
    },
  );
  defineRoute(
    app,
    {
      method: 'PUT',
      url: '/api/registrations/:id/phone-sign-in',
      params: registrationPath,
      authenticate: device,
      body: phoneSignInSet,
      reply: phoneSignInSaved,
    },
    async ({ auth, params, body }) => setPhoneSignIn(ctx, auth, params.id, body.enabled),
  );
  defineRoute(
    app,
    { method: 'DELETE', url: '/api/registrations/:id', params: registrationPath, authenticate: device, reply: noContent },
    async ({ auth, params }) => {
      const registration = await requireOwnRegistration(ctx, auth, params.id);
      await removeRegistration(ctx, registration, { via: 'phone' });
      return undefined;
    },
  );
}
