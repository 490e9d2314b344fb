/**
 * Answer a sign-in request from the phone. Approve binds the typed number into the WebAuthn
 * challenge (shared/approvalChallenge) and runs the platform passkey with user verification;
 * every answer is also signed with the tenant's device key over the same canonical binding.
 * Deny and report need no passkey. When the passkey check fails nothing is sent.
 */
import { startAuthentication } from '@simplewebauthn/browser';
import { type ApprovalBinding, type Decision, approvalChallenge, boundSite, canonicalApproval } from '../../../shared/approvalChallenge';
import { numberMatching } from '../../../shared/constants';
import { signWithDeviceKey } from '../../../shared/deviceSignature';
import { callRelay } from '../../../shared/relay/callRelay';
import { RelayProblem, RelayUnreachable } from '../../../shared/relay/relayErrors';
import { type SignInAnswer, type SignInRequestDetails, signInAnswered } from '../../../shared/schemas/signInRequests';
import type { Account } from '../store/accountStore';

export type AnswerOutcome =
  | { kind: 'approved' | 'denied' | 'reported' }
  | {
      kind:
        | 'wrong_number'
        | 'expired'
        | 'answered_elsewhere'
        | 'gone'
        | 'not_verified'
        | 'passkey_missing'
        | 'offline'
        | 'refused'
        | 'phishing_blocked';
      detail?: string;
    }
  | { kind: 'invalid_number' };

/** A typed number the relay could have picked: two digits, 10–99. */
export function parseTypedNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d{2}$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return value >= numberMatching.min && value <= numberMatching.max ? value : undefined;
}

export async function answerSignInRequest(
  account: Account,
  details: SignInRequestDetails,
  decision: Decision,
  typedText: string,
): Promise<AnswerOutcome> {
  const typedNumber = decision === 'approve' ? parseTypedNumber(typedText) : undefined;
  if (decision === 'approve' && typedNumber === undefined) return { kind: 'invalid_number' };
  // The site the phone showed as checked is part of what it signs (empty when it could not be checked).
  const binding: ApprovalBinding = {
    requestId: details.requestId,
    nonce: details.nonce,
    site: boundSite(details.context),
    typedNumber: typedNumber ?? null,
    decision,
  };

  let assertion: SignInAnswer['assertion'];
  if (decision === 'approve') {
    try {
      const response = await startAuthentication({
        optionsJSON: {
          challenge: await approvalChallenge(binding),
          rpId: details.webauthn.rpId,
          allowCredentials: details.webauthn.allowCredentials,
          userVerification: details.webauthn.userVerification,
          timeout: details.webauthn.timeout,
        },
      });
      assertion = { ...response, clientExtensionResults: { ...response.clientExtensionResults } };
    } catch (error) {
      // Send nothing. What went wrong decides what the person is told.
      return { kind: passkeyFailure(error), detail: (error as Error).name };
    }
  }

  const body: SignInAnswer = {
    registrationId: account.registrationId,
    decision,
    typedNumber: binding.typedNumber,
    ...(assertion ? { assertion } : {}),
    deviceSignature: await signWithDeviceKey(account.deviceKey, canonicalApproval(binding)),
  };
  try {
    const answered = await callRelay(`${account.relayUrl}/api/sign-in-requests/${encodeURIComponent(details.requestId)}/answer`, {
      body,
      answer: signInAnswered,
    });
    return { kind: answered.status };
  } catch (error) {
    if (error instanceof RelayUnreachable) return { kind: 'offline' };
    if (!(error instanceof RelayProblem)) throw error;
    switch (error.code) {
      case 'wrong_number':
        return { kind: 'wrong_number' };
      case 'request_expired':
        return { kind: 'expired' };
      case 'already_answered':
        return { kind: 'answered_elsewhere' };
      case 'request_not_found':
        return { kind: 'gone' };
      case 'phishing_blocked':
        return { kind: 'phishing_blocked', detail: error.detail };
      default:
        return { kind: 'refused', detail: error.detail };
    }
  }
}

/**
 * A failed passkey check: NotAllowedError is a cancel, a timeout, a PIN or biometric not confirmed
 * or (browsers do not say which) no passkey found; the Approve screen calls a second one in a row
 * missing. InvalidStateError, NotFoundError, NotSupportedError and UnknownError mean the platform
 * cannot use this account's passkey at all.
 */
export function passkeyFailure(error: unknown): 'not_verified' | 'passkey_missing' {
  const names = [(error as Error | undefined)?.name, ((error as { cause?: Error } | undefined)?.cause as Error | undefined)?.name];
  const broken = ['InvalidStateError', 'NotFoundError', 'NotSupportedError', 'UnknownError'];
  return names.some((name) => name !== undefined && broken.includes(name)) ? 'passkey_missing' : 'not_verified';
}

/** What the person sees after answering, in plain words. */
export function outcomeMessage(outcome: AnswerOutcome, kind: SignInRequestDetails['kind']): string {
  switch (outcome.kind) {
    case 'approved':
      return kind === 'passwordless'
        ? 'Approved. You are being signed in on the other device.'
        : 'Approved. The sign-in continues on the other device.';
    case 'denied':
      return 'Denied. Nobody was signed in.';
    case 'reported':
      return 'Reported. Nobody was signed in, and your organization has been told. Phone sign-in for this account is paused: requests from browsers you never used wait until you sign in from one you used before, or your admin clears it.';
    case 'wrong_number':
      return "That number didn't match the one on the sign-in screen, so the sign-in was stopped. Start again on the other device.";
    case 'expired':
      return 'This sign-in request has expired. Start again on the other device.';
    case 'answered_elsewhere':
      return 'This sign-in request was already answered.';
    case 'gone':
      return 'This sign-in request is no longer waiting.';
    case 'not_verified':
      return "Nothing was sent: your PIN or biometric wasn't confirmed, or this phone didn't find the account's passkey. Try again; if your phone doesn't ask for your PIN or biometric, Nod will tell you what to do.";
    case 'passkey_missing':
      return "This phone no longer has the passkey for this account (it goes when the phone's screen lock is reset or the browser's data is cleared), so nothing was sent. To approve sign-ins again, remove the account from this phone and add it again with a new Temporary Access Pass from your admin. Until then, deny the request or use a verification code.";
    case 'offline':
      return "Can't reach your organization's Nod service, so nothing was sent. Check your connection, or sign in with a verification code.";
    case 'invalid_number':
      return 'Enter the two-digit number shown on the sign-in screen.';
    case 'refused':
      return outcome.detail ?? 'The relay could not accept this answer.';
    case 'phishing_blocked':
      return outcome.detail ?? "This sign-in was on a site that is not your organization's — nothing was approved.";
  }
}
