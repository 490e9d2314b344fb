import { z } from 'zod';

/**
 * Phone: what the relay holds now for each account on this device (`GET /api/device/accounts`,
 * device-signed). The phone shows this, never its own memory of it: an account the relay no
 * longer lists was removed at the organization (My Sign-ins, an admin).
 */
export const deviceAccountState = z.object({
  registrationId: z.string(),
  /** What the user chose on this phone. */
  phoneSignInEnabled: z.boolean(),
  /**
   * Whether phone sign-in can work for this account now: `on` (chosen and allowed), `off` (not
   * chosen, may be turned on), `push_only` (the organization allows only approving a second step),
   * `not_allowed` (guest, excluded, not targeted, method disabled), `paused` (after "No, it's not
   * me": requests from browsers the user never signed in with are held), `blocked` (the account is
   * disabled: no sign-in by any method).
   */
  phoneSignIn: z.enum(['on', 'off', 'push_only', 'not_allowed', 'paused', 'blocked']),
  /** Whether an admin disabled the account (Entra's "block sign-in"): no method signs it in, codes neither. */
  disabled: z.boolean(),
  /** Since when (ISO), or null. */
  disabledSince: z.string().nullable(),
  /** Whether this phone may approve requests at all (the policy allows the Authenticator app). */
  approvalsAllowed: z.boolean(),
  /** Since when the account is held after a report (ISO), or null. */
  pausedSince: z.string().nullable(),
  /** Until when the places of reported requests no longer reach the user (ISO, the latest), or null. */
  reportedSourcesBlockedUntil: z.string().nullable(),
  /** How long a report keeps a place from reaching the user (the tenant's policy). */
  reportBlockMinutes: z.number().int().positive(),
});
export type DeviceAccountState = z.infer<typeof deviceAccountState>;

export const deviceAccounts = z.object({
  deviceId: z.string(),
  accounts: z.array(deviceAccountState),
});
export type DeviceAccounts = z.infer<typeof deviceAccounts>;
