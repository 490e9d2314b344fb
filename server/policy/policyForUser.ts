import type { RelayContext } from '../context';
import type { StoredPolicy, Tenant, User } from '../storage/model';
import { type PolicyDecision, evaluatePolicy } from './evaluatePolicy';

/** Load the tenant's current policy and the user's groups, and evaluate. Read fresh every time. */
export async function policyForUser(
  ctx: RelayContext,
  tenant: Tenant,
  user: User,
): Promise<{ decision: PolicyDecision; policy: StoredPolicy | undefined }> {
  const [policy, groupIds] = await Promise.all([ctx.storage.policies.get(tenant.id), ctx.storage.groups.groupIdsOf(tenant.id, user.id)]);
  return { decision: evaluatePolicy(policy, user, groupIds), policy };
}
