import { generateRegistrationOptions } from '@simplewebauthn/server';
import { fromBase64Url } from '../../shared/base64url';
import type { z } from 'zod';
import type { EnrollmentStarted, enrollmentStart } from '../../shared/schemas/enrollment';
import type { RelayContext } from '../context';
import { ProblemError } from '../http/problem';
import { hashSecret, newId } from '../ids';
import { allowsPushMfa } from '../policy/evaluatePolicy';
import { policyForUser } from '../policy/policyForUser';
import { guardSecret } from '../limits/guardSecret';
import { limitSources } from '../limits/limitSources';
import { limitsFor } from '../limits/limitsFor';
import type { Tenant, User } from '../storage/model';
import { type RedeemOptions, redeemTemporaryAccessPass } from '../tap/redeemTemporaryAccessPass';

/** A pass at enrollment goes through the guessing limits like any other (in a tenant that exists). */
async function guardedPass(
  ctx: RelayContext,
  body: { tenant: string; username: string; temporaryAccessPass: string },
  where: RedeemOptions,
): ReturnType<typeof redeemTemporaryAccessPass> {
  const redeem = () => redeemTemporaryAccessPass(ctx, body.tenant, body.username, body.temporaryAccessPass, { ...where, consume: false });
  const tenant = await ctx.storage.tenants.byName(body.tenant);
  if (!tenant) return redeem();
  const username = body.username.toLowerCase();
  const [user, policy] = await Promise.all([ctx.storage.users.byName(tenant.id, username), ctx.storage.policies.get(tenant.id)]);
  const caller = { ip: where.ip ?? '', userAgent: where.userAgent };
  const who = limitSources(ctx, tenant, user, caller);
  let refusal: unknown;
  const redeemed = await guardSecret(
    ctx,
    { tenant, username, factor: 'temporary_access_pass', who, caller, limits: limitsFor(policy) },
    () =>
      redeem().catch((error) => {
        if (!(error instanceof ProblemError)) throw error;
        refusal = error;
        return undefined;
      }),
  );
  if (!redeemed) throw refusal;
  return redeemed;
}

/** How long the phone has to create its credential once the enrollment started. */
const sessionLifetimeMs = 10 * 60_000;

/**
 * Begin adding a work or school account on a phone: with a Temporary Access Pass (direct) or a
 * one-time enrollment code from My Sign-ins (guided, refused where the user's mode is
 * `passwordless`, as the seed says). Answers WebAuthn registration options for a platform
 * credential with user verification required and no attestation.
 */
export async function startEnrollment(
  ctx: RelayContext,
  body: z.output<typeof enrollmentStart>,
  where: RedeemOptions = {},
): Promise<EnrollmentStarted> {
  let tenant: Tenant;
  let user: User;
  let via: 'temporary_access_pass' | 'enrollment_code';
  let passId: string | null = null;
  if ('enrollmentCode' in body) {
    const code = await ctx.storage.enrollment.takeCode(hashSecret(body.enrollmentCode), ctx.now());
    const found = code && (await ctx.storage.tenants.byId(code.tenantId));
    const owner = code && found && (await ctx.storage.users.byId(found.id, code.userId));
    if (!found || !owner)
      throw new ProblemError('enrollment_invalid', 'The enrollment link has expired or was used. Make a new one in My Sign-ins.');
    tenant = found;
    user = owner;
    via = 'enrollment_code';
  } else {
    const redeemed = await guardedPass(ctx, body, where);
    ({ tenant, user } = redeemed);
    passId = redeemed.pass.id;
    via = 'temporary_access_pass';
  }
  const { decision } = await policyForUser(ctx, tenant, user);
  if (!decision.allowed) {
    throw new ProblemError('enrollment_not_allowed', 'Your organization has not enabled the Authenticator app for you.', {
      privateDetail: decision.reason,
    });
  }
  if (via === 'enrollment_code' && !allowsPushMfa(decision.mode)) {
    throw new ProblemError(
      'enrollment_not_allowed',
      'The Authenticator app can be added from My Sign-ins only when your mode is Any or Push; sign in on the phone with a Temporary Access Pass instead.',
    );
  }
  const existing = await ctx.storage.registrations.listForUser(tenant.id, user.id);
  const options = await generateRegistrationOptions({
    rpName: tenant.displayName,
    rpID: ctx.config.rpId,
    userName: `${user.username}`,
    userDisplayName: user.displayName,
    userID: fromBase64Url(user.id) as Uint8Array<ArrayBuffer>,
    attestationType: 'none',
    timeout: 120_000,
    excludeCredentials: existing.map((r) => ({ id: r.credentialId })),
    authenticatorSelection: { authenticatorAttachment: 'platform', residentKey: 'preferred', userVerification: 'required' },
    supportedAlgorithmIDs: [-7],
  });
  const enrollmentId = newId();
  await ctx.storage.enrollment.createSession({
    id: enrollmentId,
    tenantId: tenant.id,
    userId: user.id,
    challenge: options.challenge,
    via,
    passId,
    expiresAt: ctx.now() + sessionLifetimeMs,
  });
  return {
    enrollmentId,
    tenant: tenant.name,
    tenantDisplayName: tenant.displayName,
    username: user.username,
    displayName: user.displayName,
    options,
  };
}
