import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SignInMethod } from '../../shared/schemas/signInRequests';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { accountsChangedForUser } from '../registrations/accountsChanged';
import type { Tenant, User } from '../storage/model';
import { knownBrowserSetCookie, knows, readKnownBrowser } from './knownBrowser';

/** The method a grant's way of signing in is remembered as (what the page offers first next time). */
const rememberedAs: Record<string, SignInMethod> = {
  phone_sign_in: 'phone_sign_in',
  push_mfa: 'password',
  verification_code: 'verification_code',
  password_and_code: 'verification_code',
  temporary_access_pass: 'temporary_access_pass',
};

/**
 * After a successful sign-in on the hosted pages: this browser becomes (or stays) a known browser
 * of the user, with the method used. A user at risk who signs in from a browser that already knew
 * them is no longer held: that is the person, from their own browser.
 */
export async function rememberBrowser(
  ctx: RelayContext,
  tenant: Tenant,
  user: User,
  method: string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const browser = readKnownBrowser(ctx, tenant, request.headers.cookie);
  const cookie = knownBrowserSetCookie(ctx, tenant, browser, user.id, rememberedAs[method] ?? null);
  // The provider may have set cookies on the raw response already: add ours beside them.
  const existing = reply.raw.getHeader('set-cookie');
  reply.raw.setHeader('set-cookie', [...(Array.isArray(existing) ? existing : existing ? [String(existing)] : []), cookie]);
  if (knows(browser, user.id) && user.blockedAt !== null) {
    await ctx.storage.users.update({ ...user, blockedAt: null });
    await recordAudit(ctx, {
      tenantId: tenant.id,
      type: 'user.risk_cleared',
      outcome: 'success',
      reason: 'signed in from a known browser',
      userId: user.id,
      username: user.username,
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
      method,
    });
    await accountsChangedForUser(ctx, tenant.id, user.id);
  }
}
