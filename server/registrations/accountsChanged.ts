import type { RelayContext } from '../context';

/**
 * Tells phones that what they show of their accounts changed, so they read
 * `GET /api/device/accounts` again at once (an `accounts` event on their live channel, on whichever
 * relay they listen). Called by the lifecycle functions after the change is stored, never by
 * routes, so every way of making a change (admin API, admin center, CLI, My Sign-ins, the phone)
 * tells the phones. No Web Push: pushes have budgets and these are not sign-in requests; a phone
 * that is closed reads its accounts when it opens.
 *
 * A notice that cannot be sent is logged, not thrown: the change is made, and the phone reads it
 * on its next open or reconnect.
 */
export async function accountsChangedOnDevices(ctx: RelayContext, deviceIds: Iterable<string>): Promise<void> {
  await Promise.all(
    [...new Set(deviceIds)].map((deviceId) =>
      ctx.events
        .publishDevice(deviceId, { type: 'accounts' })
        .catch((error) => ctx.log.warn({ err: error, deviceId }, 'could not tell a phone its accounts changed')),
    ),
  );
}

/** The devices with a registration of the user (read before a change that removes them). */
export async function devicesOfUser(ctx: RelayContext, tenantId: string, userId: string): Promise<string[]> {
  return (await ctx.storage.registrations.listForUser(tenantId, userId)).map((r) => r.deviceId);
}

/** Something about the user changed (disabled, at risk, a group, a browser): each of the user's phones reads again. */
export async function accountsChangedForUser(ctx: RelayContext, tenantId: string, userId: string): Promise<void> {
  await accountsChangedOnDevices(ctx, await devicesOfUser(ctx, tenantId, userId));
}

/** The tenant's policy changed: every phone of the tenant reads again, paced by each relay. */
export async function accountsChangedForTenant(ctx: RelayContext, tenantId: string): Promise<void> {
  await ctx.events
    .publishTenant(tenantId, { type: 'accounts' })
    .catch((error) => ctx.log.warn({ err: error, tenantId }, 'could not tell the phones of a tenant its policy changed'));
}
