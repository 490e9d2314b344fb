import type { SignInRequestReceipt } from '../../../shared/schemas/signInRequests';
import { auditEvent } from '../../audit/auditEvent';
import type { RelayContext } from '../../context';
import { ProblemError } from '../../http/problem';
import { type ReplayGuard, refuseReplay } from '../../http/deviceAuth';
import type { DeviceWithRequest } from './requestForDevice';

/**
 * A phone says a request reached it (its delivery receipt). Idempotent: the first receipt per
 * device is stored with its `sign_in_request.delivered` audit record and turns the desktop's
 * stage from "sent" to "delivered" — for a desktop that already knew the user (`collectorKnown`);
 * any other sees "sent" throughout, as for a decoy. Later receipts change nothing. A receipt that came by push also
 * says the device's push works (its last receipt), even for a request that has ended meanwhile.
 * A request that was never offered to one of this device's accounts is `request_not_found`,
 * the same answer as for one that does not exist. The call's signed input is used up before any
 * answer: with the delivery, in its transaction, or on its own.
 */
export async function acknowledgeSignInRequest(
  ctx: RelayContext,
  guard: ReplayGuard,
  found: DeviceWithRequest,
  receipt: SignInRequestReceipt,
): Promise<void> {
  // The request and this device's registrations of its user were read with the device.
  const { device, request, signature } = found;
  const registration =
    request?.deliverable && request.userId && request.tenantId === device.tenantId
      ? found.registrations.find((r) => request.kind === 'mfa' || r.phoneSignInEnabled)
      : undefined;
  if (!request || !registration) {
    await guard.use(signature);
    throw new ProblemError('request_not_found', 'This sign-in request is no longer waiting.');
  }
  const now = ctx.now();
  // Past its expiry a request can only expire: its stage no longer matters to anyone (the push receipt still counts).
  if (request.status !== 'pending' || request.expiresAt <= now) {
    await guard.use(signature);
    if (receipt.via === 'push') await ctx.storage.devices.recordReceipt(device.id, now);
    return;
  }
  // The signed input and the push receipt are stored in the delivery's own transaction.
  const recorded = await ctx.storage.signInRequests.recordDelivery(
    request.id,
    device.id,
    now,
    auditEvent(ctx, {
      tenantId: request.tenantId,
      type: 'sign_in_request.delivered',
      outcome: 'delivered',
      userId: request.userId,
      username: request.username,
      deviceId: device.id,
      method: request.kind === 'passwordless' ? 'phone_sign_in' : 'push_mfa',
      origin: request.origin,
      detail: { requestId: request.id, registrationId: registration.id, via: receipt.via, afterMs: now - request.createdAt },
    }),
    receipt.via === 'push',
    signature,
  );
  if (recorded === 'replayed') throw refuseReplay();
  // Only a collector that knew the user is real ever sees the stage change (see requestState): nobody else is told.
  if (!recorded || !request.collectorKnown) return;
  try {
    // The stage as stored: the collector's stream sends it without reading the request again.
    await ctx.events.publishRequest({ requestId: request.id, status: 'pending', delivered: true });
  } catch (error) {
    ctx.log.warn({ err: error, requestId: request.id }, 'the delivery could not be announced to the desktop');
  }
}
