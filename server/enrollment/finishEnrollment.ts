import { randomBytes } from 'node:crypto';
import { verifyRegistrationResponse, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { calculateJwkThumbprint } from 'jose';
import { toBase64Url } from '../../shared/base64url';
import { enrollmentProofInput } from '../../shared/deviceSignature';
import type { z } from 'zod';
import type { EnrollmentFinished, enrollmentFinish } from '../../shared/schemas/enrollment';
import { base32Encode, totpStep } from '../../shared/totp';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { verifyDeviceSignature } from '../../shared/deviceSignature';
import { ProblemError } from '../http/problem';
import { newId } from '../ids';
import { requireAllowedPushSubscription } from '../push/pushHosts';

/**
 * Finish adding the account: check the phone holds its device key, verify the attestation (user
 * verification required), then store the device (one per phone installation per tenant, found
 * again by its key only once the phone proved it holds that key) and the registration in one
 * transaction.
 * The TOTP secret for offline codes is returned this once.
 */
export async function finishEnrollment(ctx: RelayContext, body: z.output<typeof enrollmentFinish>): Promise<EnrollmentFinished> {
  // Before the session is taken: a phone told its push service is not allowed may finish without one.
  requireAllowedPushSubscription(body.pushSubscription, ctx.config.pushHosts, 'pushSubscription.endpoint');
  const session = await ctx.storage.enrollment.takeSession(body.enrollmentId);
  const invalid = (privateDetail: string) =>
    new ProblemError('enrollment_invalid', 'The Authenticator app could not be added. Start again.', { privateDetail });
  if (!session || session.expiresAt < ctx.now()) throw invalid('no such enrollment session, or it expired');
  const tenant = await ctx.storage.tenants.byId(session.tenantId);
  const user = tenant && (await ctx.storage.users.byId(tenant.id, session.userId));
  if (!tenant || !user) throw invalid('tenant or user gone');
  // The phone proves it holds the device key it registers: a key copied from another phone's
  // calls (public, after all) cannot take over that phone's device record or its pushes.
  const proof = enrollmentProofInput({ enrollmentId: session.id, challenge: session.challenge });
  if (!(await verifyDeviceSignature(body.devicePublicKey, proof, body.deviceProof)))
    throw invalid('no proof of possession of the device key');

  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verification = await verifyRegistrationResponse({
      response: body.registration as RegistrationResponseJSON,
      expectedChallenge: session.challenge,
      expectedOrigin: ctx.config.publicUrl,
      expectedRPID: ctx.config.rpId,
      requireUserVerification: true,
      supportedAlgorithmIDs: [-7],
    });
  } catch (error) {
    throw invalid(`attestation rejected: ${(error as Error).message}`);
  }
  if (!verification.verified) throw invalid('attestation not verified');
  const info = verification.registrationInfo;
  if (await ctx.storage.registrations.byCredentialId(tenant.id, info.credential.id)) throw invalid('credential already registered');
  if (session.passId) {
    // The pass must still be good now, not only when the enrollment started: one revoked,
    // replaced or expired meanwhile finishes nothing.
    const pass = await ctx.storage.temporaryAccessPasses.usableFor(tenant.id, user.id, ctx.now());
    if (pass?.id !== session.passId) throw invalid('the Temporary Access Pass was revoked, replaced, used or expired meanwhile');
    // A one-time pass is used up now, once the phone really has its credential.
    if (pass.oneTime && !(await ctx.storage.temporaryAccessPasses.markUsed(pass.id, ctx.now()))) {
      throw invalid('the Temporary Access Pass was used or revoked meanwhile');
    }
  }

  const now = ctx.now();
  const totpSecret = base32Encode(randomBytes(20));
  const { device, registration } = await ctx.storage.enrollment.complete(
    {
      id: newId(),
      tenantId: tenant.id,
      kind: 'phone',
      name: body.deviceName,
      publicKey: body.devicePublicKey,
      thumbprint: await calculateJwkThumbprint(body.devicePublicKey),
      pushSubscription: body.pushSubscription ?? null,
      pushState: body.pushSubscription ? 'subscribed' : 'none',
      createdAt: now,
      lastSeenAt: now,
      lastReceiptAt: null,
      healthCheckSentAt: null,
    },
    {
      id: newId(),
      tenantId: tenant.id,
      userId: user.id,
      deviceId: '',
      credentialId: info.credential.id,
      credentialPublicKey: toBase64Url(info.credential.publicKey),
      signCount: info.credential.counter,
      transports: info.credential.transports ?? [],
      backupEligible: info.credentialDeviceType === 'multiDevice',
      backupState: info.credentialBackedUp,
      phoneSignInEnabled: false,
      totpSecret,
      // Codes from before the enrollment never count.
      totpLastStep: totpStep(now) - 2,
      createdAt: now,
      lastUsedAt: null,
    },
  );
  await recordAudit(ctx, {
    tenantId: tenant.id,
    type: 'registration.created',
    outcome: 'success',
    userId: user.id,
    username: user.username,
    deviceId: device.id,
    method: session.via,
  });
  return {
    registrationId: registration.id,
    deviceId: device.id,
    tenant: tenant.name,
    tenantDisplayName: tenant.displayName,
    username: user.username,
    displayName: user.displayName,
    credentialId: registration.credentialId,
    totpSecret,
    phoneSignInEnabled: false,
  };
}
