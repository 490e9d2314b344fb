import { totp as totpParams } from '../../../shared/constants';
import type { z } from 'zod';
import type { SignInGrant, codeSignIn } from '../../../shared/schemas/grants';
import { base32Decode, hotp, totpStep } from '../../../shared/totp';
import { recordAudit } from '../../audit/recordAudit';
import type { RelayContext } from '../../context';
import { ProblemError } from '../../http/problem';
import { checkPassword } from '../../limits/checkPassword';
import { guardSecret } from '../../limits/guardSecret';
import { limitSources } from '../../limits/limitSources';
import { limitsFor } from '../../limits/limitsFor';
import { pushesAnswered } from '../../limits/pushBudget';
import { allowsPhoneSignIn, evaluatePolicy } from '../../policy/evaluatePolicy';
import type { Registration } from '../../storage/model';
import { redeemTemporaryAccessPass } from '../../tap/redeemTemporaryAccessPass';
import { requireTenant } from '../../tenants/requireTenant';
import { issueGrant } from './issueGrant';
import type { CallerInfo } from '../callerInfo';

/** The time step a code belongs to, within ±1 step of now (RFC 6238 §5.2), or undefined. */
async function matchingStep(registration: Registration, code: string, now: number): Promise<number | undefined> {
  const secret = base32Decode(registration.totpSecret);
  const current = totpStep(now);
  for (let step = current - totpParams.acceptedSkewSteps; step <= current + totpParams.acceptedSkewSteps; step++) {
    if ((await hotp(secret, step)) === code) return step;
  }
  return undefined;
}

/**
 * Journey 5: sign in with the app's verification code (offline backup). Users who may use
 * phone sign-in need only the code; users in `push` mode give their password (or a Temporary
 * Access Pass) first. Each code works once; every failure gets the same answer. Every secret
 * goes through the guessing limits (server/limits), unknown usernames alike; a one-time pass is
 * used up only once the code is right too.
 */
export async function signInWithCode(
  ctx: RelayContext,
  tenantName: string,
  body: z.output<typeof codeSignIn>,
  caller: CallerInfo,
): Promise<SignInGrant> {
  const tenant = await requireTenant(ctx, tenantName);
  const now = ctx.now();
  const invalid = async (reason: string, userId: string | null = null) => {
    await recordAudit(ctx, {
      tenantId: tenant.id,
      type: 'code_sign_in',
      outcome: 'failure',
      reason,
      userId,
      username: body.username,
      method: 'verification_code',
      ip: caller.ip,
      userAgent: caller.userAgent ?? null,
    });
    return new ProblemError('code_invalid', 'That code didn’t work. Check the code in your Authenticator app and try again.');
  };
  const user = await ctx.storage.users.byName(tenant.id, body.username);
  const subjectId = user?.id ?? 'decoy';
  const [policy, groupIds, registrations] = await Promise.all([
    ctx.storage.policies.get(tenant.id),
    ctx.storage.groups.groupIdsOf(tenant.id, subjectId),
    ctx.storage.registrations.listForUser(tenant.id, subjectId),
  ]);
  const limits = limitsFor(policy);
  const who = limitSources(ctx, tenant, user, caller);
  const attempt = { tenant, username: body.username, who, caller, limits };
  const decision = evaluatePolicy(policy, { id: subjectId }, groupIds);

  let firstFactor: 'password' | 'temporary_access_pass' | null = null;
  let pass: { id: string; oneTime: boolean } | undefined;
  if (user && decision.allowed && (!allowsPhoneSignIn(decision.mode) || user.kind === 'guest')) {
    if (body.temporaryAccessPass) {
      const presented = body.temporaryAccessPass;
      // Checked now, used up only after the code is right: a wrong code never burns a one-time pass.
      const checked = await guardSecret(ctx, { ...attempt, factor: 'temporary_access_pass' }, () =>
        redeemTemporaryAccessPass(ctx, tenant.name, user.username, presented, { ...caller, consume: false }).catch((error) => {
          // Only a refused pass; storage trouble is not a wrong pass.
          if (!(error instanceof ProblemError)) throw error;
          return undefined;
        }),
      );
      if (!checked) throw await invalid('first factor: temporary access pass', user.id);
      pass = checked.pass;
      firstFactor = 'temporary_access_pass';
    } else {
      if (!(await checkPassword(ctx, { ...attempt, factor: 'password' }, body.password, user.passwordHash))) {
        throw await invalid('first factor: password', user.id);
      }
      firstFactor = 'password';
    }
  }
  const matched = await guardSecret(ctx, { ...attempt, factor: 'code' }, async () => {
    if (!user || !decision.allowed) return undefined;
    for (const registration of registrations) {
      const step = await matchingStep(registration, body.code, now);
      if (step !== undefined) return { registration, step };
    }
    return undefined;
  });
  if (!user) throw await invalid('unknown user');
  if (!decision.allowed) throw await invalid(`policy: ${decision.reason}`, user.id);
  if (!matched) throw await invalid('no registration matched the code', user.id);
  if (!(await ctx.storage.registrations.useTotpStep(matched.registration.id, matched.step, now))) {
    throw await invalid('code already used', user.id);
  }
  if (pass?.oneTime && !(await ctx.storage.temporaryAccessPasses.markUsed(pass.id, now))) {
    throw await invalid('first factor: temporary access pass used meanwhile', user.id);
  }
  await recordAudit(ctx, {
    tenantId: tenant.id,
    type: 'code_sign_in',
    outcome: 'success',
    userId: user.id,
    username: user.username,
    deviceId: matched.registration.deviceId,
    method: 'verification_code',
    ip: caller.ip,
    userAgent: caller.userAgent ?? null,
  });
  await pushesAnswered(ctx, tenant, user);
  return issueGrant(ctx, tenant, user, firstFactor ? 'password_and_code' : 'verification_code', null, firstFactor);
}
