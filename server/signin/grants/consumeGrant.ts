import type { RelayContext } from '../../context';
import { hashSecret } from '../../ids';
import type { Grant } from '../../storage/model';

/**
 * Use a one-time grant up: the OIDC interaction calls this to finish a sign-in. Works once, and
 * not for an account disabled (or deleted) since the grant was issued.
 */
export async function consumeGrant(ctx: RelayContext, grant: string): Promise<Grant | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(grant)) return undefined;
  const taken = await ctx.storage.grants.take(hashSecret(grant), ctx.now());
  if (!taken) return undefined;
  const user = await ctx.storage.users.byId(taken.tenantId, taken.userId);
  return user && user.disabledAt === null ? taken : undefined;
}
