import type { FatigueLimits } from '../../shared/schemas/policy';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import type { CallerInfo } from '../signin/callerInfo';
import type { LimitSubject, Tenant, User } from '../storage/model';
import type { LimitSources } from './limitSources';
import { backOffMs } from './tooManyAttempts';

/** What the push budget says about a new sign-in request. */
export type PushVerdict =
  /** Over a budget or in back-off: the desktop is told `cool_down` until `retryAt`; the phone gets nothing. */
  | { outcome: 'cool_down'; retryAt: number; reason: string }
  /** Within budget, but not to be delivered (a reported source, or a user whose pushes are held): it looks like any other. */
  | { outcome: 'held'; reason: string }
  | { outcome: 'push' };

const userWindow = (tenant: Tenant, username: string, lane: string): LimitSubject => ({
  key: `pushes|${tenant.id}|${username}|${lane}`,
  kind: 'pushes',
  tenantId: tenant.id,
  username,
});
const sourceWindow = (tenant: Tenant, source: string): LimitSubject => ({
  key: `source-pushes|${tenant.id}|${source}`,
  kind: 'source-pushes',
  tenantId: tenant.id,
  username: null,
});
export const unansweredSubject = (tenant: Tenant, username: string, lane: string): LimitSubject => ({
  key: `unanswered|${tenant.id}|${username}|${lane}`,
  kind: 'unanswered',
  tenantId: tenant.id,
  username,
});
export const reportedSourceSubject = (tenant: Tenant, username: string, source: string): LimitSubject => ({
  key: `reported-source|${tenant.id}|${username}|${source}`,
  kind: 'reported-source',
  tenantId: tenant.id,
  username,
});

/**
 * Push budgets, charged to whoever asks (NIST SP 800-63B-4: limit the pushes sent since the last
 * successful authentication). Per user and lane, a sliding window counts every request let
 * through — superseded, cancelled, expired and answered alike — and pushes that ended in no
 * sign-in back off (each further one waits twice as long) until a sign-in succeeds. Per source
 * (IP, collector key, extension key), a window counts the requests it made to any user. A known
 * browser of the user has a lane of its own and is no source for anyone else's budget: a flood
 * from elsewhere never cools it down. The same for unknown usernames: the budget is no oracle.
 */
export async function admitPush(
  ctx: RelayContext,
  tenant: Tenant,
  username: string,
  user: User | undefined,
  who: LimitSources,
  caller: CallerInfo,
  limits: FatigueLimits,
): Promise<PushVerdict> {
  const now = ctx.now();
  const windowMs = limits.pushWindowMinutes * 60_000;
  // The back-off and every source's report block, in one read.
  const unansweredKey = unansweredSubject(tenant, username, who.lane).key;
  const reportedKeys = who.known ? [] : who.sources.map((source) => reportedSourceSubject(tenant, username, source).key);
  const counters = new Map((await ctx.storage.limits.counters([unansweredKey, ...reportedKeys])).map((c) => [c.key, c]));
  const unanswered = counters.get(unansweredKey);
  if (unanswered) {
    const wait = backOffMs(unanswered.count, limits.unansweredBeforeBackOff, limits.pushBackOffSeconds * 1000, windowMs);
    if (unanswered.lastAt + wait > now)
      return { outcome: 'cool_down', retryAt: unanswered.lastAt + wait, reason: 'unanswered pushes back-off' };
  }
  const mine = userWindow(tenant, username, who.lane);
  const windows = [
    { subject: mine, limit: limits.pushesPerUser, since: now - windowMs },
    ...(who.known
      ? []
      : who.sources.map((source) => ({ subject: sourceWindow(tenant, source), limit: limits.pushesPerSource, since: now - windowMs }))),
  ];
  // An admission counts one more unanswered push in its own transaction.
  const unansweredLane = unansweredSubject(tenant, username, who.lane);
  const admitted = await ctx.storage.limits.admit(windows, now, unansweredLane);
  if (!admitted.admitted) {
    const bySource = admitted.key !== mine.key;
    return {
      outcome: 'cool_down',
      retryAt: admitted.oldest + windowMs,
      reason: bySource ? 'source push budget' : 'user push budget',
    };
  }
  // The user's window as this admission left it: exactly one admission fills it.
  const used = admitted.counts[0];
  if (used === limits.pushesPerUser) {
    await recordAudit(ctx, {
      tenantId: tenant.id,
      type: 'limit.hit',
      outcome: 'push_budget',
      reason: `push budget used up: ${used} in ${limits.pushWindowMinutes} min`,
      userId: user?.id ?? null,
      username,
      ip: caller.ip,
      userAgent: caller.userAgent ?? null,
      detail: { lane: who.lane, pushes: used, windowMinutes: limits.pushWindowMinutes },
    });
  }
  const after = admitted.bumped ?? (await ctx.storage.limits.add(unansweredLane, now));
  if (after.count === limits.unansweredBeforeBackOff) {
    await recordAudit(ctx, {
      tenantId: tenant.id,
      type: 'limit.hit',
      outcome: 'push_back_off',
      reason: `${after.count} pushes in a row without a sign-in`,
      userId: user?.id ?? null,
      username,
      ip: caller.ip,
      userAgent: caller.userAgent ?? null,
      detail: { lane: who.lane, unanswered: after.count },
    });
  }
  if (who.known) return { outcome: 'push' };
  for (const key of reportedKeys) {
    const reported = counters.get(key);
    if (reported && reported.lastAt + limits.reportBlockMinutes * 60_000 > now) return { outcome: 'held', reason: 'a reported source' };
  }
  if (user?.blockedAt != null) return { outcome: 'held', reason: 'pushes held after a report' };
  return { outcome: 'push' };
}

/** A sign-in succeeded: pushes to the user stop backing off, from every lane. */
export async function pushesAnswered(ctx: RelayContext, tenant: Tenant, user: User): Promise<void> {
  await ctx.storage.limits.resetUser(tenant.id, user.username, pushesAnsweredResets);
}

/** The limit kinds an answered push starts over (a redeem resets them in its own transaction). */
export const pushesAnsweredResets = ['unanswered'];
