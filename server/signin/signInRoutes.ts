import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseDeviceAuthorization } from '../../shared/deviceSignature';
import type { RelayContext } from '../context';
import { type ReplayGuard, authenticateDevice } from '../http/deviceAuth';
import { ProblemError } from '../http/problem';
import { callerInfo } from './callerInfo';
import { redeemSignInRequest } from './grants/redeemSignInRequest';
import { signInWithCode } from './grants/signInWithCode';
import { signInWithTemporaryAccessPass } from './grants/signInWithTemporaryAccessPass';
import { answerSignInRequest } from './requests/answerSignInRequest';
import { authenticateCollector } from './requests/authenticateCollector';
import { cancelSignInRequest } from './requests/cancelSignInRequest';
import { createSignInRequest } from './requests/createSignInRequest';
import { pendingForDevice } from './requests/pendingForDevice';
import { requestForDevice } from './requests/requestForDevice';
import { requestState } from './requests/requestState';
import { settleExpiry } from './requests/settleExpiry';
import { watchDeviceEvents } from './requests/watchDeviceEvents';
import { watchSignInRequest } from './requests/watchSignInRequest';

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
    return requestState(await settleExpiry(ctx, await authenticateCollector(ctx, request, request.params.id)));
  });
  app.delete<WithId>('/api/sign-in-requests/:id', async (request, reply) => {
    await cancelSignInRequest(ctx, await authenticateCollector(ctx, request, request.params.id), callerInfo(request));
    return reply.status(204).send();
  });
  app.post<WithId>('/api/sign-in-requests/:id/redeem', async (request) =>
    redeemSignInRequest(ctx, await authenticateCollector(ctx, request, request.params.id)),
  );
  app.get<WithId>('/api/sign-in-requests/:id/events', async (request, reply) => {
    // Keep only the id: thousands of these wait at once.
    const requestId = (await authenticateCollector(ctx, request, request.params.id)).id;
    await watchSignInRequest(ctx, requestId, request.headers['last-event-id'], request, reply);
  });

  // The phone: device-signed.
  app.get('/api/device/sign-in-requests', async (request) => {
    const device = await authenticateDevice(ctx, guard, request);
    return { requests: await pendingForDevice(ctx, device) };
  });
  app.get<WithId>('/api/device/sign-in-requests/:id', async (request) => {
    const device = await authenticateDevice(ctx, guard, request);
    const found = await requestForDevice(ctx, device, request.params.id);
    if (!found) throw new ProblemError('request_not_found', 'This sign-in request is no longer waiting.');
    return found;
  });
  app.post<WithId>('/api/sign-in-requests/:id/answer', async (request) =>
    answerSignInRequest(ctx, request.params.id, request.body as never, callerInfo(request)),
  );
  app.get('/api/device/events', async (request, reply) => {
    await watchDeviceEvents(ctx, await authenticateDevice(ctx, guard, request), request, reply);
  });
  app.get('/api/push/vapid-public-key', async () => ({ publicKey: ctx.keys.vapid.publicKey }));
}
