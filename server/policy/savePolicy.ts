import { maxPolicyTargets } from '../../shared/constants';
import type { AuthenticatorPolicy } from '../../shared/schemas/policy';
import type { RelayContext } from '../context';
import { ProblemError } from '../http/problem';
import { accountsChangedForTenant } from '../registrations/accountsChanged';
import type { StoredExcludeTarget, StoredIncludeTarget, StoredPolicy, Tenant } from '../storage/model';

/**
 * Replace the tenant's Authenticator policy. Targets name users and groups; they are stored by
 * id. Too many targets, or a target that does not exist, refuses the whole save: nothing is
 * half-saved, and the new policy applies to the very next sign-in. Every phone of the tenant is
 * told to read its accounts again (paced: see SignInEventBus.publishTenant).
 */
export async function savePolicy(ctx: RelayContext, tenant: Tenant, policy: AuthenticatorPolicy): Promise<StoredPolicy> {
  const count = policy.includeTargets.length + policy.excludeTargets.length;
  if (count > maxPolicyTargets) {
    throw new ProblemError(
      'too_many_targets',
      `The policy names ${count} users and groups; at most ${maxPolicyTargets} are allowed. Put these users in a single group and target the group instead.`,
      { errors: [{ field: 'includeTargets', message: `at most ${maxPolicyTargets} targets in all; use a group instead` }] },
    );
  }
  const resolve = async (kind: 'user' | 'group', name: string, field: string): Promise<string> => {
    const found = kind === 'user' ? await ctx.storage.users.byName(tenant.id, name) : await ctx.storage.groups.byName(tenant.id, name);
    if (!found) {
      throw new ProblemError('validation_failed', `${field}: no ${kind} named ${name} in ${tenant.name}`, {
        errors: [{ field, message: `no ${kind} named ${name}` }],
      });
    }
    return found.id;
  };
  const includeTargets: StoredIncludeTarget[] = [];
  for (const [i, target] of policy.includeTargets.entries()) {
    includeTargets.push(
      target.kind === 'all_users'
        ? { kind: 'all_users', mode: target.mode }
        : { kind: target.kind, id: await resolve(target.kind, target.name, `includeTargets[${i}].name`), mode: target.mode },
    );
  }
  const excludeTargets: StoredExcludeTarget[] = [];
  for (const [i, target] of policy.excludeTargets.entries()) {
    excludeTargets.push({ kind: target.kind, id: await resolve(target.kind, target.name, `excludeTargets[${i}].name`) });
  }
  const stored: StoredPolicy = { ...policy, includeTargets, excludeTargets, updatedAt: ctx.now() };
  await ctx.storage.policies.save(tenant.id, stored);
  // What every phone of the tenant shows may change (allowed, push only, the report hold's length).
  await accountsChangedForTenant(ctx, tenant.id);
  return stored;
}
