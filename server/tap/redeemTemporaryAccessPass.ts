import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { ProblemError } from '../http/problem';
import { hashSecret, sameDigest } from '../ids';
import type { Tenant, User } from '../storage/model';

/** Who presents the pass (for the audit record), and whether a one-time pass is used up now. */
export interface RedeemOptions {
  ip?: string;
  userAgent?: string;
  /**
   * Use up a one-time pass now (default). Enrollment checks the pass at the start and uses it
   * up only when the phone finishes, so a cancelled fingerprint prompt does not burn the pass.
   */
  consume?: boolean;
}

/**
 * Check a Temporary Access Pass for (tenant, username) and use it up when it is one-time.
 * Every failure — unknown tenant or user, no pass, wrong, expired, used — gets the same answer;
 * the reason goes to the audit log only.
 */
export async function redeemTemporaryAccessPass(
  ctx: RelayContext,
  tenantName: string,
  username: string,
  pass: string,
  options: RedeemOptions = {},
): Promise<{ tenant: Tenant; user: User; pass: { id: string; oneTime: boolean } }> {
  const now = ctx.now();
  const presented = hashSecret(pass);
  const tenant = await ctx.storage.tenants.byName(tenantName);
  const user = tenant ? await ctx.storage.users.byName(tenant.id, username.toLowerCase()) : undefined;
  // A disabled account's pass works for nothing (not even enrolling a phone), and is not used up.
  const stored =
    tenant && user && user.disabledAt === null ? await ctx.storage.temporaryAccessPasses.usableFor(tenant.id, user.id, now) : undefined;
  const matches = sameDigest(stored?.secretHash ?? '0'.repeat(64), presented) && stored !== undefined;
  const used =
    matches && stored.oneTime && options.consume !== false ? await ctx.storage.temporaryAccessPasses.markUsed(stored.id, now) : matches;
  if (tenant && user && stored && used) {
    await recordAudit(ctx, {
      tenantId: tenant.id,
      type: 'temporary_access_pass.redeemed',
      outcome: 'success',
      userId: user.id,
      username: user.username,
      method: 'temporary_access_pass',
      ip: options.ip ?? null,
      userAgent: options.userAgent ?? null,
    });
    return { tenant, user, pass: { id: stored.id, oneTime: stored.oneTime } };
  }
  if (tenant) {
    await recordAudit(ctx, {
      tenantId: tenant.id,
      type: 'temporary_access_pass.redeemed',
      outcome: 'failure',
      reason: !user
        ? 'unknown_user'
        : user.disabledAt !== null
          ? 'user_disabled'
          : !stored
            ? 'no_usable_pass'
            : !matches
              ? 'wrong_pass'
              : 'used_meanwhile',
      userId: user?.id ?? null,
      username: username.toLowerCase(),
      method: 'temporary_access_pass',
      ip: options.ip ?? null,
      userAgent: options.userAgent ?? null,
    });
  }
  throw new ProblemError('tap_invalid', 'Check the username and the Temporary Access Pass, or ask your admin for a new pass.');
}
