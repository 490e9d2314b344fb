import type { SignInRequestDetails } from '../../../shared/schemas/signInRequests';
import type { RelayContext } from '../../context';
import type { Device } from '../../storage/model';
import { requestDetails } from './requestDetails';
import { settleExpiry } from './settleExpiry';

/**
 * One request as this device sees it, if it is still waiting for one of the device's accounts
 * (and that account gets it: phone sign-in enabled for passwordless); otherwise undefined.
 * Reads that request, the device's registrations of its user and the request's tenant only, in one read.
 */
export async function requestForDevice(ctx: RelayContext, device: Device, requestId: string): Promise<SignInRequestDetails | undefined> {
  const read = await ctx.storage.signInRequests.forDevice(requestId, device.id);
  const found = read?.request;
  if (!found?.deliverable || found.status !== 'pending' || !found.userId || found.tenantId !== device.tenantId) return undefined;
  const registration = read?.registrations.find((r) => r.tenantId === found.tenantId);
  if (!registration || (found.kind === 'passwordless' && !registration.phoneSignInEnabled)) return undefined;
  const request = await settleExpiry(ctx, found);
  if (request.status !== 'pending') return undefined;
  return read?.tenant ? requestDetails(ctx, read.tenant, request, registration) : undefined;
}
