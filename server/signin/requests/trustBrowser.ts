import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { z } from 'zod';
import { canonicalBrowserTrust } from '../../../shared/approvalChallenge';
import { displayText } from '../../../shared/displayText';
import type { BrowserTrusted, browserTrust } from '../../../shared/schemas/signInRequests';
import type { RelayContext } from '../../context';
import { verifyDeviceSignature } from '../../../shared/deviceSignature';
import { ProblemError } from '../../http/problem';
import type { CallerInfo } from '../callerInfo';
import { addRegisteredBrowser } from '../registeredBrowsers';
import { challengeOf, verifyApproval } from './verifyApproval';

/** How long after approving a sign-in the phone may still trust the browser that brokered it. */
export const browserTrustWindowMs = 10 * 60_000;

/**
 * "Trust this browser for future sign-ins?": the one way (besides a Temporary Access Pass) a Nod browser
 * extension's key becomes a registered browser for a user. The phone asks after the user approved a
 * sign-in that browser brokered, never silently. In order:
 *  1. the request was approved (or redeemed) by this registration, and a browser signed it (else 404);
 *  2. the phone's device key signed the trust (else 401);
 *  3. it is within ten minutes of the approval (else expired);
 *  4. the passkey assertion, with user verification, is over the same canonical trust (else 400);
 * then the sign counter moves and the browser is registered for the user, audited as `browser.registered`.
 */
export async function trustBrowser(
  ctx: RelayContext,
  requestId: string,
  body: z.output<typeof browserTrust>,
  caller: CallerInfo,
): Promise<BrowserTrusted> {
  const request = await ctx.storage.signInRequests.byId(requestId);
  const registration = await ctx.storage.registrations.byId(body.registrationId);
  // 1. The same answer for an unknown request, another account's, one without a browser, or one not approved here.
  if (
    !request ||
    !registration ||
    !request.browserDeviceId ||
    !request.userId ||
    (request.status !== 'approved' && request.status !== 'redeemed') ||
    request.answeredBy !== registration.id ||
    registration.tenantId !== request.tenantId ||
    registration.userId !== request.userId
  ) {
    throw new ProblemError('request_not_found', 'There is no approved sign-in from a browser to trust here.', {
      privateDetail: `request ${requestId} registration ${body.registrationId}`,
    });
  }
  const browser = await ctx.storage.devices.byId(request.browserDeviceId);
  if (browser?.kind !== 'browser' || browser.tenantId !== request.tenantId) {
    throw new ProblemError('request_not_found', 'There is no approved sign-in from a browser to trust here.');
  }
  const canonical = canonicalBrowserTrust({ requestId: request.id, nonce: request.nonce, browserId: browser.id });
  // 2. The phone's device key.
  const device = await ctx.storage.devices.byId(registration.deviceId);
  if (!device || !(await verifyDeviceSignature(device.publicKey, canonical, body.deviceSignature))) {
    throw new ProblemError('device_signature_invalid', 'The answer is not signed by this phone.');
  }
  // 3. Soon after the approval.
  const now = ctx.now();
  if (request.answeredAt === null || now - request.answeredAt > browserTrustWindowMs) {
    throw new ProblemError('request_expired', 'Too much time has passed since this sign-in; trust the browser at its next sign-in.');
  }
  // 4. The passkey, with the PIN or biometric, whatever kind of sign-in it was.
  const verified = await verifyApproval(ctx, registration, body.assertion as AuthenticationResponseJSON, challengeOf(canonical), true);
  if (typeof verified === 'string') {
    throw new ProblemError('approval_invalid', 'Your PIN or biometric could not be verified.', { privateDetail: verified });
  }
  if (!(await ctx.storage.registrations.updateCounter(registration.id, registration.signCount, verified.newCounter, now))) {
    throw new ProblemError('approval_invalid', 'Your PIN or biometric could not be verified.', { privateDetail: 'sign counter raced' });
  }
  const user = { id: request.userId, tenantId: request.tenantId, username: request.username };
  await addRegisteredBrowser(ctx, user, browser.id, {
    method: 'phone_approval',
    origin: request.origin,
    ip: caller.ip,
    userAgent: caller.userAgent ?? null,
    detail: { requestId: request.id, registrationId: registration.id, phoneDeviceId: device.id },
  });
  return { browserId: browser.id, name: displayText(browser.name, 60) || 'A browser', registered: true };
}
