import type { HostedUsernameAnswer } from '../../shared/schemas/hostedPages';
import { signInMethods, type SignInMethod } from '../../shared/schemas/signInRequests';
import type { RelayContext } from '../context';
import { allowsPhoneSignIn } from '../policy/evaluatePolicy';
import { policyForUser } from '../policy/policyForUser';
import { decoyMethods, signInMethodsFor } from '../signin/methods/signInMethodsFor';
import type { Tenant } from '../storage/model';

const isMethod = (value: string | null): value is SignInMethod => signInMethods.includes(value as SignInMethod);

/**
 * What the hosted page offers after **Next**: the ways this user may sign in now, and the one
 * they used last. An unknown username gets the decoy list a typical member has.
 */
export async function describeMethods(ctx: RelayContext, tenant: Tenant, username: string): Promise<HostedUsernameAnswer> {
  const user = await ctx.storage.users.byName(tenant.id, username);
  if (!user) return { username, methods: [...decoyMethods], lastMethod: null, codeNeedsFirstFactor: false };
  const [{ decision }, registrations] = await Promise.all([
    policyForUser(ctx, tenant, user),
    ctx.storage.registrations.listForUser(tenant.id, user.id),
  ]);
  const methods = signInMethodsFor(user, decision, registrations);
  return {
    username: user.username,
    methods,
    lastMethod: isMethod(user.lastMethod) && methods.includes(user.lastMethod) ? user.lastMethod : null,
    codeNeedsFirstFactor: !allowsPhoneSignIn(decision.mode) || user.kind === 'guest',
  };
}
