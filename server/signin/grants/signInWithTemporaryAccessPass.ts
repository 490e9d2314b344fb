import type { z } from 'zod';
import type { SignInGrant, temporaryAccessPassSignIn } from '../../../shared/schemas/grants';
import type { RelayContext } from '../../context';
import { ProblemError } from '../../http/problem';
import { guardSecret } from '../../limits/guardSecret';
import { limitSources } from '../../limits/limitSources';
import { limitsFor } from '../../limits/limitsFor';
import { pushesAnswered } from '../../limits/pushBudget';
import { redeemTemporaryAccessPass } from '../../tap/redeemTemporaryAccessPass';
import { requireTenant } from '../../tenants/requireTenant';
import { issueGrant } from './issueGrant';
import type { CallerInfo } from '../callerInfo';

/** Sign in with a Temporary Access Pass alone (what a user does before any phone is set up), within the guessing limits. */
export async function signInWithTemporaryAccessPass(
  ctx: RelayContext,
  tenantName: string,
  body: z.output<typeof temporaryAccessPassSignIn>,
  caller: CallerInfo,
): Promise<SignInGrant> {
  const tenant = await requireTenant(ctx, tenantName);
  const [user, policy] = await Promise.all([ctx.storage.users.byName(tenant.id, body.username), ctx.storage.policies.get(tenant.id)]);
  const who = limitSources(ctx, tenant, user, caller);
  const attempt = { tenant, username: body.username, factor: 'temporary_access_pass' as const, who, caller, limits: limitsFor(policy) };
  let refusal: unknown;
  const redeemed = await guardSecret(ctx, attempt, () =>
    redeemTemporaryAccessPass(ctx, tenantName, body.username, body.temporaryAccessPass, caller).catch((error) => {
      // Only a refused pass counts as a failure; storage trouble is not a wrong pass.
      if (!(error instanceof ProblemError)) throw error;
      refusal = error;
      return undefined;
    }),
  );
  if (!redeemed) throw refusal;
  await pushesAnswered(ctx, redeemed.tenant, redeemed.user);
  return issueGrant(ctx, redeemed.tenant, redeemed.user, 'temporary_access_pass', null);
}
