import { displayText } from '../../shared/displayText';
import type { RegisteredBrowserView } from '../../shared/schemas/devices';
import type { AuditInput } from '../audit/auditEvent';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { ProblemError } from '../http/problem';
import { accountsChangedForUser } from '../registrations/accountsChanged';
import type { User } from '../storage/model';

/**
 * A user's registered browsers: Nod browser extensions the user trusted on the phone (trustBrowser) or
 * added with a Temporary Access Pass. Listed and removed in one place for My Sign-ins, the phone and
 * the admin API; adding happens only in those two authenticated steps.
 */
export async function listRegisteredBrowsers(ctx: RelayContext, user: User): Promise<RegisteredBrowserView[]> {
  return (await ctx.storage.devices.browsersOfUser(user.tenantId, user.id)).map(({ device, registeredAt }) => ({
    id: device.id,
    name: displayText(device.name, 60) || 'A browser',
    registeredAt: new Date(registeredAt).toISOString(),
    lastSeenAt: device.lastSeenAt === null ? null : new Date(device.lastSeenAt).toISOString(),
  }));
}

/**
 * A browser becomes registered for the user, through one of the two authenticated steps (the
 * phone's trust after an approval, a Temporary Access Pass): stored, audited as
 * `browser.registered`, and the user's phones, which list the user's browsers, are told.
 */
export async function addRegisteredBrowser(
  ctx: RelayContext,
  user: Pick<User, 'id' | 'tenantId' | 'username'>,
  browserId: string,
  audit: Pick<AuditInput, 'method' | 'origin' | 'ip' | 'userAgent' | 'detail'>,
): Promise<void> {
  await ctx.storage.devices.addBrowserUser(browserId, user.id, ctx.now());
  await recordAudit(ctx, {
    tenantId: user.tenantId,
    type: 'browser.registered',
    outcome: 'success',
    userId: user.id,
    username: user.username,
    deviceId: browserId,
    ...audit,
  });
  await accountsChangedForUser(ctx, user.tenantId, user.id);
}

/** Ends a browser's registration for the user: its requests are "not checked" again, and refused where the tenant requires one. */
export async function removeRegisteredBrowser(
  ctx: RelayContext,
  user: User,
  browserId: string,
  by: { via: 'my-sign-ins' | 'phone' | 'admin'; ip?: string | null; userAgent?: string | null; detail?: Record<string, unknown> },
): Promise<void> {
  if (!(await ctx.storage.devices.removeBrowserUser(user.tenantId, browserId, user.id))) {
    throw new ProblemError('not_found', 'That browser is not registered for this account.');
  }
  await recordAudit(ctx, {
    tenantId: user.tenantId,
    type: 'browser.removed',
    outcome: 'success',
    userId: user.id,
    username: user.username,
    deviceId: browserId,
    ip: by.ip ?? null,
    userAgent: by.userAgent ?? null,
    detail: { by: by.via, ...by.detail },
  });
  // The phones list the user's browsers.
  await accountsChangedForUser(ctx, user.tenantId, user.id);
}
