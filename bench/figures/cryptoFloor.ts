/**
 * The crypto floor of one passwordless sign-in as the bench measures it (bench/lib/signIn.ts): the
 * cryptography the relay cannot avoid, run back to back in this process with nothing else —
 * verifyAuthenticationResponse of the approval's assertion; three device-signature verifies
 * (node:crypto, ieee-p1363, key already imported, as the relay keeps it): the phone's receipt and
 * its details GET are device-signed calls, and the approval carries the device key's signature;
 * one push encryption per device (server/push encryptPayload's work, on one thread; one device
 * here). No token is signed in that flow: redeem answers an opaque one-time grant (random bytes,
 * stored hashed), and the ES256 ID token is signed only when an OpenID Connect client later
 * consumes it. Its rate is
 * what a relay that did nothing but this crypto would reach on one core.
 */
import { createECDH, randomBytes, verify } from 'node:crypto';
import {
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
} from '@simplewebauthn/server';
import { approvalChallenge, canonicalApproval } from '../../shared/approvalChallenge';
import { deviceSigningText, signWithDeviceKey } from '../../shared/deviceSignature';
import { fromBase64Url } from '../../shared/base64url';
import { encryptPayloadWith } from '../../server/push/encryptPayload';
import { createDeviceKey, createSoftAuthenticator } from '../../tests/helpers/softAuthenticator';

const origin = 'https://relay.floor.example';
const rpId = 'relay.floor.example';

export interface FloorStep {
  name: string;
  run: () => unknown;
}

export interface CryptoFloor {
  /** One sign-in's unavoidable crypto, in order. */
  steps: FloorStep[];
  oneSignIn(): Promise<void>;
  /** A device-signature verify that imports the JWK each time (the relay keeps imported keys), for comparison. */
  verifyWithJwkImport: () => boolean;
}

export async function prepareCryptoFloor(variants = 64): Promise<CryptoFloor> {
  const authenticator = createSoftAuthenticator({ origin });
  const options = await generateRegistrationOptions({
    rpName: 'Nod',
    rpID: rpId,
    userName: 'floor@contoso.example',
    attestationType: 'none',
    authenticatorSelection: { userVerification: 'required', residentKey: 'required' },
  });
  const registration = await authenticator.register(options);
  const registered = await verifyRegistrationResponse({
    response: registration,
    expectedChallenge: options.challenge,
    expectedOrigin: origin,
    expectedRPID: rpId,
    requireUserVerification: true,
  });
  if (!registered.verified) throw new Error('floor: registration did not verify');
  const credential = registered.registrationInfo.credential;

  const deviceKey = await createDeviceKey();
  const { createPublicKey } = await import('node:crypto');
  const devicePublicKey = createPublicKey({ key: { ...deviceKey.publicJwk }, format: 'jwk' });

  // Distinct approvals, as distinct requests would have; verification does not depend on which.
  const approvals: {
    assertion: AuthenticationResponseJSON;
    challenge: string;
    canonical: Uint8Array;
    signature: Uint8Array;
    /** The receipt's and the details GET's signed inputs and their signatures. */
    calls: { input: Uint8Array; signature: Uint8Array }[];
  }[] = [];
  for (let i = 0; i < variants; i++) {
    const binding = {
      requestId: randomBytes(16).toString('base64url'),
      nonce: randomBytes(16).toString('base64url'),
      site: 'https://portal.contoso.example',
      typedNumber: 42,
      decision: 'approve' as const,
    };
    const challenge = await approvalChallenge(binding);
    const assertion = await authenticator.authenticate({ challenge, rpId, allowCredentials: [{ id: credential.id }] });
    const canonical = canonicalApproval(binding);
    const calls = [];
    for (const [method, path] of [
      ['POST', `/api/device/sign-in-requests/${binding.requestId}/received`],
      ['GET', `/api/device/sign-in-requests/${binding.requestId}`],
    ]) {
      const input = deviceSigningText({ method, path, timestamp: Date.now(), bodyHash: randomBytes(32).toString('base64url') });
      calls.push({ input, signature: fromBase64Url(await signWithDeviceKey(deviceKey.privateKey, input)) });
    }
    approvals.push({
      assertion,
      challenge,
      canonical,
      signature: fromBase64Url(await signWithDeviceKey(deviceKey.privateKey, canonical)),
      calls,
    });
  }

  const ua = createECDH('prime256v1');
  const p256dh = ua.generateKeys().toString('base64url');
  const auth = randomBytes(16).toString('base64url');
  // The size of a real sign-in push payload.
  const payload = Buffer.from(
    JSON.stringify({
      type: 'sign_in_request',
      requestId: randomBytes(16).toString('base64url'),
      registrationId: randomBytes(16).toString('base64url'),
      tenant: 'contoso',
      kind: 'passwordless',
      expiresAt: new Date().toISOString(),
      context: {
        applicationName: 'Contoso Portal',
        location: 'Unknown location',
        browser: 'Chrome on Linux',
        origin: 'https://portal.contoso.example',
        siteCheck: 'relay',
      },
    }),
  );

  let i = 0;
  let current = approvals[0];
  const verifyAssertion = async () => {
    const result = await verifyAuthenticationResponse({
      response: current.assertion,
      expectedChallenge: current.challenge,
      expectedOrigin: origin,
      expectedRPID: rpId,
      credential: { id: credential.id, publicKey: credential.publicKey, counter: 0 },
      requireUserVerification: true,
    });
    if (!result.verified) throw new Error('floor: assertion did not verify');
  };
  const verifyOne = (data: Uint8Array, signature: Uint8Array) => {
    if (!verify('sha256', data, { key: devicePublicKey, dsaEncoding: 'ieee-p1363' }, signature)) {
      throw new Error('floor: device signature did not verify');
    }
  };
  const verifyDevice = () => verifyOne(current.canonical, current.signature);
  const verifyCalls = () => {
    for (const call of current.calls) verifyOne(call.input, call.signature);
  };
  // What the relay's encryptPayload does, all on this thread (the relay agrees the key on a worker):
  // a fresh salt and key pair for every message.
  const encrypt = () => {
    const sender = createECDH('prime256v1');
    sender.generateKeys();
    return encryptPayloadWith({ salt: randomBytes(16), sender }, p256dh, auth, payload);
  };
  return {
    steps: [
      { name: 'verifyAuthenticationResponse', run: verifyAssertion },
      { name: 'device signature verify (approval)', run: verifyDevice },
      { name: 'device-signed calls: receipt and details (2 verifies)', run: verifyCalls },
      { name: 'push encryption', run: encrypt },
    ],
    async oneSignIn() {
      current = approvals[i++ % approvals.length];
      verifyCalls();
      await verifyAssertion();
      verifyDevice();
      encrypt();
    },
    verifyWithJwkImport() {
      const key = createPublicKey({ key: { ...deviceKey.publicJwk }, format: 'jwk' });
      return verify('sha256', current.canonical, { key, dsaEncoding: 'ieee-p1363' }, current.signature);
    },
  };
}

/** Sign-ins' worth of floor crypto per second, over `iterations` back-to-back sign-ins (after a warm-up). */
export async function measureFloor(
  floor: CryptoFloor,
  iterations: number,
): Promise<{ rate: number; microsPerSignIn: number; cpuMicrosPerSignIn: number }> {
  for (let k = 0; k < Math.min(200, iterations); k++) await floor.oneSignIn();
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let k = 0; k < iterations; k++) await floor.oneSignIn();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  // CPU time (this process, all threads: WebCrypto runs on libuv's pool) is steadier than wall time on a busy machine.
  return {
    rate: (iterations * 1000) / ms,
    microsPerSignIn: (ms * 1000) / iterations,
    cpuMicrosPerSignIn: (used.user + used.system) / iterations,
  };
}

/** Microseconds per call of each step on its own (for the notes). */
export async function measureSteps(floor: CryptoFloor, iterations: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const all: FloorStep[] = [...floor.steps, { name: 'device verify with JWK import (uncached)', run: floor.verifyWithJwkImport }];
  for (const step of all) {
    for (let k = 0; k < 20; k++) await step.run();
    const start = performance.now();
    for (let k = 0; k < iterations; k++) await step.run();
    out[step.name] = ((performance.now() - start) * 1000) / iterations;
  }
  return out;
}
