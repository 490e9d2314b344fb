/**
 * Enroll a phone the way the PWA does, through the relay's HTTP API: start with a Temporary
 * Access Pass, create the platform credential with the software authenticator, register the
 * device key (and a push subscription when given).
 */
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { EnrollmentFinished } from '../../shared/schemas/enrollment';
import type { PushSubscriptionJson } from '../../shared/schemas/devices';
import { deviceAuthorizationHeader, enrollmentProofInput, signWithDeviceKey } from '../../shared/deviceSignature';
import { type DeviceKey, type SoftAuthenticator, createDeviceKey, createSoftAuthenticator } from './softAuthenticator';
import { fetchJson } from './startRelay';

export interface TestPhone {
  authenticator: SoftAuthenticator;
  deviceKey: DeviceKey;
  /** The account as the relay answered at enrollment. */
  account: EnrollmentFinished;
  /** A device-signed call, as the PWA makes it. */
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/** The phone's proof that it holds `deviceKey`, for the enrollment the relay `started`. */
export function enrollmentProof(deviceKey: DeviceKey, started: { enrollmentId: string; options: { challenge: string } }): Promise<string> {
  return signWithDeviceKey(
    deviceKey.privateKey,
    enrollmentProofInput({ enrollmentId: started.enrollmentId, challenge: started.options.challenge }),
  );
}

export async function enrollPhone(
  relayUrl: string,
  start: { tenant: string; username: string; temporaryAccessPass: string } | { enrollmentCode: string },
  options: {
    authenticator?: SoftAuthenticator;
    deviceKey?: DeviceKey;
    pushSubscription?: PushSubscriptionJson;
    deviceName?: string;
    /** The phone's clock for signed calls (tests that move the relay's clock move the phone's too). */
    now?: () => number;
  } = {},
): Promise<TestPhone> {
  const authenticator = options.authenticator ?? createSoftAuthenticator({ origin: relayUrl });
  const deviceKey = options.deviceKey ?? (await createDeviceKey());
  const started = await fetchJson(`${relayUrl}/api/enrollment/start`, { body: start });
  if (started.status !== 200) throw new Error(`enrollment start: ${started.status} ${JSON.stringify(started.body)}`);
  const registration = await authenticator.register(started.body.options as PublicKeyCredentialCreationOptionsJSON);
  const finished = await fetchJson(`${relayUrl}/api/enrollment/finish`, {
    body: {
      enrollmentId: started.body.enrollmentId,
      registration,
      devicePublicKey: deviceKey.publicJwk,
      deviceProof: await enrollmentProof(deviceKey, started.body),
      deviceName: options.deviceName ?? 'Test phone',
      ...(options.pushSubscription ? { pushSubscription: options.pushSubscription } : {}),
    },
  });
  if (finished.status !== 201) throw new Error(`enrollment finish: ${finished.status} ${JSON.stringify(finished.body)}`);
  const account = finished.body as EnrollmentFinished;
  return {
    authenticator,
    deviceKey,
    account,
    async call(method, path, body) {
      const text = body === undefined ? '' : JSON.stringify(body);
      const authorization = await deviceAuthorizationHeader(
        account.deviceId,
        deviceKey.privateKey,
        { method, path, body: text },
        (options.now ?? Date.now)(),
      );
      const result = await fetchJson(`${relayUrl}${path}`, {
        method,
        body: body === undefined ? undefined : text,
        headers: { authorization },
      });
      return { status: result.status, body: result.body };
    },
  };
}
