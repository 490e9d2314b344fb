import type { FastifyInstance } from 'fastify';
import { type DeviceAccountState, deviceAccounts } from '../../shared/schemas/deviceAccounts';
import type { RelayContext } from '../context';
import { defineRoute } from '../http/defineRoute';
import { type ReplayGuard, authenticateDevice } from '../http/deviceAuth';
import { limitsFor } from '../limits/limitsFor';
import { allowsPhoneSignIn } from '../policy/evaluatePolicy';
import { policyForUser } from '../policy/policyForUser';
import type { Device, Registration } from '../storage/model';

/**
 * `GET /api/device/accounts` (device-signed): the relay's word on each account of this phone, read
 * fresh (registration, policy, a report's hold, a disabled account), so the app shows what the
 * relay does. An account removed at the organization is simply not listed. The phone reads it on
 * open, on each (re)connect of its live channel and on each `accounts` event there.
 */
export function deviceAccountRoutes(app: FastifyInstance, ctx: RelayContext, guard: ReplayGuard): void {
  defineRoute(
    app,
    {
      method: 'GET',
      url: '/api/device/accounts',
      authenticate: (request) => authenticateDevice(ctx, guard, request),
      reply: deviceAccounts,
    },
    async ({ auth }) => {
      const registrations = await ctx.storage.registrations.listForDevice(auth.id);
      const accounts = await Promise.all(registrations.map((registration) => accountState(ctx, auth, registration)));
      return { deviceId: auth.id, accounts: accounts.filter((a): a is DeviceAccountState => a !== undefined) };
    },
  );
}

async function accountState(ctx: RelayContext, device: Device, registration: Registration): Promise<DeviceAccountState | undefined> {
  if (registration.deviceId !== device.id) return undefined;
  const tenant = await ctx.storage.tenants.byId(registration.tenantId);
  const user = tenant && (await ctx.storage.users.byId(tenant.id, registration.userId));
  if (!tenant || !user) return undefined;
  const { decision, policy } = await policyForUser(ctx, tenant, user);
  const limits = limitsFor(policy);
  const now = ctx.now();
  const blockMs = limits.reportBlockMinutes * 60_000;
  const { counters } = await ctx.storage.limits.forUser(tenant.id, user.username, now - blockMs);
  const blockedUntil = Math.max(0, ...counters.filter((c) => c.kind === 'reported-source').map((c) => c.lastAt + blockMs));
  const disabled = user.disabledAt !== null;
  const phoneSignIn: DeviceAccountState['phoneSignIn'] = disabled
    ? 'blocked'
    : user.kind === 'guest' || !decision.allowed
      ? 'not_allowed'
      : !allowsPhoneSignIn(decision.mode)
        ? 'push_only'
        : user.blockedAt !== null
          ? 'paused'
          : registration.phoneSignInEnabled
            ? 'on'
            : 'off';
  return {
    registrationId: registration.id,
    phoneSignInEnabled: registration.phoneSignInEnabled,
    phoneSignIn,
    approvalsAllowed: decision.allowed && !disabled,
    disabled,
    disabledSince: user.disabledAt === null ? null : new Date(user.disabledAt).toISOString(),
    pausedSince: user.blockedAt === null ? null : new Date(user.blockedAt).toISOString(),
    reportedSourcesBlockedUntil: blockedUntil > now ? new Date(blockedUntil).toISOString() : null,
    reportBlockMinutes: limits.reportBlockMinutes,
  };
}
