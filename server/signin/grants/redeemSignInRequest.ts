import type { SignInGrant } from '../../../shared/schemas/grants';
import type { RelayContext } from '../../context';
import { ProblemError } from '../../http/problem';
import type { SignInRequest } from '../../storage/model';
import { issueGrant } from './issueGrant';

/** Exchange an approved request (its collector already authenticated) for a one-time grant. Works once. */
export async function redeemSignInRequest(ctx: RelayContext, request: SignInRequest): Promise<SignInGrant> {
  if (request.status !== 'approved' || !request.userId) {
    throw new ProblemError(
      'not_approved',
      request.status === 'redeemed' ? 'This approval was already used.' : 'This sign-in request is not approved.',
    );
  }
  const redeemed = await ctx.storage.signInRequests.transition(request.id, 'approved', { status: 'redeemed', reason: null }, ctx.now());
  if (!redeemed) throw new ProblemError('not_approved', 'This approval was already used.');
  await ctx.events.publishRequest({ requestId: redeemed.id, status: redeemed.status });
  const tenant = await ctx.storage.tenants.byId(request.tenantId);
  const user = tenant && (await ctx.storage.users.byId(tenant.id, request.userId));
  if (!tenant || !user) throw new ProblemError('not_approved', 'The account no longer exists.');
  const method = request.kind === 'passwordless' ? 'phone_sign_in' : 'push_mfa';
  return issueGrant(ctx, tenant, user, method, request.id);
}
