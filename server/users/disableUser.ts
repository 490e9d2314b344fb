import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { accountsChangedForUser } from '../registrations/accountsChanged';
import type { Tenant, User } from '../storage/model';
import { endSignIns } from './endSignIns';

/** Who disabled or enabled the account (the admin token), for the audit record. */
export interface ChangedBy {
  adminToken: string;
}

/**
 * Disable (Entra's "block sign-in"): no sign-in by any method, no enrollment, and what was under
 * way ends (requests, sessions). Done again on a disabled user, it closes what slipped in
 * meanwhile. The user's phones are told at once: they show the account as blocked.
 */
export async function disableUser(ctx: RelayContext, tenant: Tenant, user: User, by: ChangedBy): Promise<User> {
  const disabled = { ...user, disabledAt: user.disabledAt ?? ctx.now() };
  if (user.disabledAt === null) {
    await ctx.storage.users.update(disabled);
    await recordAudit(ctx, {
      tenantId: tenant.id,
      type: 'user.disabled',
      outcome: 'success',
      userId: user.id,
      username: user.username,
      detail: { adminToken: by.adminToken },
    });
  }
  await endSignIns(ctx, tenant, disabled, 'the account was disabled by an admin');
  if (user.disabledAt === null) await accountsChangedForUser(ctx, tenant.id, user.id);
  return disabled;
}

/** Enable: the account signs in again; its phones are told at once. */
export async function enableUser(ctx: RelayContext, tenant: Tenant, user: User, by: ChangedBy): Promise<User> {
  const enabled = { ...user, disabledAt: null };
  if (user.disabledAt !== null) {
    await ctx.storage.users.update(enabled);
    await recordAudit(ctx, {
      tenantId: tenant.id,
      type: 'user.enabled',
      outcome: 'success',
      userId: user.id,
      username: user.username,
      detail: { adminToken: by.adminToken },
    });
    await accountsChangedForUser(ctx, tenant.id, user.id);
  }
  return enabled;
}
