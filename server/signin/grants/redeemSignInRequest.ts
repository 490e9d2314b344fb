import type { SignInGrant } from '../../../shared/schemas/grants';
import type { RelayContext } from '../../context';
import { ProblemError } from '../../http/problem';
import type { SignInRequest, Tenant, User } from '../../storage/model';
import { pushesAnsweredResets } from '../../limits/pushBudget';
import { refusalFor } from '../../limits/reportSignIn';
import { strongSignInResets } from '../../limits/strongSignIn';
import { prepareGrant } from './issueGrant';

/**
 * Exchange an approved request (its collector already authenticated) for a one-time grant. Works
 * once. `owner` is the request's user with the tenant, read with the request (`signInRequests.forRedeem`).
 */
export async function redeemSignInRequest(
  ctx: RelayContext,
  { request, owner }: { request: SignInRequest; owner: { user: User; tenant: Tenant } | undefined },
): Promise<SignInGrant> {
  if (request.status !== 'approved' || !request.userId) {
    throw new ProblemError(
      'not_approved',
      request.status === 'redeemed' ? 'This approval was already used.' : 'This sign-in request is not approved.',
    );
  }
  // The user's state is looked at again (read once for the whole call, with the request and the tenant): a report since the request began stops it here.
  const tenant = owner?.tenant;
  const user = owner?.user;
  const refusal = refusalFor(request, user);
  if (refusal) throw new ProblemError('not_approved', 'This sign-in request is not approved.', { privateDetail: refusal });
  const method = request.kind === 'passwordless' ? 'phone_sign_in' : 'push_mfa';
  // The grant is stored in the redeem's own transaction; an account disabled meanwhile still uses the approval up, and gets none.
  const grant =
    tenant && user && user.disabledAt === null
      ? prepareGrant(ctx, tenant, user, method, request.id, request.firstFactor ?? null)
      : undefined;
  // A phone approval with user verification is stronger than any guessable secret: their counts start over, with the redeem.
  const resetCounters =
    tenant && user
      ? { tenantId: tenant.id, username: user.username, kinds: method === 'phone_sign_in' ? strongSignInResets : pushesAnsweredResets }
      : undefined;
  const redeemed = await ctx.storage.signInRequests.transition(
    request.id,
    'approved',
    { status: 'redeemed', reason: null },
    ctx.now(),
    undefined,
    { ...(grant ? { grant: grant.record } : {}), ...(resetCounters ? { resetCounters } : {}) },
  );
  if (!redeemed) throw new ProblemError('not_approved', 'This approval was already used.');
  await ctx.events.publishRequest({ requestId: redeemed.id, status: redeemed.status });
  if (!tenant || !user) throw new ProblemError('not_approved', 'The account no longer exists.');
  if (!grant) throw new ProblemError('account_disabled', 'This account is disabled. Ask your admin.');
  return grant.answer;
}
