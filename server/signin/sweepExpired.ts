import type { RelayContext } from '../context';
import type { SignInRequest } from '../storage/model';
import { deliveryTargets } from './availableMethods';
import { announceClosed } from './deliverSignInRequest';
import { requestState } from './requestMessages';

/** Close every pending request past its expiry and tell whoever is waiting on it. */
export async function sweepExpired(ctx: RelayContext): Promise<SignInRequest[]> {
  const expired = await ctx.storage.signInRequests.expireDue(ctx.now());
  for (const request of expired) {
    ctx.events.publishRequest(requestState(request));
    if (request.deliverable && request.userId) {
      const registrations = await ctx.storage.registrations.listForUser(request.tenantId, request.userId);
      await announceClosed(ctx, request, deliveryTargets(request.kind, registrations));
    }
  }
  return expired;
}
