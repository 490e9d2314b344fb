import type { RelayContext } from '../../context';
import type { SignInRequest } from '../../storage/model';
import { withdrawFromPhones } from './withdrawFromPhones';

/** Withdrawals under way, per relay: what a relay that stops waits for (see createApp's onClose). */
const underWay = new WeakMap<RelayContext, Set<Promise<void>>>();

/**
 * Withdraw a closed request from its phones after the caller has answered, for a real user's
 * request and a decoy alike: the answer to a cancel or a supersede must not wait on work only a
 * real username causes, or its timing tells a real username from a mistyped one. Failures are logged.
 */
export function withdrawInBackground(ctx: RelayContext, request: SignInRequest, answeredBy?: string): void {
  const set = underWay.get(ctx) ?? new Set<Promise<void>>();
  underWay.set(ctx, set);
  const work: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
    .then(() => withdrawFromPhones(ctx, request, answeredBy))
    .catch((error) => ctx.log.warn({ err: error, requestId: request.id }, 'the closed request could not be withdrawn from the phones'))
    .finally(() => set.delete(work));
  set.add(work);
}

/** Resolves once no withdrawal is under way on this relay, or after `boundMs`. */
export async function withdrawalsSettled(ctx: RelayContext, boundMs: number): Promise<void> {
  const set = underWay.get(ctx);
  if (!set || set.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, boundMs);
  });
  await Promise.race([Promise.allSettled([...set]), bound]);
  clearTimeout(timer);
}
