import type { SignInRequestDetails } from '../../../shared/schemas/signInRequests';
import type { RelayContext } from '../../context';
import type { Device } from '../../storage/model';
import { requestDetails } from './requestDetails';

/** Journey 7: every pending request for every account on this device, oldest first. */
export async function pendingForDevice(ctx: RelayContext, device: Device): Promise<SignInRequestDetails[]> {
  const now = ctx.now();
  const tenant = await ctx.storage.tenants.byId(device.tenantId);
  if (!tenant) return [];
  const registrations = await ctx.storage.registrations.listForDevice(device.id);
  const lists = await Promise.all(
    registrations.map(async (registration) => {
      const pending = await ctx.storage.signInRequests.pendingForUser(tenant.id, registration.userId, now);
      return pending
        .filter((request) => request.kind === 'mfa' || registration.phoneSignInEnabled)
        .map((request) => requestDetails(ctx, tenant, request, registration));
    }),
  );
  return lists.flat().sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
}
