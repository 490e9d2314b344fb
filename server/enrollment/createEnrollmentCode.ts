import { randomBytes } from 'node:crypto';
import { enrollmentCodeLifetimeSeconds } from '../../shared/constants';
import type { RelayContext } from '../context';
import { ProblemError } from '../http/problem';
import { hashSecret, newId } from '../ids';
import { allowsPushMfa } from '../policy/evaluatePolicy';
import { policyForUser } from '../policy/policyForUser';
import type { Tenant, User } from '../storage/model';

/**
 * The guided path: a one-time code (shown as a QR code and link in My Sign-ins) that a phone
 * redeems to add the account. Only where the user's mode is `any` or `push`.
 */
export async function createEnrollmentCode(
  ctx: RelayContext,
  tenant: Tenant,
  user: User,
): Promise<{ enrollmentCode: string; expiresAt: number }> {
  const { decision } = await policyForUser(ctx, tenant, user);
  if (!decision.allowed || !allowsPushMfa(decision.mode)) {
    throw new ProblemError(
      'enrollment_not_allowed',
      decision.allowed
        ? 'Your organization lets you use the Authenticator app only for passwordless sign-in, which you set up on the phone with a Temporary Access Pass.'
        : 'Your organization has not enabled the Authenticator app for you.',
    );
  }
  const enrollmentCode = randomBytes(24).toString('base64url');
  const expiresAt = ctx.now() + enrollmentCodeLifetimeSeconds * 1000;
  await ctx.storage.enrollment.createCode({
    id: newId(),
    tenantId: tenant.id,
    userId: user.id,
    secretHash: hashSecret(enrollmentCode),
    expiresAt,
    usedAt: null,
  });
  return { enrollmentCode, expiresAt };
}
