import type { z } from 'zod';
import type { SignInGrant, temporaryAccessPassSignIn } from '../../../shared/schemas/grants';
import type { RelayContext } from '../../context';
import { redeemTemporaryAccessPass } from '../../tap/redeemTemporaryAccessPass';
import { issueGrant } from './issueGrant';
import type { CallerInfo } from '../callerInfo';

/** Sign in with a Temporary Access Pass alone (what a user does before any phone is set up). */
export async function signInWithTemporaryAccessPass(
  ctx: RelayContext,
  tenantName: string,
  body: z.output<typeof temporaryAccessPassSignIn>,
  caller: CallerInfo,
): Promise<SignInGrant> {
  const { tenant, user } = await redeemTemporaryAccessPass(ctx, tenantName, body.username, body.temporaryAccessPass, caller);
  return issueGrant(ctx, tenant, user, 'temporary_access_pass', null);
}
