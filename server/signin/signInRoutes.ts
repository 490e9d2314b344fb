import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseDeviceAuthorization } from '../../shared/deviceSignature';
import { noContent } from '../../shared/schemas/common';
import { deviceEvents, vapidPublicKey } from '../../shared/schemas/devices';
import { codeSignIn, signInGrant, temporaryAccessPassSignIn } from '../../shared/schemas/grants';
import {
  browserTrust,
  browserTrusted,
  signInAnswer,
  signInAnswered,
  signInRequestCreate,
  signInRequestCreated,
  signInRequestDetails,
  signInRequestEvents,
  signInRequestList,
  signInRequestReceipt,
  signInRequestState,
} from '../../shared/schemas/signInRequests';
import type { RelayContext } from '../context';
import { defineRoute, eventStreamReply } from '../http/defineRoute';
import { type ReplayGuard, authenticateDevice, checkDeviceCall } from '../http/deviceAuth';
import { ProblemError } from '../http/problem';
import { callerInfo } from './callerInfo';
import { redeemSignInRequest } from './grants/redeemSignInRequest';
import { signInWithCode } from './grants/signInWithCode';
import { signInWithTemporaryAccessPass } from './grants/signInWithTemporaryAccessPass';
import { answerSignInRequest } from './requests/answerSignInRequest';
import { authenticateCollector, collectorRead } from './requests/authenticateCollector';
import { cancelSignInRequest } from './requests/cancelSignInRequest';
import { createSignInRequest } from './requests/createSignInRequest';
import { pendingForDevice } from './requests/pendingForDevice';
import { detailsForDevice } from './requests/requestForDevice';
import { currentRequestState } from './requests/requestState';
import { acknowledgeSignInRequest } from './requests/acknowledgeSignInRequest';
import { settleExpiry } from './requests/settleExpiry';
import { trustBrowser } from './requests/trustBrowser';
import { watchDeviceEvents } from './requests/watchDeviceEvents';
import { subscribeBeforeReading, watchSignInRequest } from './requests/watchSignInRequest';

const tenantPath = z.object({ tenant: z.string() });
const requestPath = z.object({ id: z.string() });

/** What the desktop's call says about the browser besides its body. */
const createHeaders = z.object({
  /** A stable per-browser value; one that is too long is ignored rather than refused. */
  'nod-collector-key': z.string().max(200).optional().catch(undefined),
  /** Set by browsers: a page may only ask for a sign-in to its own origin. */
  origin: z.string().optional(),
});

/** Journeys 3, 4, 5 and 7 over HTTP: the desktop's and the phone's sides of a sign-in request. */
export function signInRoutes(app: FastifyInstance, ctx: RelayContext, guard: ReplayGuard): void {
  /** A registered browser (the extension) signs its calls; anyone else is simply not one. */
  const browserOf = async (request: FastifyRequest) => {
    if (!parseDeviceAuthorization(request.headers.authorization)) return undefined;
    const device = await authenticateDevice(ctx, guard, request);
    if (device.kind !== 'browser') throw new ProblemError('forbidden', 'Only a browser key can create sign-in requests.');
    return device;
  };
  const device = (request: FastifyRequest) => authenticateDevice(ctx, guard, request);
  /** A phone's call about one request: its device read with the request, its signed input used by the step (see checkDeviceCall). */
  const deviceWithRequest = (request: FastifyRequest, params: { id: string }) =>
    checkDeviceCall(ctx, guard, request, (deviceId) => ctx.storage.signInRequests.forDevice(params.id, deviceId));
  // The collector: whoever holds the secret from creating the request.
  const collector = (request: FastifyRequest, params: { id: string }) => authenticateCollector(ctx, request, params.id);

  defineRoute(
    app,
    {
      method: 'POST',
      url: '/api/t/:tenant/sign-in-requests',
      params: tenantPath,
      authenticate: browserOf,
      headers: createHeaders,
      body: signInRequestCreate,
      reply: signInRequestCreated,
      status: 201,
    },
    async ({ params, headers, body, auth: browser, request, reply }) => {
      const created = await createSignInRequest(ctx, params.tenant, body, {
        ...callerInfo(request),
        collectorKey: headers['nod-collector-key'],
        callOrigin: headers.origin,
        browser,
        ...(browser ? { browserStatement: request.headers.authorization } : {}),
      });
      reply.header('cache-control', 'no-store');
      return created;
    },
  );
  defineRoute(
    app,
    { method: 'POST', url: '/api/t/:tenant/code-sign-in', params: tenantPath, body: codeSignIn, reply: signInGrant },
    async ({ params, body, request }) => signInWithCode(ctx, params.tenant, body, callerInfo(request)),
  );
  defineRoute(
    app,
    {
      method: 'POST',
      url: '/api/t/:tenant/temporary-access-pass-sign-in',
      params: tenantPath,
      body: temporaryAccessPassSignIn,
      reply: signInGrant,
    },
    async ({ params, body, request }) => signInWithTemporaryAccessPass(ctx, params.tenant, body, callerInfo(request)),
  );

  defineRoute(
    app,
    { method: 'GET', url: '/api/sign-in-requests/:id', params: requestPath, authenticate: collector, reply: signInRequestState },
    async ({ auth: signIn }) => currentRequestState(ctx, await settleExpiry(ctx, signIn)),
  );
  defineRoute(
    app,
    { method: 'DELETE', url: '/api/sign-in-requests/:id', params: requestPath, authenticate: collector, reply: noContent },
    async ({ auth: signIn, request }) => {
      await cancelSignInRequest(ctx, signIn, callerInfo(request));
      return undefined;
    },
  );
  defineRoute(
    app,
    {
      method: 'POST',
      url: '/api/sign-in-requests/:id/redeem',
      params: requestPath,
      // The request read with its user and tenant, the redeem's one read.
      authenticate: (request, params) => collectorRead(request, params.id, (id) => ctx.storage.signInRequests.forRedeem(id)),
      reply: signInGrant,
    },
    async ({ auth }) => redeemSignInRequest(ctx, auth),
  );
  defineRoute(
    app,
    {
      method: 'GET',
      url: '/api/sign-in-requests/:id/events',
      params: requestPath,
      // Subscribed before the request is read: that one read authenticates the collector and gives the first state.
      authenticate: async (request, params) => {
        const subscription = subscribeBeforeReading(ctx, params.id);
        try {
          return { signIn: await collector(request, params), subscription };
        } catch (error) {
          subscription.cancel();
          throw error;
        }
      },
      reply: eventStreamReply(signInRequestEvents),
    },
    async ({ auth, request, reply }) => {
      await watchSignInRequest(ctx, auth.signIn, auth.subscription, request.headers['last-event-id'], request, reply);
      return undefined;
    },
  );

  // The phone: device-signed.
  defineRoute(
    app,
    { method: 'GET', url: '/api/device/sign-in-requests', authenticate: device, reply: signInRequestList },
    async ({ auth }) => ({ requests: await pendingForDevice(ctx, auth) }),
  );
  defineRoute(
    app,
    {
      method: 'GET',
      url: '/api/device/sign-in-requests/:id',
      params: requestPath,
      authenticate: deviceWithRequest,
      reply: signInRequestDetails,
    },
    async ({ auth }) => {
      // A read only: the signed input is used up before the answer.
      await guard.use(auth.signature);
      const found = await detailsForDevice(ctx, auth.device, auth);
      if (!found) throw new ProblemError('request_not_found', 'This sign-in request is no longer waiting.');
      return found;
    },
  );
  defineRoute(
    app,
    {
      method: 'POST',
      url: '/api/device/sign-in-requests/:id/received',
      params: requestPath,
      authenticate: deviceWithRequest,
      body: signInRequestReceipt,
      reply: noContent,
    },
    async ({ auth, body }) => {
      await acknowledgeSignInRequest(ctx, guard, auth, body);
      return undefined;
    },
  );
  defineRoute(app, { method: 'POST', url: '/api/device/push/received', authenticate: device, reply: noContent }, async ({ auth }) => {
    // The answer to the daily health check: the device's push works.
    await ctx.storage.devices.recordReceipt(auth.id, ctx.now());
    return undefined;
  });
  defineRoute(
    app,
    { method: 'POST', url: '/api/sign-in-requests/:id/answer', params: requestPath, body: signInAnswer, reply: signInAnswered },
    async ({ params, body, request }) => answerSignInRequest(ctx, params.id, body, callerInfo(request)),
  );
  defineRoute(
    app,
    { method: 'POST', url: '/api/sign-in-requests/:id/trust-browser', params: requestPath, body: browserTrust, reply: browserTrusted },
    async ({ params, body, request }) => trustBrowser(ctx, params.id, body, callerInfo(request)),
  );
  defineRoute(
    app,
    { method: 'GET', url: '/api/device/events', authenticate: device, reply: eventStreamReply(deviceEvents) },
    async ({ auth, request, reply }) => {
      await watchDeviceEvents(ctx, auth, request, reply);
      return undefined;
    },
  );
  defineRoute(app, { method: 'GET', url: '/api/push/vapid-public-key', reply: vapidPublicKey }, async () => ({
    publicKey: ctx.keys.vapid.publicKey,
  }));
}
