import type { RelayContext } from '../context';
import { closeSignInRequest } from '../signin/requests/closeSignInRequest';
import type { Tenant, User } from '../storage/model';

/**
 * What an admin's disable, delete or "lost phone" does to the sign-ins already under way: the
 * user's pending sign-in requests close (withdrawn from the phones, the desktop told), and the
 * user's sessions, grants and tokens at every client end.
 */
export async function endSignIns(ctx: RelayContext, tenant: Tenant, user: User, why: string): Promise<void> {
  for (const request of await ctx.storage.signInRequests.pendingForUser(tenant.id, user.id, ctx.now())) {
    await closeSignInRequest(ctx, request, { status: 'cancelled', admin: why });
  }
  await ctx.storage.oidcRecords.revokeAccount(user.id);
}
