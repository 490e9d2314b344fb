import type { RelayContext } from '../../context';
import { hashSecret } from '../../ids';
import type { Grant } from '../../storage/model';

/** Use a one-time grant up: the OIDC interaction calls this to finish a sign-in. Works once. */
export async function consumeGrant(ctx: RelayContext, grant: string): Promise<Grant | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(grant)) return undefined;
  return ctx.storage.grants.take(hashSecret(grant), ctx.now());
}
