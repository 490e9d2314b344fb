import type { RelayContext } from '../context';
import type { Tenant, User } from '../storage/model';
import { failureKind } from './guardSecret';

/** The `amr` values of a strong sign-in: a phone approval with user verification, or a Temporary Access Pass. */
export const isStrongAmr = (amr: readonly string[] | undefined) => !!amr && (amr.includes('user') || amr.includes('tap'));

/**
 * A stronger sign-in than a guessable secret (a phone approval with user verification) succeeded:
 * the user's failure counts of every guessable secret, locks included, start over, and pushes stop
 * backing off.
 */
export async function strongSignIn(ctx: RelayContext, tenant: Tenant, user: User): Promise<void> {
  await ctx.storage.limits.resetUser(tenant.id, user.username, strongSignInResets);
}

/** The limit kinds a strong sign-in starts over (a redeem resets them in its own transaction). */
export const strongSignInResets = [failureKind('code'), failureKind('password'), failureKind('temporary_access_pass'), 'unanswered'];
