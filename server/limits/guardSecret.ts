import type { FatigueLimits } from '../../shared/schemas/policy';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import type { CallerInfo } from '../signin/callerInfo';
import type { LimitSubject, Tenant } from '../storage/model';
import type { LimitSources } from './limitSources';
import { backOffMs, tooManyAttempts } from './tooManyAttempts';

/** The guessable secrets the limiter counts, each on its own: a lock of one leaves the others working. */
export type GuessedFactor = 'code' | 'password' | 'temporary_access_pass' | 'enrollment_code';

/** The longest wait of the back-off: 15 minutes. */
const maxBackOffMs = 15 * 60_000;

export const failureKind = (factor: GuessedFactor) => `failures:${factor}`;
export const failureSubject = (tenant: Tenant, username: string, factor: GuessedFactor, lane: string): LimitSubject => ({
  key: `failures:${factor}|${tenant.id}|${username}|${lane}`,
  kind: failureKind(factor),
  tenantId: tenant.id,
  username,
});
const sourceSubject = (tenant: Tenant, source: string): LimitSubject => ({
  key: `source-failures|${tenant.id}|${source}`,
  kind: 'source-failures',
  tenantId: tenant.id,
  username: null,
});

export interface GuessAttempt {
  tenant: Tenant;
  /** The account guessed at, as typed (lower-cased): unknown usernames are counted like real ones. */
  username: string;
  factor: GuessedFactor;
  who: LimitSources;
  caller: CallerInfo;
  limits: FatigueLimits;
}

/**
 * One limiter for every guessable secret (NIST SP 800-63B-4 §3.2.2): per account, consecutive
 * failures of this factor from this lane, with a wait that doubles from the `failuresBeforeBackOff`th
 * and a lock at `lockAfterFailures` until a stronger sign-in or an admin reset; per source (IP,
 * collector key, extension key), failures across accounts in a window. The attempt is counted
 * before the check (compare-and-set: concurrent guesses cannot all slip through) and the count
 * starts over when the check passes. Refusals are `tooManyAttempts`, the same for every username.
 * Returns what `check` returned, or undefined when it failed (the caller answers as it always does).
 */
export async function guardSecret<T>(
  ctx: RelayContext,
  attempt: GuessAttempt,
  check: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const { tenant, limits, who } = attempt;
  const now = ctx.now();
  const windowMs = limits.sourceWindowMinutes * 60_000;
  // A known browser of this user is a source of its own: someone else's spray from its IP does not stop it.
  if (!who.known) {
    for (const source of who.sources) {
      const found = await ctx.storage.limits.count(sourceSubject(tenant, source).key, now - windowMs);
      if (found.count >= limits.failuresPerSource) {
        throw tooManyAttempts((found.oldest ?? now) + windowMs - now, `source ${source}: ${found.count} failures`);
      }
    }
  }
  const subject = failureSubject(tenant, attempt.username, attempt.factor, who.lane);
  const counter = await ctx.storage.limits.counter(subject.key);
  const count = counter?.count ?? 0;
  if (count >= limits.lockAfterFailures) {
    throw tooManyAttempts(maxBackOffMs, `${subject.key}: locked after ${count} failures`);
  }
  const waitMs = backOffMs(count, limits.failuresBeforeBackOff, limits.failureBackOffSeconds * 1000, maxBackOffMs);
  if (counter && counter.lastAt + waitMs > now) {
    throw tooManyAttempts(counter.lastAt + waitMs - now, `${subject.key}: back-off after ${count} failures`);
  }
  if (!(await ctx.storage.limits.takeAttempt(subject, count, now))) {
    throw tooManyAttempts(1000, `${subject.key}: another attempt at the same moment`);
  }
  const result = await check();
  if (result !== undefined) {
    await ctx.storage.limits.clear([subject.key]);
    return result;
  }
  const failures = count + 1;
  for (const source of who.known ? [] : who.sources) {
    await ctx.storage.limits.admit(
      [{ subject: sourceSubject(tenant, source), limit: Number.MAX_SAFE_INTEGER, since: now - windowMs }],
      now,
    );
    const after = await ctx.storage.limits.count(sourceSubject(tenant, source).key, now - windowMs);
    if (after.count === limits.failuresPerSource) {
      await limitHit(ctx, attempt, 'source_limited', { source, failures: after.count, windowMinutes: limits.sourceWindowMinutes });
    }
  }
  if (failures === limits.failuresBeforeBackOff) await limitHit(ctx, attempt, 'back_off', { failures, lane: who.lane });
  if (failures === limits.lockAfterFailures) await limitHit(ctx, attempt, 'locked', { failures, lane: who.lane });
  return undefined;
}

/** Every limit that starts holding is one audit event (`limit.hit`), with what it counted. */
async function limitHit(ctx: RelayContext, attempt: GuessAttempt, outcome: string, detail: Record<string, unknown>): Promise<void> {
  await recordAudit(ctx, {
    tenantId: attempt.tenant.id,
    type: 'limit.hit',
    outcome,
    reason: `${attempt.factor}: ${outcome.replace('_', ' ')}`,
    username: attempt.username,
    method: attempt.factor,
    ip: attempt.caller.ip,
    userAgent: attempt.caller.userAgent ?? null,
    detail: { factor: attempt.factor, ...detail },
  });
}
