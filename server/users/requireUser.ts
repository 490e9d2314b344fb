import type { RelayContext } from '../context';
import { ProblemError } from '../http/problem';
import type { Group, Tenant, User } from '../storage/model';

export async function requireUser(ctx: RelayContext, tenant: Tenant, username: string): Promise<User> {
  const user = await ctx.storage.users.byName(tenant.id, username.toLowerCase());
  if (!user) throw new ProblemError('user_not_found', `No user ${username} in ${tenant.name}.`);
  return user;
}

export async function requireGroup(ctx: RelayContext, tenant: Tenant, name: string): Promise<Group> {
  const group = await ctx.storage.groups.byName(tenant.id, name);
  if (!group) throw new ProblemError('group_not_found', `No group ${name} in ${tenant.name}.`);
  return group;
}
