import { totp as totpParams } from '../../../shared/constants';
import type { z } from 'zod';
import type { SignInGrant, codeSignIn } from '../../../shared/schemas/grants';
import { base32Decode, hotp, totpStep } from '../../../shared/totp';
import { recordAudit } from '../../audit/recordAudit';
import type { RelayContext } from '../../context';
import { ProblemError } from '../../http/problem';
import { allowsPhoneSignIn, evaluatePolicy } from '../../policy/evaluatePolicy';
import type { Registration } from '../../storage/model';
import { redeemTemporaryAccessPass } from '../../tap/redeemTemporaryAccessPass';
import { requireTenant } from '../../tenants/requireTenant';
import { verifyPassword } from '../../users/passwords';
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
 * Access Pass) first. Each code works once; every failure gets the same answer.
 */
export async function signInWithCode(
  ctx: RelayContext,
  tenantName: string,
  body: z.output<typeof codeSignIn>,
  caller: CallerInfo,
): Promise<SignInGrant> {
  const tenant = await requireTenant(ctx, tenantName);
  const now = ctx.now();
  const invalid = async (reason: string) => {
    await recordAudit(ctx, {
      tenantId: tenant.id,
      type: 'code_sign_in',
      outcome: 'failure',
      reason,
      username: body.username,
      method: 'verification_code',
      ip: caller.ip,
      userAgent: caller.userAgent ?? null,
    });
    return new ProblemError('code_invalid', 'That code didn’t work. Check the code in your Authenticator app and try again.');
  };
  const user = await ctx.storage.users.byName(tenant.id, body.username);
  if (!user) throw await invalid('unknown user');
  const [policy, groupIds, registrations] = await Promise.all([
    ctx.storage.policies.get(tenant.id),
    ctx.storage.groups.groupIdsOf(tenant.id, user.id),
    ctx.storage.registrations.listForUser(tenant.id, user.id),
  ]);
  const decision = evaluatePolicy(policy, user, groupIds);
  if (!decision.allowed) throw await invalid(`policy: ${decision.reason}`);
  let withFirstFactor = false;
  if (!allowsPhoneSignIn(decision.mode) || user.kind === 'guest') {
    if (body.temporaryAccessPass) {
      await redeemTemporaryAccessPass(ctx, tenant.name, user.username, body.temporaryAccessPass).catch(async (error) => {
        // Only a refused pass; storage trouble is not a wrong pass.
        if (!(error instanceof ProblemError)) throw error;
        throw await invalid('first factor: temporary access pass');
      });
    } else if (!body.password || !(await verifyPassword(body.password, user.passwordHash))) {
      throw await invalid('first factor: password');
    }
    withFirstFactor = true;
  }
  for (const registration of registrations) {
    const step = await matchingStep(registration, body.code, now);
    if (step === undefined) continue;
    if (!(await ctx.storage.registrations.useTotpStep(registration.id, step, now))) throw await invalid('code already used');
    await recordAudit(ctx, {
      tenantId: tenant.id,
      type: 'code_sign_in',
      outcome: 'success',
      userId: user.id,
      username: user.username,
      deviceId: registration.deviceId,
      method: 'verification_code',
      ip: caller.ip,
      userAgent: caller.userAgent ?? null,
    });
    return issueGrant(ctx, tenant, user, withFirstFactor ? 'password_and_code' : 'verification_code', null);
  }
  throw await invalid('no registration matched the code');
}
