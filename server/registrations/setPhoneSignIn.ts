import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { ProblemError } from '../http/problem';
import { allowsPhoneSignIn } from '../policy/evaluatePolicy';
import { policyForUser } from '../policy/policyForUser';
import type { Device, Registration } from '../storage/model';

/** The registration of this device, or a 404 that says nothing about other devices' registrations. */
export async function requireOwnRegistration(ctx: RelayContext, device: Device, registrationId: string): Promise<Registration> {
  const registration = await ctx.storage.registrations.byId(registrationId);
  if (!registration || registration.deviceId !== device.id) {
    throw new ProblemError('registration_not_found', 'This device holds no such account.');
  }
  return registration;
}

/**
 * "Enable phone sign-in" for one account on this device. Refused for guest accounts, for users
 * the policy does not allow passwordless (mode `push`, excluded, not targeted) and for users
 * blocked after a fraud report. Disabling is always allowed.
 */
export async function setPhoneSignIn(
  ctx: RelayContext,
  device: Device,
  registrationId: string,
  enabled: boolean,
): Promise<{ phoneSignInEnabled: boolean }> {
  const registration = await requireOwnRegistration(ctx, device, registrationId);
  const tenant = await ctx.storage.tenants.byId(registration.tenantId);
  const user = tenant && (await ctx.storage.users.byId(tenant.id, registration.userId));
  if (!tenant || !user) throw new ProblemError('registration_not_found', 'This device holds no such account.');
  if (enabled) {
    const refuse = (detail: string, reason: string) =>
      recordAudit(ctx, {
        tenantId: tenant.id,
        type: 'phone_sign_in.enable',
        outcome: 'refused',
        reason,
        userId: user.id,
        username: user.username,
        deviceId: device.id,
      }).then(() => {
        throw new ProblemError('phone_sign_in_not_allowed', detail);
      });
    if (user.kind === 'guest') await refuse('Guest accounts cannot use phone sign-in.', 'guest');
    if (user.blockedAt !== null) {
      await refuse('Phone sign-in is blocked after a sign-in was reported as fraudulent. Ask your admin to clear it.', 'blocked');
    }
    const { decision } = await policyForUser(ctx, tenant, user);
    if (!decision.allowed) await refuse('Your organization has not enabled the Authenticator app for you.', decision.reason);
    if (!allowsPhoneSignIn(decision.mode)) {
      await refuse('Your organization allows the Authenticator app only to approve a second step, not for phone sign-in.', 'mode push');
    }
  }
  await ctx.storage.registrations.setPhoneSignIn(registration.id, enabled);
  await recordAudit(ctx, {
    tenantId: tenant.id,
    type: enabled ? 'phone_sign_in.enable' : 'phone_sign_in.disable',
    outcome: 'success',
    userId: user.id,
    username: user.username,
    deviceId: device.id,
  });
  return { phoneSignInEnabled: enabled };
}
