import { randomBytes } from 'node:crypto';
import { verifyRegistrationResponse, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { calculateJwkThumbprint } from 'jose';
import { toBase64Url } from '../../shared/base64url';
import type { z } from 'zod';
import type { EnrollmentFinished, enrollmentFinish } from '../../shared/schemas/enrollment';
import { base32Encode, totpStep } from '../../shared/totp';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { ProblemError } from '../http/problem';
import { newId } from '../ids';

/**
 * Finish adding the account: verify the attestation (user verification required), then store
 * the device (one per phone installation per tenant) and the registration in one transaction.
 * The TOTP secret for offline codes is returned this once.
 */
export async function finishEnrollment(ctx: RelayContext, body: z.output<typeof enrollmentFinish>): Promise<EnrollmentFinished> {
  const session = await ctx.storage.enrollment.takeSession(body.enrollmentId);
  const invalid = (privateDetail: string) =>
    new ProblemError('enrollment_invalid', 'The Authenticator app could not be added. Start again.', { privateDetail });
  if (!session || session.expiresAt < ctx.now()) throw invalid('no such enrollment session, or it expired');
  const tenant = await ctx.storage.tenants.byId(session.tenantId);
  const user = tenant && (await ctx.storage.users.byId(tenant.id, session.userId));
  if (!tenant || !user) throw invalid('tenant or user gone');

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
  // The one-time pass is used up now, once the phone really has its credential.
  if (session.passId && !(await ctx.storage.temporaryAccessPasses.markUsed(session.passId, ctx.now()))) {
    throw invalid('the Temporary Access Pass was used or replaced meanwhile');
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
