/**
 * Adding a work or school account (journey 2): start at the relay with a Temporary Access Pass
 * or an enrollment code, create the platform passkey (user verification required), register the
 * tenant's device key, keep the account.
 */
import { startRegistration } from '@simplewebauthn/browser';
import { enrollmentProofInput, signWithDeviceKey } from '../../../shared/deviceSignature';
import { callRelay } from '../../../shared/relay/callRelay';
import { RelayAnswerInvalid } from '../../../shared/relay/relayErrors';
import type { P256PublicJwk } from '../../../shared/schemas/common';
import {
  type EnrollmentFinish,
  type EnrollmentStart,
  type EnrollmentStarted,
  enrollmentFinished,
  enrollmentStarted,
} from '../../../shared/schemas/enrollment';
import { createDeviceKey } from '../device/createDeviceKey';
import { currentPushSubscriptionJson } from '../push/pushSubscription';
import { type Account, currentAccounts, saveAccount } from '../store/accountStore';

export type { EnrollmentStarted };

export async function startEnrollment(relayUrl: string, start: EnrollmentStart): Promise<EnrollmentStarted> {
  try {
    return await callRelay(`${relayUrl}/api/enrollment/start`, { body: start, answer: enrollmentStarted });
  } catch (error) {
    if (error instanceof RelayAnswerInvalid) throw new Error('The relay gave an enrollment this app cannot read.');
    throw error;
  }
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
    deviceProof: await signWithDeviceKey(
      deviceKey,
      enrollmentProofInput({ enrollmentId: started.enrollmentId, challenge: started.options.challenge }),
    ),
    deviceName,
    ...(subscription ? { pushSubscription: subscription } : {}),
  };
  const finished = await callRelay(`${relayUrl}/api/enrollment/finish`, { body, answer: enrollmentFinished });
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
