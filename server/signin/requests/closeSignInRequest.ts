import type { Decision } from '../../../shared/approvalChallenge';
import { type AuditInput, auditEvent } from '../../audit/auditEvent';
import type { RelayContext } from '../../context';
import type { TransitionEffects } from '../../storage/Storage';
import type { SignInRequest } from '../../storage/model';
import type { CallerInfo } from '../callerInfo';
import { withdrawInBackground } from './phoneWithdrawals';

/** The phone's answer that ends a request: which account on which phone, and who called. */
export interface PhoneAnswer {
  registrationId: string;
  deviceId: string;
  decision: Decision;
  caller: CallerInfo;
}

/** Every way a pending sign-in request ends, with what each needs to say who ended it. */
export type SignInEnding =
  | { status: 'approved' | 'denied' | 'reported'; answer: PhoneAnswer }
  | { status: 'wrong_number'; answer: PhoneAnswer }
  /** The approval could not be verified; `failure` says privately which check refused it. */
  | { status: 'failed'; failure: string; answer: PhoneAnswer }
  /**
   * The phone approved, but the site the approval is bound to is not one of the tenant's sign-in origins
   * (any more): nothing was approved. `evidence` is what the audit's `phishing_blocked` record keeps.
   */
  | { status: 'blocked'; evidence: Record<string, unknown>; answer: PhoneAnswer }
  /** The desktop gave up (the collector cancelled), or the relay ended it (`why`: the user reported another one). */
  | { status: 'cancelled'; caller: CallerInfo; why?: string }
  /** An admin ended the user's sign-ins (disabled or deleted the account, removed a device); `admin` says which. */
  | { status: 'cancelled'; admin: string }
  /** A newer request from the same browser (`by`) replaced it. */
  | { status: 'superseded'; by: string; caller: CallerInfo }
  | { status: 'expired' };

/**
 * The one place a pending sign-in request ends. In this order, once, whoever calls:
 *  1. the storage transition from `pending` (compare-and-set: of all concurrent closes, on any
 *     relay, exactly one wins) together with its audit record, in one transaction;
 *  2. the new state to the desktop (the collector's event stream);
 *  3. the closed notice to the phones it was offered to (live channel, and a push that replaces
 *     the notification, except for expiry and for the phone that answered).
 * `effects` are stored in step 1's transaction when the ending is the one asked for (never with
 * an expiry it turned into). A request past its expiry can only expire, whatever the caller asked for. Returns the request
 * as closed when this call closed it (check its status), or undefined when it had already ended.
 * Steps 2 and 3 announce what is stored: their failures are logged and do not undo the close. Step 3 runs
 * after the caller answers, so no answer waits on work a decoy lacks; a relay's drain waits for it.
 */
export async function closeSignInRequest(
  ctx: RelayContext,
  request: SignInRequest,
  ending: SignInEnding,
  effects?: TransitionEffects,
): Promise<SignInRequest | undefined> {
  const now = ctx.now();
  const final: SignInEnding = request.expiresAt <= now ? { status: 'expired' } : ending;
  const answer = 'answer' in final ? final.answer : undefined;
  const closed = await ctx.storage.signInRequests.transition(
    request.id,
    'pending',
    {
      status: final.status,
      reason: storedReason(final),
      answeredAt: final.status === 'expired' ? request.expiresAt : now,
      ...(answer ? { answeredBy: answer.registrationId } : {}),
    },
    now,
    auditEvent(ctx, auditOf(request, final)),
    final === ending ? effects : undefined,
  );
  if (!closed) return undefined;
  try {
    await ctx.events.publishRequest({ requestId: closed.id, status: closed.status });
  } catch (error) {
    ctx.log.warn({ err: error, requestId: closed.id }, 'the closed request could not be announced to the desktop');
  }
  // After the answer, for real requests and decoys alike (see phoneWithdrawals).
  withdrawInBackground(ctx, closed, answer?.registrationId);
  return closed;
}

/** What the request row keeps as its reason (never shown to anyone; the audit has the detail). */
function storedReason(ending: SignInEnding): string | null {
  switch (ending.status) {
    case 'approved':
      return null;
    case 'denied':
      return 'denied on the phone';
    case 'reported':
      return 'reported as fraud';
    case 'wrong_number':
      return 'the typed number did not match';
    case 'failed':
      return ending.failure;
    case 'blocked':
      return "the site is not one of the tenant's sign-in origins";
    case 'cancelled':
      return 'admin' in ending ? ending.admin : (ending.why ?? 'cancelled at the desktop');
    case 'superseded':
      return 'a newer sign-in from the same browser';
    case 'expired':
      return 'nobody answered in time';
  }
}

/**
 * The one audit record of the ending: `sign_in_request.answered` when the phone ended it (what
 * My Sign-ins lists), `sign_in_request.closed` when the desktop or the clock did.
 */
function auditOf(request: SignInRequest, ending: SignInEnding): AuditInput {
  const about = {
    tenantId: request.tenantId,
    outcome: ending.status,
    userId: request.userId,
    username: request.username,
    method: request.kind === 'passwordless' ? 'phone_sign_in' : 'push_mfa',
    origin: request.origin,
  };
  if ('answer' in ending) {
    const { answer } = ending;
    if (ending.status === 'blocked') {
      return {
        ...about,
        type: 'phishing_blocked',
        reason: `the sign-in was on ${request.origin}, not one of the tenant's sign-in origins`,
        deviceId: answer.deviceId,
        ip: answer.caller.ip,
        userAgent: answer.caller.userAgent ?? null,
        detail: { requestId: request.id, stage: 'approved', registrationId: answer.registrationId, ...ending.evidence },
      };
    }
    return {
      ...about,
      type: 'sign_in_request.answered',
      reason: ending.status === 'failed' ? ending.failure : ending.status === 'wrong_number' ? 'wrong number' : null,
      deviceId: answer.deviceId,
      ip: answer.caller.ip,
      userAgent: answer.caller.userAgent ?? null,
      detail: { requestId: request.id, decision: answer.decision, registrationId: answer.registrationId },
    };
  }
  const caller = 'caller' in ending ? ending.caller : undefined;
  return {
    ...about,
    type: 'sign_in_request.closed',
    reason: storedReason(ending),
    ip: caller?.ip || null,
    userAgent: caller?.userAgent ?? null,
    detail: { requestId: request.id, ...(ending.status === 'superseded' ? { supersededBy: ending.by } : {}) },
  };
}
