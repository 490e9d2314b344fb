import type { AuthenticatorPolicy } from '../../shared/schemas/policy';
import type { RelayContext } from '../context';
import { limitsFor } from '../limits/limitsFor';
import type { StoredPolicy, Tenant } from '../storage/model';

/** The stored policy as the admin API shows it: targets by name. */
export async function describePolicy(
  ctx: RelayContext,
  tenant: Tenant,
  stored: StoredPolicy,
): Promise<AuthenticatorPolicy & { updatedAt: string }> {
  const name = async (kind: 'user' | 'group', id: string) => {
    const found = kind === 'user' ? await ctx.storage.users.byId(tenant.id, id) : await ctx.storage.groups.byId(tenant.id, id);
    return found ? ('username' in found ? found.username : found.name) : `(deleted ${kind} ${id})`;
  };
  return {
    ...stored,
    limits: limitsFor(stored),
    includeTargets: await Promise.all(
      stored.includeTargets.map(async (t) =>
        t.kind === 'all_users'
          ? { kind: 'all_users' as const, mode: t.mode }
          : { kind: t.kind, name: await name(t.kind, t.id), mode: t.mode },
      ),
    ),
    excludeTargets: await Promise.all(stored.excludeTargets.map(async (t) => ({ kind: t.kind, name: await name(t.kind, t.id) }))),
    updatedAt: new Date(stored.updatedAt).toISOString(),
  };
}
