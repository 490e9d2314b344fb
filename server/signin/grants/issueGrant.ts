import { randomBytes } from 'node:crypto';
import type { SignInGrant } from '../../../shared/schemas/grants';
import type { RelayContext } from '../../context';
import { ProblemError } from '../../http/problem';
import { hashSecret, newId } from '../../ids';
import type { Tenant, User } from '../../storage/model';

/** How long a one-time grant may wait to be consumed by the page that finishes the sign-in. */
const grantLifetimeMs = 5 * 60_000;

/** RFC 8176 `amr` values for each way of signing in. */
const amrFor: Record<string, string[]> = {
  phone_sign_in: ['pop', 'user', 'mfa'],
  push_mfa: ['pwd', 'pop', 'mfa'],
  verification_code: ['otp'],
  password_and_code: ['pwd', 'otp', 'mfa'],
  temporary_access_pass: ['otp'],
};

/** Make a one-time grant and remember the method as the user's last. */
export async function issueGrant(
  ctx: RelayContext,
  tenant: Tenant,
  user: User,
  method: keyof typeof amrFor,
  requestId: string | null,
): Promise<SignInGrant> {
  // Every way of signing in ends here: an account an admin disabled gets no grant, whatever it proved.
  if (user.disabledAt !== null) throw new ProblemError('account_disabled', 'This account is disabled. Ask your admin.');
  const grant = randomBytes(32).toString('base64url');
  const now = ctx.now();
  const amr = amrFor[method];
  await ctx.storage.grants.create({
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
  });
  const lastMethod = method.startsWith('push_mfa') ? 'password' : method === 'password_and_code' ? 'verification_code' : method;
  if (user.lastMethod !== lastMethod) await ctx.storage.users.update({ ...user, lastMethod });
  return {
    grant,
    tenant: tenant.name,
    username: user.username,
    amr,
    method,
    expiresAt: new Date(now + grantLifetimeMs).toISOString(),
  };
}
