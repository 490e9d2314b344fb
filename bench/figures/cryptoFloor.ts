/**
 * The crypto floor of one passwordless sign-in: the cryptography the relay cannot avoid, run back
 * to back in this process with nothing else — verifyAuthenticationResponse of the approval's
 * assertion, one device-signature verify (node:crypto, ieee-p1363, key already imported), one
 * push encryption per device (server/push encryptPayload; one device here) and one ES256 token
 * signature (jose). Its rate is what a relay that did nothing but this crypto would reach on one core.
 */
import { createECDH, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import {
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
} from '@simplewebauthn/server';
import { SignJWT } from 'jose';
import { approvalChallenge, canonicalApproval } from '../../shared/approvalChallenge';
import { signWithDeviceKey } from '../../shared/deviceSignature';
import { fromBase64Url } from '../../shared/base64url';
import { encryptPayload } from '../../server/push/encryptPayload';
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
  /** The relay's device-signature verify as written (imports the JWK each time), for comparison. */
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
  const approvals: { assertion: AuthenticationResponseJSON; challenge: string; canonical: Uint8Array; signature: Uint8Array }[] = [];
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
    approvals.push({ assertion, challenge, canonical, signature: fromBase64Url(await signWithDeviceKey(deviceKey.privateKey, canonical)) });
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

  const { privateKey: tokenKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
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
  const verifyDevice = () => {
    if (!verify('sha256', current.canonical, { key: devicePublicKey, dsaEncoding: 'ieee-p1363' }, current.signature)) {
      throw new Error('floor: device signature did not verify');
    }
  };
  const encrypt = () => encryptPayload(p256dh, auth, payload);
  const signToken = async () => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sub: 'user00001', amr: ['pop', 'user', 'mfa'], nonce: current.challenge })
      .setProtectedHeader({ alg: 'ES256', kid: 'bench' })
      .setIssuer('https://relay.bench.example/t/contoso')
      .setAudience('contoso-portal')
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(tokenKey);
  };
  return {
    steps: [
      { name: 'verifyAuthenticationResponse', run: verifyAssertion },
      { name: 'device signature verify', run: verifyDevice },
      { name: 'push encryption', run: encrypt },
      { name: 'ES256 token (jose)', run: signToken },
    ],
    async oneSignIn() {
      current = approvals[i++ % approvals.length];
      await verifyAssertion();
      verifyDevice();
      encrypt();
      await signToken();
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
  const all: FloorStep[] = [...floor.steps, { name: 'device verify with JWK import (as the relay does)', run: floor.verifyWithJwkImport }];
  for (const step of all) {
    for (let k = 0; k < 20; k++) await step.run();
    const start = performance.now();
    for (let k = 0; k < iterations; k++) await step.run();
    out[step.name] = ((performance.now() - start) * 1000) / iterations;
  }
  return out;
}
