import type { UserUpdate } from '../../shared/schemas/directory';
import { audited } from '../admin/adminAudit';
import type { RelayContext } from '../context';
import { accountsChangedForUser, accountsChangedOnDevices, devicesOfUser } from '../registrations/accountsChanged';
import type { AdminToken, Tenant, User } from '../storage/model';
import { endSignIns } from './endSignIns';

/** An admin changes a user's name or kind (a guest cannot use phone sign-in): the user's phones read it again. */
export async function updateUser(ctx: RelayContext, user: User, change: UserUpdate): Promise<User> {
  const updated = { ...user, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) };
  await ctx.storage.users.update(updated);
  await accountsChangedForUser(ctx, user.tenantId, user.id);
  return updated;
}

/** An admin deletes a user: sign-ins end, the user and the user's methods go, and the phones that held them are told. */
export async function deleteUser(ctx: RelayContext, tenant: Tenant, user: User, token: AdminToken): Promise<void> {
  const devices = await devicesOfUser(ctx, tenant.id, user.id);
  await endSignIns(ctx, tenant, user, 'the account was deleted by an admin');
  await ctx.storage.users.delete(tenant.id, user.id);
  await audited(ctx, tenant, user, token, 'user.deleted');
  await accountsChangedOnDevices(ctx, devices);
}
