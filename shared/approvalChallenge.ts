import { sha256, toBase64Url, utf8 } from './base64url';

export const decisions = ['approve', 'deny', 'report'] as const;
export type Decision = (typeof decisions)[number];

export interface ApprovalBinding {
  requestId: string;
  /** The relay's nonce for this request, given to the phone with the request's details. */
  nonce: string;
  /**
   * The site the phone showed as checked (the request's `context.origin`, see `boundSite`), or the
   * empty string when the site could not be checked. For a request from a registered browser it is
   * the origin that browser observed and signed: the approval is bound to the verifier's name as the
   * browser saw it (NIST SP 800-63B-4 §3.2.5, verifier-name binding).
   */
  site: string;
  /** The number the user typed; null when the user denied or reported without typing one. */
  typedNumber: number | null;
  decision: Decision;
}

/** A scheme, `://`, and a host with an optional port: nothing that could add a line or hide a character. */
const siteSyntax = /^[a-z][a-z0-9+.-]*:\/\/[A-Za-z0-9.[\]:-]+$/;

/**
 * The canonical encoding of an approval: one line per field, in this order, after a version tag.
 * Request ids and nonces are base64url, the site is an origin (or empty) and numbers are digits, so
 * no field can contain a newline and the encoding is unambiguous.
 */
export function canonicalApproval(binding: ApprovalBinding): Uint8Array {
  for (const value of [binding.requestId, binding.nonce]) {
    if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new Error('request id and nonce must be base64url');
  }
  if (binding.site !== '' && !siteSyntax.test(binding.site)) throw new Error('the site must be an origin or empty');
  const number = binding.typedNumber === null ? '' : String(Math.trunc(binding.typedNumber));
  return utf8(['nod-approval-v2', binding.requestId, binding.nonce, binding.site, number, binding.decision].join('\n'));
}

/** The WebAuthn challenge of an approval: SHA-256 of its canonical encoding, base64url. */
export async function approvalChallenge(binding: ApprovalBinding): Promise<string> {
  return toBase64Url(await sha256(canonicalApproval(binding)));
}

/** The site an approval binds for a request as the phone sees it: its checked origin, else nothing. */
export function boundSite(context: { origin?: string }): string {
  return context.origin ?? '';
}

/**
 * The canonical encoding of "trust this browser": the phone's passkey (with user verification) and its
 * device key sign it after the user approved a sign-in that browser brokered. Ids are base64url.
 */
export function canonicalBrowserTrust(binding: { requestId: string; nonce: string; browserId: string }): Uint8Array {
  for (const value of [binding.requestId, binding.nonce, binding.browserId]) {
    if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new Error('ids and nonce must be base64url');
  }
  return utf8(['nod-trust-browser-v1', binding.requestId, binding.nonce, binding.browserId].join('\n'));
}

/** The WebAuthn challenge of a browser trust: SHA-256 of its canonical encoding, base64url. */
export async function browserTrustChallenge(binding: { requestId: string; nonce: string; browserId: string }): Promise<string> {
  return toBase64Url(await sha256(canonicalBrowserTrust(binding)));
}
