import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import type { Registration } from '../storage/model';
import { accountsChangedOnDevices } from './accountsChanged';

/** Who removed a method, for the audit record. */
export interface RemovedBy {
  via: 'admin' | 'my-sign-ins' | 'phone';
  username?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  detail?: Record<string, unknown>;
}

/**
 * An Authenticator app method (one account's registration on one phone) ends, whoever ends it:
 * the admin API and CLI, My Sign-ins, or the phone itself. The registration is deleted (its passkey,
 * its verification codes and phone sign-in with it), one `registration.removed` audit event is
 * kept, and the phone is told at once, so it never shows a method the relay no longer has.
 */
export async function removeRegistration(ctx: RelayContext, registration: Registration, by: RemovedBy): Promise<void> {
  // The audit record names whose method it was, whoever removed it (the phone does not say).
  const username = by.username ?? (await ctx.storage.users.byId(registration.tenantId, registration.userId))?.username ?? null;
  await ctx.storage.registrations.delete(registration.id);
  await recordAudit(ctx, {
    tenantId: registration.tenantId,
    type: 'registration.removed',
    outcome: 'success',
    userId: registration.userId,
    username,
    deviceId: registration.deviceId,
    ip: by.ip ?? null,
    userAgent: by.userAgent ?? null,
    detail: { by: by.via, registrationId: registration.id, ...by.detail },
  });
  await accountsChangedOnDevices(ctx, [registration.deviceId]);
}
