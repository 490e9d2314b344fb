import type { SignInRequestDetails } from '../../../shared/schemas/signInRequests';
import type { RelayContext } from '../../context';
import type { SignedCall } from '../../http/deviceAuth';
import type { Device } from '../../storage/model';
import type { Storage } from '../../storage/Storage';
import { requestDetails } from './requestDetails';
import { settleExpiry } from './settleExpiry';

/** What a phone's call about one request reads (Storage `signInRequests.forDevice`). */
export type RequestWithDevice = Awaited<ReturnType<Storage['signInRequests']['forDevice']>>;

/** That read, from the one that authenticated a device-signed call (its signed input not used yet). */
export type DeviceWithRequest = SignedCall<RequestWithDevice>;

/**
 * One request as this device sees it, if it is still waiting for one of the device's accounts
 * (and that account gets it: phone sign-in enabled for passwordless); otherwise undefined.
 * Reads that request, the device's registrations of its user and the request's tenant only, in one read.
 */
export async function requestForDevice(ctx: RelayContext, device: Device, requestId: string): Promise<SignInRequestDetails | undefined> {
  return detailsForDevice(ctx, device, await ctx.storage.signInRequests.forDevice(requestId, device.id));
}

/** requestForDevice from what was read already (with the device, for a signed call). */
export async function detailsForDevice(
  ctx: RelayContext,
  device: Device,
  read: RequestWithDevice,
): Promise<SignInRequestDetails | undefined> {
  const found = read.request;
  if (!found?.deliverable || found.status !== 'pending' || !found.userId || found.tenantId !== device.tenantId) return undefined;
  const registration = read.registrations.find((r) => r.tenantId === found.tenantId);
  if (!registration || (found.kind === 'passwordless' && !registration.phoneSignInEnabled)) return undefined;
  const request = await settleExpiry(ctx, found);
  if (request.status !== 'pending') return undefined;
  return read.tenant ? requestDetails(ctx, read.tenant, request, registration) : undefined;
}
