import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { ProblemError } from '../http/problem';
import type { Tenant, User } from '../storage/model';
import { endSignIns } from '../users/endSignIns';
import { accountsChangedOnDevices } from './accountsChanged';
import type { RemovedBy } from './removeRegistration';

/**
 * "Lost phone" (or browser), from the admin API and CLI or from My Sign-ins: the device can no
 * longer sign the user in, approve, or take codes; the user's sessions and pending requests end
 * (whichever of them the device approved); one `device.removed` audit event. Other accounts on the
 * device keep theirs. The device, if it still listens, is told at once.
 */
export async function removeDeviceOfUser(
  ctx: RelayContext,
  tenant: Tenant,
  user: User,
  deviceId: string,
  by: RemovedBy & { notFound: string },
): Promise<void> {
  if (!(await ctx.storage.devices.removeForUser(tenant.id, deviceId, user.id))) {
    throw new ProblemError('not_found', by.notFound);
  }
  await endSignIns(
    ctx,
    tenant,
    user,
    by.via === 'admin' ? 'a device of the account was removed by an admin' : 'the user removed a lost device',
  );
  await recordAudit(ctx, {
    tenantId: tenant.id,
    type: 'device.removed',
    outcome: 'success',
    userId: user.id,
    username: user.username,
    deviceId,
    ip: by.ip ?? null,
    userAgent: by.userAgent ?? null,
    detail: { by: by.via, deviceId, ...by.detail },
  });
  await accountsChangedOnDevices(ctx, [deviceId]);
}
