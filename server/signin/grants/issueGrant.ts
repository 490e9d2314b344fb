import { randomBytes } from 'node:crypto';
import type { SignInGrant } from '../../../shared/schemas/grants';
import type { RelayContext } from '../../context';
import { ProblemError } from '../../http/problem';
import { hashSecret, newId } from '../../ids';
import type { Grant, Tenant, User } from '../../storage/model';

/** How long a one-time grant may wait to be consumed by the page that finishes the sign-in. */
const grantLifetimeMs = 5 * 60_000;

/**
 * RFC 8176 `amr` values for each way of signing in (README: "amr"). `tap` is Nod's own value: a
 * Temporary Access Pass, a one-time (`otp`-like) secret an admin issued, never a password.
 */
const amrFor: Record<string, string[]> = {
  phone_sign_in: ['pop', 'user', 'mfa'],
  push_mfa: ['pwd', 'pop', 'mfa'],
  verification_code: ['otp'],
  password_and_code: ['pwd', 'otp', 'mfa'],
  temporary_access_pass: ['otp', 'tap'],
};

/** The `amr` of a way of signing in, with the first factor it really had (a pass instead of a password). */
export function amrOf(method: keyof typeof amrFor, firstFactor: 'password' | 'temporary_access_pass' | null = null): string[] {
  const amr = amrFor[method];
  if (firstFactor !== 'temporary_access_pass' || !amr.includes('pwd')) return amr;
  return [...new Set(amr.flatMap((value) => (value === 'pwd' ? ['otp', 'tap'] : [value])))];
}

/**
 * A one-time grant, not stored yet: the record to store and the answer to give once it is. For a
 * caller that stores it in a transaction of its own (redeem stores it with the request's change).
 */
export function prepareGrant(
  ctx: RelayContext,
  tenant: Tenant,
  user: User,
  method: keyof typeof amrFor,
  requestId: string | null,
  firstFactor: 'password' | 'temporary_access_pass' | null = null,
): { record: Grant; answer: SignInGrant } {
  // Every way of signing in ends here: an account an admin disabled gets no grant, whatever it proved.
  if (user.disabledAt !== null) throw new ProblemError('account_disabled', 'This account is disabled. Ask your admin.');
  const grant = randomBytes(32).toString('base64url');
  const now = ctx.now();
  const amr = amrOf(method, firstFactor);
  return {
    record: {
      id: newId(),
      secretHash: hashSecret(grant),
      tenantId: tenant.id,
      userId: user.id,
      requestId,
      method,
      amr,
      createdAt: now,
      expiresAt: now + grantLifetimeMs,
      usedAt: null,
    },
    answer: {
      grant,
      tenant: tenant.name,
      username: user.username,
      amr,
      method,
      expiresAt: new Date(now + grantLifetimeMs).toISOString(),
    },
  };
}

/** Make a one-time grant and store it. */
export async function issueGrant(
  ctx: RelayContext,
  tenant: Tenant,
  user: User,
  method: keyof typeof amrFor,
  requestId: string | null,
  firstFactor: 'password' | 'temporary_access_pass' | null = null,
): Promise<SignInGrant> {
  const { record, answer } = prepareGrant(ctx, tenant, user, method, requestId, firstFactor);
  await ctx.storage.grants.create(record);
  return answer;
}
