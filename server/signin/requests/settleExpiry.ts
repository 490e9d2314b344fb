import type { RelayContext } from '../../context';
import type { SignInRequest } from '../../storage/model';
import { closeSignInRequest } from './closeSignInRequest';

/**
 * The request as it stands now. A pending request past its expiry is closed as expired first,
 * through the one close, so a read never answers "pending" for a request whose time is up, even
 * when the expiry scheduler has not reached it yet. Reads only this request, never a sweep.
 */
export async function settleExpiry(ctx: RelayContext, request: SignInRequest): Promise<SignInRequest> {
  if (request.status !== 'pending' || request.expiresAt > ctx.now()) return request;
  const closed = await closeSignInRequest(ctx, request, { status: 'expired' });
  // Lost to another close: read what won.
  return closed ?? (await ctx.storage.signInRequests.byId(request.id)) ?? request;
}
