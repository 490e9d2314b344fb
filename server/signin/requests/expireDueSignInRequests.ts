import type { RelayContext } from '../../context';
import { closeSignInRequest } from './closeSignInRequest';

/** How many due requests one storage read takes. */
const batch = 100;

/**
 * Expire every request that is due now, one by one through the one close (which tells the
 * desktop and the phones). Safe to run on several relays at once: each request is expired by
 * exactly one of them. Returns how many this call expired.
 */
export async function expireDueSignInRequests(ctx: RelayContext): Promise<number> {
  let expired = 0;
  for (;;) {
    const due = await ctx.storage.signInRequests.dueForExpiry(ctx.now(), batch);
    let won = 0;
    for (const request of due) {
      if (await closeSignInRequest(ctx, request, { status: 'expired' })) won++;
    }
    expired += won;
    // A full batch that another close (another relay) ended entirely: leave the rest to it and the next wake.
    if (due.length < batch || won === 0) return expired;
  }
}
