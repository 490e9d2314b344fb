import type { PushPayload } from '../../../shared/schemas/devices';
import type { RelayContext } from '../../context';
import type { SignInRequest } from '../../storage/model';
import { deliveryTargets } from '../methods/deliveryTargets';

/**
 * Tell the phones a request was offered to that it is closed: each one's live channel at once;
 * and a push that replaces the notification, sent in the background, for every phone but the
 * one that answered — not for expiry (the notification knows its own expiry).
 */
export async function withdrawFromPhones(ctx: RelayContext, request: SignInRequest, answeredBy?: string): Promise<void> {
  // Nothing was offered for a decoy, or for a request held back from delivery.
  if (!request.deliverable || !request.userId) return;
  // The phones with their devices (push subscriptions), in one read.
  const targets = deliveryTargets(request.kind, await ctx.storage.registrations.listForUserWithDevices(request.tenantId, request.userId));
  await Promise.all(
    targets.map(({ registration }) =>
      ctx.events.publishDevice(registration.deviceId, { type: 'closed', requestId: request.id, status: request.status }),
    ),
  );
  if (request.status === 'expired') return;
  const payload = JSON.stringify({ type: 'sign_in_request_closed', requestId: request.id } satisfies PushPayload);
  const pushes = targets
    .filter(({ registration }) => registration.id !== answeredBy)
    .map(async ({ registration, device }) => {
      if (!device?.pushSubscription) return;
      await ctx.push.send(device.pushSubscription, payload, { ttlSeconds: 60, topic: registration.id, urgency: 'normal' });
    });
  void Promise.all(pushes).catch((error) => ctx.log.warn({ err: error, requestId: request.id }, 'closed-request push failed'));
}
