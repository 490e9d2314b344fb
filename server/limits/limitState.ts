import type { UserLimitStatus } from '../../shared/schemas/directory';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { accountsChangedForUser } from '../registrations/accountsChanged';
import type { StoredPolicy, Tenant, User } from '../storage/model';
import { failureKind } from './guardSecret';
import { limitsFor } from './limitsFor';
import { backOffMs } from './tooManyAttempts';

const iso = (ms: number) => new Date(ms).toISOString();
const factors = ['code', 'password', 'temporary_access_pass', 'enrollment_code'] as const;
const lastPart = (key: string) => key.slice(key.lastIndexOf('|') + 1);

/** What holds for a user now (the admin's `user status`): locks, back-off, push budgets, blocked sources, reports. */
export async function userLimitState(
  ctx: RelayContext,
  tenant: Tenant,
  user: User,
  policy: StoredPolicy | undefined,
): Promise<UserLimitStatus> {
  const limits = limitsFor(policy);
  const now = ctx.now();
  const pushWindowMs = limits.pushWindowMinutes * 60_000;
  const { counters, windows } = await ctx.storage.limits.forUser(tenant.id, user.username, now - pushWindowMs);
  const failures = counters
    .filter((c) => c.kind.startsWith('failures:'))
    .map((c) => {
      const wait = backOffMs(c.count, limits.failuresBeforeBackOff, limits.failureBackOffSeconds * 1000, 15 * 60_000);
      return {
        factor: c.kind.slice('failures:'.length),
        lane: lastPart(c.key),
        count: c.count,
        locked: c.count >= limits.lockAfterFailures,
        waitUntil: c.lastAt + wait > now ? iso(c.lastAt + wait) : null,
      };
    });
  const lanes = new Set([
    ...windows.filter((w) => w.kind === 'pushes').map((w) => lastPart(w.key)),
    ...counters.filter((c) => c.kind === 'unanswered').map((c) => lastPart(c.key)),
  ]);
  const pushes = [...lanes].map((lane) => {
    const window = windows.find((w) => w.kind === 'pushes' && lastPart(w.key) === lane);
    const unanswered = counters.find((c) => c.kind === 'unanswered' && lastPart(c.key) === lane);
    const wait = unanswered
      ? backOffMs(unanswered.count, limits.unansweredBeforeBackOff, limits.pushBackOffSeconds * 1000, pushWindowMs)
      : 0;
    const backOffUntil = unanswered && unanswered.lastAt + wait > now ? unanswered.lastAt + wait : 0;
    const budgetUntil = window && window.count >= limits.pushesPerUser ? window.oldest + pushWindowMs : 0;
    const until = Math.max(backOffUntil, budgetUntil);
    return { lane, inWindow: window?.count ?? 0, unanswered: unanswered?.count ?? 0, coolDownUntil: until > now ? iso(until) : null };
  });
  const blockedSources = counters
    .filter((c) => c.kind === 'reported-source' && c.lastAt + limits.reportBlockMinutes * 60_000 > now)
    .map((c) => ({ source: lastPart(c.key), until: iso(c.lastAt + limits.reportBlockMinutes * 60_000) }));
  const reports = (await ctx.storage.audit.list({ tenantId: tenant.id, username: user.username, type: 'fraud_report', limit: 20 })).map(
    (e) => {
      const text = (value: unknown) => (typeof value === 'string' ? value : null);
      return {
        at: iso(e.at),
        ip: e.ip,
        browser: text(e.detail?.browser),
        location: text(e.detail?.location),
        application: text(e.detail?.application),
        origin: e.origin,
      };
    },
  );
  return {
    username: user.username,
    atRisk: user.blockedAt !== null,
    atRiskSince: user.blockedAt === null ? null : iso(user.blockedAt),
    failures,
    pushes,
    blockedSources,
    reports,
  };
}

/** The admin's `user reset-limits`: failure counts and locks, push budgets and back-off start over. One audit event. */
export async function resetLimits(ctx: RelayContext, tenant: Tenant, user: User, by: string): Promise<void> {
  await ctx.storage.limits.resetUser(tenant.id, user.username, [...factors.map(failureKind), 'pushes', 'unanswered']);
  await recordAudit(ctx, {
    tenantId: tenant.id,
    type: 'limits.reset',
    outcome: 'success',
    userId: user.id,
    username: user.username,
    detail: { adminToken: by },
  });
}

/** The admin's `user clear-risk`: pushes are no longer held and reported sources reach the user again. One audit event. */
export async function clearRisk(ctx: RelayContext, tenant: Tenant, user: User, by: string): Promise<User> {
  const cleared = { ...user, blockedAt: null };
  await ctx.storage.users.update(cleared);
  await ctx.storage.limits.resetUser(tenant.id, user.username, ['reported-source']);
  await recordAudit(ctx, {
    tenantId: tenant.id,
    type: 'user.risk_cleared',
    outcome: 'success',
    reason: 'cleared by an admin',
    userId: user.id,
    username: user.username,
    detail: { adminToken: by },
  });
  await accountsChangedForUser(ctx, tenant.id, user.id);
  return cleared;
}
