import { domainOfUsername } from '../../shared/schemas/discovery';
import type { HostedUsernameAnswer } from '../../shared/schemas/hostedPages';
import type { RelayContext } from '../context';
import { knows, readKnownBrowser } from '../limits/knownBrowser';
import { allowsPhoneSignIn } from '../policy/evaluatePolicy';
import { policyForUser } from '../policy/policyForUser';
import { offeredToEveryone, signInMethodsFor } from '../signin/methods/signInMethodsFor';
import type { Tenant } from '../storage/model';

/**
 * What the hosted page offers after **Next**. Before any factor, one answer for every username —
 * unknown, excluded, at risk, push mode, no phone — the same shape, status and work. Only a known
 * browser of the user (its sealed cookie names the user) gets the ways this user may really sign
 * in, and the one used last in this browser.
 */
export async function describeMethods(
  ctx: RelayContext,
  tenant: Tenant,
  username: string,
  cookie: string | undefined,
): Promise<HostedUsernameAnswer> {
  const [user, browser] = [await ctx.storage.users.byName(tenant.id, username), readKnownBrowser(ctx, tenant, cookie)];
  const elsewhere = await otherOrganizationOf(ctx, tenant, username);
  const everyone: HostedUsernameAnswer = {
    username,
    methods: [...offeredToEveryone],
    lastMethod: null,
    codeNeedsFirstFactor: false,
    ...elsewhere,
  };
  if (!user || !knows(browser, user.id)) return everyone;
  const [{ decision }, registrations] = await Promise.all([
    policyForUser(ctx, tenant, user),
    ctx.storage.registrations.listForUser(tenant.id, user.id),
  ]);
  const methods = signInMethodsFor(user, decision, registrations);
  const last = browser.users[user.id];
  return {
    username: user.username,
    methods,
    lastMethod: last && methods.includes(last) ? last : null,
    codeNeedsFirstFactor: !allowsPhoneSignIn(decision.mode) || user.kind === 'guest',
    ...elsewhere,
  };
}

/**
 * Home realm discovery on the tenant's own page: a username whose domain another organization
 * registered belongs there (a guest here may still go on). The domain alone decides, never the user.
 */
async function otherOrganizationOf(
  ctx: RelayContext,
  tenant: Tenant,
  username: string,
): Promise<Pick<HostedUsernameAnswer, 'otherOrganization'>> {
  const domain = domainOfUsername(username);
  const holder = domain === undefined ? undefined : await ctx.storage.tenants.byDomain(domain);
  if (!holder || holder.id === tenant.id) return {};
  return { otherOrganization: { tenant: holder.name, displayName: holder.displayName } };
}
