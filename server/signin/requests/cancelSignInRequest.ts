import type { RelayContext } from '../../context';
import type { SignInRequest } from '../../storage/model';
import type { CallerInfo } from '../callerInfo';
import { closeSignInRequest } from './closeSignInRequest';

/**
 * The desktop gives up on its request (its collector already authenticated). Only a pending
 * request can be cancelled; cancelling one that already ended changes nothing.
 */
export async function cancelSignInRequest(ctx: RelayContext, request: SignInRequest, caller: CallerInfo): Promise<void> {
  if (request.status !== 'pending') return;
  await closeSignInRequest(ctx, request, { status: 'cancelled', caller });
}
