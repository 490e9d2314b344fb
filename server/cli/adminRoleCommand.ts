import { type AdminCenterRole, adminCenterRoleNames } from '../../shared/schemas/adminCenter';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { requireTenant } from '../tenants/requireTenant';
import { requireUser } from '../users/requireUser';
import { UsageError } from './UsageError';

export const adminRoleUsage = `  nod admin role assign <tenant> <username> global|policy|helpdesk
  nod admin role unassign <tenant> <username> global|policy|helpdesk
  nod admin role list <tenant> <username>
`;

const roleOfName: Record<string, AdminCenterRole> = {
  global: 'global_administrator',
  policy: 'authentication_policy_administrator',
  helpdesk: 'helpdesk_administrator',
};

/** The `<role>` of `role assign|unassign`, checked before anything is opened (a usage error otherwise). */
export function roleArgument(command: string, rest: string[]): AdminCenterRole | undefined {
  if (command !== 'role assign' && command !== 'role unassign') return undefined;
  const role = Object.hasOwn(roleOfName, rest[2]) ? roleOfName[rest[2]] : undefined;
  if (!role) throw new UsageError(`<role>: one of ${Object.keys(roleOfName).join(', ')}, got ${JSON.stringify(rest[2])}`);
  return role;
}

/**
 * `nod admin role assign|unassign|list <tenant> <username> [role]`: who may sign in to the admin center
 * (the first Global Administrator of a tenant comes from here). Prints the user's roles; the exit code.
 */
export async function adminRoleCommand(
  ctx: RelayContext,
  command: string,
  rest: string[],
  role: AdminCenterRole | undefined,
): Promise<number> {
  const tenant = await requireTenant(ctx, rest[0]);
  const user = await requireUser(ctx, tenant, rest[1]);
  if (role) {
    if (command === 'role assign') {
      await ctx.storage.adminRoles.assign({ tenantId: tenant.id, userId: user.id, role, createdAt: ctx.now() });
    } else {
      await ctx.storage.adminRoles.remove(tenant.id, user.id, role);
    }
    await recordAudit(ctx, {
      tenantId: tenant.id,
      type: command === 'role assign' ? 'admin_role.assigned' : 'admin_role.removed',
      outcome: 'success',
      userId: user.id,
      username: user.username,
      detail: { role, by: 'cli' },
    });
  }
  const roles = await ctx.storage.adminRoles.forUser(tenant.id, user.id);
  process.stdout.write(`${JSON.stringify({ username: user.username, roles: roles.map((r) => adminCenterRoleNames[r.role]) }, null, 2)}\n`);
  return 0;
}
