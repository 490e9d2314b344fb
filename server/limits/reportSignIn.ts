import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { accountsChangedForUser } from '../registrations/accountsChanged';
import { closeSignInRequest } from '../signin/requests/closeSignInRequest';
import type { Device, SignInRequest, User } from '../storage/model';
import { requestSources } from './limitSources';
import { reportedSourceSubject } from './pushBudget';

/**
 * "No, it's not me" (the request is already closed as `reported`). It protects without locking
 * the person out: the sources of the reported request (IP, collector key, extension key) no
 * longer reach this user for the policy's `reportBlockMinutes`; pushes from browsers that never
 * signed the user in are held ("at risk") until the user signs in from a known browser or an
 * admin clears it; every other pending request of the user is closed at once; one audit event
 * (`fraud_report`) keeps the evidence for the admin. Known browsers and verification codes keep
 * working.
 */
export async function reportSignIn(ctx: RelayContext, request: SignInRequest, device: Device): Promise<void> {
  if (!request.userId) return;
  const now = ctx.now();
  const [tenant, user] = await Promise.all([
    ctx.storage.tenants.byId(request.tenantId),
    ctx.storage.users.byId(request.tenantId, request.userId),
  ]);
  if (!tenant || !user) return;
  const sources = requestSources(request);
  for (const source of sources) await ctx.storage.limits.add(reportedSourceSubject(tenant, user.username, source), now);
  await ctx.storage.users.update({ ...user, blockedAt: now });
  await recordAudit(ctx, {
    tenantId: tenant.id,
    type: 'fraud_report',
    outcome: 'at_risk',
    reason: 'the user reported a sign-in request as not theirs',
    userId: user.id,
    username: user.username,
    deviceId: device.id,
    method: request.kind === 'passwordless' ? 'phone_sign_in' : 'push_mfa',
    origin: request.origin,
    ip: request.ip,
    userAgent: request.userAgent,
    detail: {
      requestId: request.id,
      requestedAt: new Date(request.createdAt).toISOString(),
      location: request.context.location ?? null,
      browser: request.context.browser ?? null,
      application: request.context.applicationName ?? null,
      blockedSources: sources,
    },
  });
  await closePendingOf(ctx, request.tenantId, user.id, 'the user reported another sign-in request');
  // Each phone of the user now shows phone sign-in paused (the one that reported, and any other).
  await accountsChangedForUser(ctx, tenant.id, user.id);
}

/** Every pending request of the user ends now, each through the one close. */
export async function closePendingOf(ctx: RelayContext, tenantId: string, userId: string, why: string): Promise<void> {
  for (const pending of await ctx.storage.signInRequests.pendingForUser(tenantId, userId, ctx.now())) {
    await closeSignInRequest(ctx, pending, { status: 'cancelled', caller: { ip: '', userAgent: undefined }, why });
  }
}

/**
 * Answering and redeeming look at the user again (as read with the request, undefined: gone): a
 * request made before the user was marked at risk (or for a user who is gone) is not approved or
 * redeemed, whatever the phone says. Requests made after are held unless they came from a known
 * browser, so those may go on.
 */
export function refusalFor(request: SignInRequest, user: User | undefined): string | undefined {
  if (!user) return 'the user no longer exists';
  if (user.blockedAt !== null && request.createdAt <= user.blockedAt)
    return 'the user reported a sign-in as not theirs after this request began';
  return undefined;
}
