/**
 * Adding a work or school account (journey 2): start at the relay with a Temporary Access Pass
 * or an enrollment code, create the platform passkey (user verification required), register the
 * tenant's device key, keep the account.
 */
import { startRegistration } from '@simplewebauthn/browser';
import type { P256PublicJwk } from '../../../shared/schemas/common';
import type { EnrollmentFinish, EnrollmentFinished, EnrollmentStart, EnrollmentStarted } from '../../../shared/schemas/enrollment';
import { createDeviceKey } from '../device/createDeviceKey';
import { currentPushSubscriptionJson } from '../push/pushSubscription';
import { relayCall } from '../relay/relayCall';
import { type Account, currentAccounts, saveAccount } from '../store/accountStore';

export type { EnrollmentStarted };

export async function startEnrollment(relayUrl: string, start: EnrollmentStart): Promise<EnrollmentStarted> {
  const started = await relayCall<EnrollmentStarted>(`${relayUrl}/api/enrollment/start`, { body: start });
  if (!started?.enrollmentId || !started.options?.challenge) throw new Error('The relay gave an enrollment this app cannot read.');
  return started;
}

/** Reuse the tenant's device key when the phone already holds an account there: one device per tenant. */
async function deviceKeyFor(relayUrl: string, tenant: string): Promise<{ deviceKey: CryptoKey; devicePublicJwk: P256PublicJwk }> {
  const existing = currentAccounts()?.find((a) => a.relayUrl === relayUrl && a.tenant === tenant);
  return existing ? { deviceKey: existing.deviceKey, devicePublicJwk: existing.devicePublicJwk } : createDeviceKey();
}

/**
 * Create the passkey (the browser asks for the PIN or biometric), then finish at the relay.
 * Throws the WebAuthn error as is when the user cancels or verification fails.
 */
export async function finishEnrollment(relayUrl: string, started: EnrollmentStarted, deviceName: string): Promise<Account> {
  const registration = await startRegistration({ optionsJSON: started.options });
  const { deviceKey, devicePublicJwk } = await deviceKeyFor(relayUrl, started.tenant);
  const subscription = await currentPushSubscriptionJson();
  const body: EnrollmentFinish = {
    enrollmentId: started.enrollmentId,
    registration: { ...registration, clientExtensionResults: { ...registration.clientExtensionResults } },
    devicePublicKey: devicePublicJwk,
    deviceName,
    ...(subscription ? { pushSubscription: subscription } : {}),
  };
  const finished = await relayCall<EnrollmentFinished>(`${relayUrl}/api/enrollment/finish`, { body });
  const account: Account = {
    registrationId: finished.registrationId,
    relayUrl,
    tenant: finished.tenant,
    tenantDisplayName: finished.tenantDisplayName,
    username: finished.username,
    displayName: finished.displayName,
    deviceId: finished.deviceId,
    credentialId: finished.credentialId,
    deviceKey,
    devicePublicJwk,
    totpSecret: finished.totpSecret,
    phoneSignInEnabled: finished.phoneSignInEnabled,
    pushState: subscription ? 'subscribed' : 'none',
    pushEndpoint: subscription?.endpoint,
    addedAt: Date.now(),
  };
  await saveAccount(account);
  return account;
}

/** A name for this phone that an admin recognises in the user's list of devices. */
export function phoneName(): string {
  const ua = navigator.userAgent;
  const platform = /iPhone/.test(ua)
    ? 'iPhone'
    : /iPad/.test(ua)
      ? 'iPad'
      : /Android/.test(ua)
        ? 'Android phone'
        : /Mac OS X/.test(ua)
          ? 'Mac'
          : /Windows/.test(ua)
            ? 'Windows PC'
            : /Linux/.test(ua)
              ? 'Linux computer'
              : 'Phone';
  return `Nod on ${platform}`;
}
