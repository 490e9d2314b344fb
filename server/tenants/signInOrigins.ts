import type { RelayContext } from '../context';
import type { Tenant } from '../storage/model';

/** Where the tenant's sign-in may legitimately happen: the relay itself (the hosted page) and the origins it registered. */
export function signInOriginsOf(ctx: RelayContext, tenant: Tenant): string[] {
  return [ctx.config.publicUrl, ...tenant.signInOrigins];
}

export function isSignInOrigin(ctx: RelayContext, tenant: Tenant, origin: string): boolean {
  return signInOriginsOf(ctx, tenant).includes(origin);
}
