import { type FatigueLimits, fatigueLimits } from '../../shared/schemas/policy';
import type { StoredPolicy } from '../storage/model';

/** The tenant's limits, every one filled in: a policy saved before a limit existed gets its default. */
export function limitsFor(policy: StoredPolicy | undefined): FatigueLimits {
  const parsed = fatigueLimits.safeParse(policy?.limits ?? {});
  return parsed.success ? parsed.data : fatigueLimits.parse({});
}
