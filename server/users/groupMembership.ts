import type { RelayContext } from '../context';
import { audited } from '../admin/adminAudit';
import { accountsChangedForUser } from '../registrations/accountsChanged';
import type { AdminToken, Group, Tenant, User } from '../storage/model';

/**
 * A user joins or leaves a group. The policy may target the group, so what the user's phones
 * show (phone sign-in allowed, push only, not allowed) may change: they are told at once.
 */
export async function addGroupMember(ctx: RelayContext, tenant: Tenant, group: Group, user: User, token: AdminToken): Promise<void> {
  await ctx.storage.groups.addMember(tenant.id, group.id, user.id);
  await audited(ctx, tenant, user, token, 'group.member_added', { groupId: group.id, group: group.name });
  await accountsChangedForUser(ctx, tenant.id, user.id);
}

export async function removeGroupMember(ctx: RelayContext, tenant: Tenant, group: Group, user: User, token: AdminToken): Promise<void> {
  await ctx.storage.groups.removeMember(tenant.id, group.id, user.id);
  await audited(ctx, tenant, user, token, 'group.member_removed', { groupId: group.id, group: group.name });
  await accountsChangedForUser(ctx, tenant.id, user.id);
}
