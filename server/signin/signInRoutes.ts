import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseDeviceAuthorization } from '../../shared/deviceSignature';
import type { RelayContext } from '../context';
import { type ReplayGuard, authenticateDevice } from '../http/deviceAuth';
import { openEventStream } from '../http/eventStream';
import { ProblemError } from '../http/problem';
import { answerSignInRequest } from './answerSignInRequest';
import { deliveryTargets } from './availableMethods';
import { announceClosed } from './deliverSignInRequest';
import { authenticateCollector } from './collectorAuth';
import { createSignInRequest } from './createSignInRequest';
import { pendingForDevice } from './pendingForDevice';
import { redeemSignInRequest } from './redeemSignInRequest';
import { callerInfo } from './requestContext';
import { requestState, stateOrdinal } from './requestMessages';
import { signInWithCode } from './signInWithCode';
import { signInWithTemporaryAccessPass } from './signInWithTemporaryAccessPass';
import { sweepExpired } from './sweepExpired';

type WithId = { Params: { id: string } };
type WithTenant = { Params: { tenant: string } };

/** Journeys 3, 4, 5 and 7 over HTTP: the desktop's and the phone's sides of a sign-in request. */
export function signInRoutes(app: FastifyInstance, ctx: RelayContext, guard: ReplayGuard): void {
  /** A registered browser (the extension) signs its calls; anyone else is simply not one. */
  const browserOf = async (request: FastifyRequest) => {
    if (!parseDeviceAuthorization(request.headers.authorization)) return undefined;
    const device = await authenticateDevice(ctx, guard, request);
    if (device.kind !== 'browser') throw new ProblemError('forbidden', 'Only a browser key can create sign-in requests.');
    return device;
  };

  app.post<WithTenant>('/api/t/:tenant/sign-in-requests', async (request, reply) => {
    const collectorKey = request.headers['nod-collector-key'];
    const created = await createSignInRequest(ctx, request.params.tenant, request.body as never, {
      ...callerInfo(request),
      collectorKey: typeof collectorKey === 'string' && collectorKey.length <= 200 ? collectorKey : undefined,
      callOrigin: request.headers.origin,
      browser: await browserOf(request),
    });
    return reply.status(201).header('cache-control', 'no-store').send(created);
  });
  app.post<WithTenant>('/api/t/:tenant/code-sign-in', async (request) =>
    signInWithCode(ctx, request.params.tenant, request.body as never, callerInfo(request)),
  );
  app.post<WithTenant>('/api/t/:tenant/temporary-access-pass-sign-in', async (request) =>
    signInWithTemporaryAccessPass(ctx, request.params.tenant, request.body as never, callerInfo(request)),
  );

  // The collector: whoever holds the secret from creating the request.
  app.get<WithId>('/api/sign-in-requests/:id', async (request) => {
    await sweepExpired(ctx);
    return requestState(await authenticateCollector(ctx, request, request.params.id));
  });
  app.delete<WithId>('/api/sign-in-requests/:id', async (request, reply) => {
    const signIn = await authenticateCollector(ctx, request, request.params.id);
    const cancelled = await ctx.storage.signInRequests.transition(
      signIn.id,
      'pending',
      { status: 'cancelled', reason: 'cancelled at the desktop' },
      ctx.now(),
    );
    if (cancelled) {
      ctx.events.publishRequest(requestState(cancelled));
      // The phones drop it from their lists and notifications at once.
      if (cancelled.deliverable && cancelled.userId) {
        const registrations = await ctx.storage.registrations.listForUser(cancelled.tenantId, cancelled.userId);
        void announceClosed(ctx, cancelled, deliveryTargets(cancelled.kind, registrations)).catch((error) =>
          ctx.log.warn({ err: error }, 'announce failed'),
        );
      }
    }
    return reply.status(204).send();
  });
  app.post<WithId>('/api/sign-in-requests/:id/redeem', async (request) =>
    redeemSignInRequest(ctx, await authenticateCollector(ctx, request, request.params.id)),
  );
  app.get<WithId>('/api/sign-in-requests/:id/events', async (request, reply) => {
    // Keep only the id: thousands of these wait at once.
    const requestId = (await authenticateCollector(ctx, request, request.params.id)).id;
    const lastSeen = Number(request.headers['last-event-id'] ?? 0) || 0;
    let sent = lastSeen;
    const stream = openEventStream(request, reply, () => unsubscribe());
    const deliver = (state: ReturnType<typeof requestState>) => {
      const ordinal = stateOrdinal(state.status);
      if (ordinal <= sent) return;
      sent = ordinal;
      stream.send('state', state, ordinal);
      // After the result is redeemed (or the request ended without approval) there is nothing more to say.
      if (state.status !== 'pending' && state.status !== 'approved') stream.close();
    };
    const unsubscribe = ctx.events.subscribeRequest(requestId, deliver);
    const current = await ctx.storage.signInRequests.byId(requestId);
    if (current) deliver(requestState(current));
  });

  // The phone: device-signed.
  app.get('/api/device/sign-in-requests', async (request) => {
    const device = await authenticateDevice(ctx, guard, request);
    return { requests: await pendingForDevice(ctx, device) };
  });
  app.get<WithId>('/api/device/sign-in-requests/:id', async (request) => {
    const device = await authenticateDevice(ctx, guard, request);
    const found = (await pendingForDevice(ctx, device)).find((r) => r.requestId === request.params.id);
    if (!found) throw new ProblemError('request_not_found', 'This sign-in request is no longer waiting.');
    return found;
  });
  app.post<WithId>('/api/sign-in-requests/:id/answer', async (request) =>
    answerSignInRequest(ctx, request.params.id, request.body as never, callerInfo(request)),
  );
  app.get('/api/device/events', async (request, reply) => {
    const device = await authenticateDevice(ctx, guard, request);
    await ctx.storage.devices.touch(device.id, ctx.now());
    const stream = openEventStream(request, reply, () => unsubscribe());
    const unsubscribe = ctx.events.subscribeDevice(device.id, (event) => stream.send(event.type, event));
    for (const pending of await pendingForDevice(ctx, device)) stream.send('request', { type: 'request', request: pending });
  });
  app.get('/api/push/vapid-public-key', async () => ({ publicKey: ctx.keys.vapid.publicKey }));
}
