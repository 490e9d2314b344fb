import type { RelayContext } from '../context';
import { ProblemError } from '../http/problem';

/**
 * A sign-in origin belongs to one tenant across the relay: the extension trusts a page on it for that
 * tenant alone, and the relay binds approvals to it. A tenant cannot claim an origin another holds (a
 * co-tenant could otherwise host a page imitating the first tenant there with no warning). Answers a
 * 409 problem naming the field; `tenantId` is the tenant that claims (undefined for a new one).
 */
export async function claimSignInOrigins(ctx: RelayContext, tenantId: string | undefined, origins: readonly string[]): Promise<void> {
  const holders = new Map<string, string>();
  for (const tenant of await ctx.storage.tenants.list()) {
    if (tenant.id === tenantId) continue;
    for (const origin of tenant.signInOrigins) holders.set(origin, tenant.name);
  }
  const taken = origins.flatMap((origin, index) => (holders.has(origin) ? [{ origin, index }] : []));
  if (taken.length > 0) {
    throw new ProblemError('conflict', `${taken[0].origin} is already another tenant's sign-in origin.`, {
      errors: taken.map(({ index }) => ({ field: `signInOrigins[${index}]`, message: 'is a sign-in origin of another tenant' })),
      privateDetail: taken.map(({ origin }) => `${origin} held by ${holders.get(origin)}`).join(', '),
    });
  }
}
