/**
 * What each organization's relay says now about the accounts on this phone (`GET /api/device/accounts`),
 * and whether the phone can reach it at all. Read when the app opens, when a live channel
 * (re)connects, on every event and push, when the app comes back to the foreground and on "Try
 * again": the screens show the relay's word (a removed account, paused or push-only phone
 * sign-in), never only the phone's memory of it.
 */
import { callRelayAsDevice } from '../../../shared/relay/callRelayAsDevice';
import { isClockSkew } from '../../../shared/relay/relayClock';
import { RelayProblem, RelayUnreachable } from '../../../shared/relay/relayErrors';
import { type DeviceAccountState, deviceAccounts } from '../../../shared/schemas/deviceAccounts';
import { type Account, type Device, currentAccounts, devicesOf, updateAccount } from './accountStore';

/** One account as the relay has it: its state, `removed` when the relay no longer lists it, or not known yet. */
export type AccountView = DeviceAccountState | 'removed' | undefined;

export interface OrganizationState {
  /** By registration id. */
  accounts: ReadonlyMap<string, DeviceAccountState | 'removed'>;
  /** The devices (relay and device id) whose relay could not be reached the last time. */
  unreachable: ReadonlySet<string>;
  /**
   * The devices whose relay refused the phone's signed calls because its clock is off, even after
   * signing again on the relay's clock (shared/relay/relayClock): nothing reaches the phone until
   * the clock is right.
   */
  clockOff: ReadonlySet<string>;
}

/** What the app says while a relay refuses the phone's clock (docs/VOCABULARY.md). */
export const clockOffWords = "Your phone's clock is off — set it automatically and try again";

const deviceKey = (device: { relayUrl: string; deviceId: string }) => `${device.relayUrl} ${device.deviceId}`;

let state: OrganizationState = { accounts: new Map(), unreachable: new Set(), clockOff: new Set() };
const listeners = new Set<() => void>();

function publish(next: OrganizationState): void {
  state = next;
  for (const listener of listeners) listener();
}

export function organizationState(): OrganizationState {
  return state;
}

export function subscribeOrganizationState(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The relay's word on one account (undefined until it has been read once). */
export function accountView(registrationId: string): AccountView {
  return state.accounts.get(registrationId);
}

/** The accounts whose organization the phone cannot reach now. */
export function unreachableAccounts(accounts: Account[]): Account[] {
  return accounts.filter((account) => state.unreachable.has(deviceKey(account)));
}

/** A failure that means the relay is not there (down, a proxy's 5xx), not a refusal. */
export function isUnreachable(error: unknown): boolean {
  return error instanceof RelayUnreachable || (error instanceof RelayProblem && error.status >= 500);
}

/** Whether any of these accounts' relays refuses the phone's clock. */
export function clockIsOff(accounts: Account[]): boolean {
  return accounts.some((account) => state.clockOff.has(deviceKey(account)));
}

/** This device's relay refused the phone's clock even on its own time: said until a call gets through. */
export function markClockOff(device: { relayUrl: string; deviceId: string }): void {
  if (state.clockOff.has(deviceKey(device))) return;
  publish({ ...state, clockOff: new Set([...state.clockOff, deviceKey(device)]) });
}

/** The live channel of this device could not connect: its organization is out of reach until a call succeeds. */
export function markUnreachable(device: { relayUrl: string; deviceId: string }): void {
  if (state.unreachable.has(deviceKey(device))) return;
  publish({ ...state, unreachable: new Set([...state.unreachable, deviceKey(device)]) });
}

const inFlight = new Map<string, Promise<void>>();
const queued = new Map<string, Promise<void>>();

/**
 * Read one device's accounts from its relay, one read at a time per device. Asked while a read
 * runs, one more read follows it (what changed meanwhile, e.g. phone sign-in just turned on, is seen).
 */
export function syncDevice(device: Device): Promise<void> {
  const key = deviceKey(device);
  const running = inFlight.get(key);
  if (!running) {
    const read = readDevice(device).finally(() => inFlight.delete(key));
    inFlight.set(key, read);
    return read;
  }
  let next = queued.get(key);
  if (!next) {
    next = running.then(() => {
      queued.delete(key);
      return syncDevice(device);
    });
    queued.set(key, next);
  }
  return next;
}

async function readDevice(device: Device): Promise<void> {
  let listed: DeviceAccountState[] | undefined;
  try {
    listed = (await callRelayAsDevice(device, '/api/device/accounts', { answer: deviceAccounts })).accounts;
  } catch (error) {
    if (isUnreachable(error)) return markUnreachable(device);
    if (isClockSkew(error)) return markClockOff(device);
    // The relay no longer knows this phone's key: every account of the device is gone there.
    if (error instanceof RelayProblem && error.code === 'device_signature_invalid' && error.status === 401) listed = [];
    else return;
  }
  const accounts = new Map(state.accounts);
  for (const registrationId of device.registrationIds) {
    const found = listed.find((a) => a.registrationId === registrationId);
    accounts.set(registrationId, found ?? 'removed');
  }
  const unreachable = new Set(state.unreachable);
  unreachable.delete(deviceKey(device));
  const clockOff = new Set(state.clockOff);
  clockOff.delete(deviceKey(device));
  publish({ accounts, unreachable, clockOff });
  // Keep the phone's copy of the user's choice in step with the relay's.
  for (const found of listed) {
    const account = currentAccounts()?.find((a) => a.registrationId === found.registrationId);
    if (account && account.phoneSignInEnabled !== found.phoneSignInEnabled) {
      await updateAccount(found.registrationId, { phoneSignInEnabled: found.phoneSignInEnabled });
    }
  }
}

/** Read every device's accounts (on open, back in the foreground, "Try again"). */
export async function syncAll(accounts: Account[] | undefined = currentAccounts()): Promise<void> {
  await Promise.all(devicesOf(accounts ?? []).map((device) => syncDevice(device)));
}

/** The account is gone from the phone: forget what its relay said of it. */
export function forgetAccountView(registrationId: string): void {
  if (!state.accounts.has(registrationId)) return;
  const accounts = new Map(state.accounts);
  accounts.delete(registrationId);
  publish({ ...state, accounts });
}

/** The relay just accepted the user's choice (phone sign-in on or off): show it now, before the next read. */
export function noteChoice(registrationId: string, enabled: boolean): void {
  const view = state.accounts.get(registrationId);
  if (typeof view !== 'object' || (view.phoneSignIn !== 'on' && view.phoneSignIn !== 'off')) return;
  const accounts = new Map(state.accounts);
  accounts.set(registrationId, { ...view, phoneSignInEnabled: enabled, phoneSignIn: enabled ? 'on' : 'off' });
  publish({ ...state, accounts });
}
