import type { PushPayload } from '../../../shared/schemas/devices';
import type { RelayContext } from '../../context';
import type { RegistrationWithDevice } from '../../storage/Storage';
import type { SignInRequest, Tenant } from '../../storage/model';

/**
 * Offer a new request to every target phone (each with its device, read with the user's
 * registrations): the live channel at once, and Web Push to each device with a subscription,
 * concurrently. A failed send never fails the request; a 404/410 removes the subscription and
 * marks the device unreachable.
 */
export async function offerToPhones(
  ctx: RelayContext,
  tenant: Tenant,
  request: SignInRequest,
  targets: RegistrationWithDevice[],
): Promise<void> {
  const ttlSeconds = Math.max(1, Math.floor((request.expiresAt - ctx.now()) / 1000));
  // A push held up behind a slow push service is worth sending only while the request waits.
  const stillWanted = async () => {
    const current = await ctx.storage.signInRequests.byId(request.id);
    return current?.status === 'pending' && current.expiresAt > ctx.now();
  };
  await Promise.all(
    targets.map(async ({ registration, device }) => {
      await ctx.events.publishDevice(registration.deviceId, { type: 'offered', requestId: request.id });
      if (!device?.pushSubscription) return;
      const payload: PushPayload = {
        type: 'sign_in_request',
        requestId: request.id,
        registrationId: registration.id,
        tenant: tenant.name,
        kind: request.kind,
        expiresAt: new Date(request.expiresAt).toISOString(),
        context: request.context,
      };
      const result = await ctx.push.send(device.pushSubscription, JSON.stringify(payload), {
        ttlSeconds,
        // One topic per account on a device: a newer request's notification replaces the older one.
        topic: registration.id,
        urgency: 'high',
        stillWanted,
      });
      if (result.outcome === 'gone') {
        await ctx.storage.devices.setPush(device.id, null, 'unreachable');
        ctx.log.info({ deviceId: device.id, status: result.status }, 'push subscription gone; removed');
      } else if (result.outcome === 'dropped') {
        ctx.log.debug({ deviceId: device.id, requestId: request.id }, 'push dropped: the request ended while it waited');
      } else if (result.outcome === 'failed') {
        ctx.log.warn({ deviceId: device.id, status: result.status, error: result.error }, 'push not delivered');
      }
    }),
  );
}
