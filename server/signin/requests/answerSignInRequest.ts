import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { boundSite, canonicalApproval } from '../../../shared/approvalChallenge';
import type { z } from 'zod';
import type { SignInAnswered, signInAnswer } from '../../../shared/schemas/signInRequests';
import { recordAudit } from '../../audit/recordAudit';
import type { RelayContext } from '../../context';
import { verifyDeviceSignature } from '../../../shared/deviceSignature';
import { ProblemError } from '../../http/problem';
import type { SignInRequest } from '../../storage/model';
import { isSignInOrigin, signInOriginsOf } from '../../tenants/signInOrigins';
import type { CallerInfo } from '../callerInfo';
import { refusalFor, reportSignIn } from '../../limits/reportSignIn';
import { type PhoneAnswer, closeSignInRequest } from './closeSignInRequest';
import { challengeOf, verifyApproval } from './verifyApproval';

/**
 * The phone answers a request. The checks run in order, each failing on its own:
 *  1. the request exists and this registration is one of its user's (else: no such request);
 *  2. the device signature over the canonical approval is valid (else 401, and nothing changes:
 *     only the phone may close a request);
 *  3. the request is still pending and unexpired;
 *  4. approve: the typed number is right (a wrong one closes the request as `wrong_number`);
 *  5. approve: the WebAuthn assertion is valid for the bound challenge, from this
 *     registration's credential, with user verification for passwordless;
 *  6. approve: the sign counter moves as WebAuthn L3 §7.2 step 21 requires;
 *  7. approve: the site the approval is bound to (the checked origin the phone showed) is still one of
 *     the tenant's sign-in origins (else the request closes as `blocked`: `phishing_blocked`).
 * Then the request is consumed atomically: exactly one answer ever wins. Approving never registers the
 * browser: the phone asks for that separately (trustBrowser).
 */
export async function answerSignInRequest(
  ctx: RelayContext,
  requestId: string,
  body: z.output<typeof signInAnswer>,
  caller: CallerInfo,
): Promise<SignInAnswered> {
  const now = ctx.now();
  // The request, the registration the answer names with its device (whose key checks the answer's signature, 2)
  // and the request's user (looked at again before an approval), in one read.
  const found = await ctx.storage.signInRequests.forAnswer(requestId, body.registrationId);
  const request = found?.request;
  const registration = found?.registration?.registration;
  // 1. Unknown request, a decoy, or another account's/tenant's registration: the same 404.
  if (
    !request ||
    !registration ||
    !request.deliverable ||
    registration.tenantId !== request.tenantId ||
    registration.userId !== request.userId
  ) {
    throw new ProblemError('request_not_found', 'This sign-in request is not for this account.', {
      privateDetail: `request ${requestId} registration ${body.registrationId}`,
    });
  }
  // The phone signs the site it showed; the relay binds what it stored, so a changed site fails the signature.
  const site = boundSite(request.context);
  const binding = { requestId: request.id, nonce: request.nonce, site, typedNumber: body.typedNumber, decision: body.decision };
  const canonical = canonicalApproval(binding);
  // 2. The device key signs the same canonical approval the assertion binds.
  const device = found?.registration?.device;
  if (!device || !(await verifyDeviceSignature(device.publicKey, canonical, body.deviceSignature))) {
    throw new ProblemError('device_signature_invalid', 'The answer is not signed by this phone.');
  }
  const answer: PhoneAnswer = { registrationId: registration.id, deviceId: device.id, decision: body.decision, caller };
  /** An answer that did not end the request (the ending itself is audited by the close). */
  const refused = (reason: string) =>
    recordAudit(ctx, {
      tenantId: request.tenantId,
      type: 'sign_in_request.answered',
      outcome: 'refused',
      reason,
      userId: request.userId,
      username: request.username,
      deviceId: device.id,
      method: request.kind === 'passwordless' ? 'phone_sign_in' : 'push_mfa',
      origin: request.origin,
      ip: caller.ip,
      userAgent: caller.userAgent ?? null,
      detail: { requestId: request.id, decision: body.decision, registrationId: registration.id },
    });
  const expired = async (): Promise<never> => {
    await refused('expired');
    throw new ProblemError('request_expired', 'This sign-in request has expired.');
  };
  /** Another ending won the close first (another answer, the desktop, or the clock). */
  const lostTo = async (closed: SignInRequest | undefined): Promise<never> => {
    const status = closed?.status ?? (await ctx.storage.signInRequests.byId(request.id))?.status;
    if (status === 'expired') return expired();
    await refused('lost the race');
    throw new ProblemError('already_answered', 'This sign-in request was already answered.');
  };
  // 3. Still pending and unexpired.
  if (request.status === 'expired') return expired();
  if (request.status !== 'pending') {
    await refused(`already ${request.status}`);
    throw new ProblemError('already_answered', 'This sign-in request was already answered or closed.');
  }
  if (request.expiresAt <= now) {
    await closeSignInRequest(ctx, request, { status: 'expired' });
    return expired();
  }

  if (body.decision === 'approve') {
    // The user's state, looked at again (read with the request): a report since the request began means no approval.
    const refusal = refusalFor(request, found?.user);
    if (refusal) {
      const closed = await closeSignInRequest(ctx, request, { status: 'failed', failure: refusal, answer });
      if (closed?.status !== 'failed') await refused(refusal);
      throw new ProblemError('approval_invalid', 'The approval could not be verified.', { privateDetail: refusal });
    }
    // 4. Number matching.
    if (body.typedNumber !== request.number) {
      const closed = await closeSignInRequest(ctx, request, { status: 'wrong_number', answer });
      if (closed?.status !== 'wrong_number') await refused('wrong number');
      throw new ProblemError('wrong_number', 'The number you entered does not match the one on the sign-in screen.');
    }
    // 5 and 6. The assertion, bound to this request, number and decision.
    // Passwordless needs the PIN or biometric; push MFA is the second factor after a password.
    const failure = await verifyApproval(
      ctx,
      registration,
      body.assertion as AuthenticationResponseJSON | undefined,
      challengeOf(canonical),
      request.kind === 'passwordless',
    );
    if (typeof failure === 'string') {
      const closed = await closeSignInRequest(ctx, request, { status: 'failed', failure, answer });
      if (closed?.status !== 'failed') await refused(failure);
      throw new ProblemError('approval_invalid', 'The approval could not be verified.', { privateDetail: failure });
    }
    const signCount = { registrationId: registration.id, expected: registration.signCount, next: failure.newCounter };
    // 7. Verifier-name binding: a site that is not (or no longer) the tenant's gets nothing.
    if (site !== '') {
      const tenant = await ctx.storage.tenants.byId(request.tenantId);
      if (!tenant || !isSignInOrigin(ctx, tenant, site)) {
        const evidence = {
          observedOrigin: site,
          observedBy: request.context.siteCheck,
          browserId: request.browserDeviceId,
          signInOrigins: tenant ? signInOriginsOf(ctx, tenant) : [],
        };
        const closed = await closeSignInRequest(ctx, request, { status: 'blocked', evidence, answer }, { signCount });
        if (closed?.status !== 'blocked') return lostTo(closed);
        throw new ProblemError(
          'phishing_blocked',
          `This sign-in was on a site that is not ${tenant?.displayName ?? 'your organization'}'s — nothing was approved.`,
          { privateDetail: `origin ${site}` },
        );
      }
    }
    // The sign counter moves in the approval's own transaction.
    const approved = await closeSignInRequest(ctx, request, { status: 'approved', answer }, { signCount });
    if (approved?.status !== 'approved') return lostTo(approved);
    return { requestId: request.id, status: 'approved' };
  }

  const status = body.decision === 'deny' ? 'denied' : 'reported';
  const closed = await closeSignInRequest(ctx, request, { status, answer });
  if (closed?.status !== status) return lostTo(closed);
  if (status === 'reported') await reportSignIn(ctx, request, device);
  return { requestId: request.id, status };
}
