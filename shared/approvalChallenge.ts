import { sha256, toBase64Url, utf8 } from './base64url';

export const decisions = ['approve', 'deny', 'report'] as const;
export type Decision = (typeof decisions)[number];

export interface ApprovalBinding {
  requestId: string;
  /** The relay's nonce for this request, given to the phone with the request's details. */
  nonce: string;
  /** The number the user typed; null when the user denied or reported without typing one. */
  typedNumber: number | null;
  decision: Decision;
}

/**
 * The canonical encoding of an approval: one line per field, in this order, after a version tag.
 * Request ids and nonces are base64url and numbers are digits, so no field can contain a newline
 * and the encoding is unambiguous.
 */
export function canonicalApproval(binding: ApprovalBinding): Uint8Array {
  for (const value of [binding.requestId, binding.nonce]) {
    if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new Error('request id and nonce must be base64url');
  }
  const number = binding.typedNumber === null ? '' : String(Math.trunc(binding.typedNumber));
  return utf8(['nod-approval-v1', binding.requestId, binding.nonce, number, binding.decision].join('\n'));
}

/** The WebAuthn challenge of an approval: SHA-256 of its canonical encoding, base64url. */
export async function approvalChallenge(binding: ApprovalBinding): Promise<string> {
  return toBase64Url(await sha256(canonicalApproval(binding)));
}
