import { z } from 'zod';

/**
 * Stable error codes that cross the wire in problem+json bodies (RFC 9457).
 * The code and a public description are all a client ever sees; the private detail
 * (which check failed, the ids involved) goes to the log and the audit record only.
 */
export const problemCodes = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  malformed_json: { status: 400, title: 'The request body is not valid JSON' },
  unsupported_media_type: { status: 415, title: 'The request body must be JSON' },
  body_too_large: { status: 413, title: 'The request body is too large' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  unauthorized: { status: 401, title: 'Authentication is required' },
  forbidden: { status: 403, title: 'Not allowed' },
  tenant_not_found: { status: 404, title: 'Unknown tenant' },
  user_not_found: { status: 404, title: 'Unknown user' },
  group_not_found: { status: 404, title: 'Unknown group' },
  client_not_found: { status: 404, title: 'Unknown client' },
  conflict: { status: 409, title: 'It already exists' },
  too_many_targets: { status: 400, title: 'The policy has too many targets' },
  tap_invalid: { status: 400, title: 'The Temporary Access Pass is not valid' },
  enrollment_invalid: { status: 400, title: 'The enrollment could not be completed' },
  enrollment_not_allowed: { status: 403, title: 'The Authenticator app cannot be added for this user' },
  registration_not_found: { status: 404, title: 'Unknown registration' },
  phone_sign_in_not_allowed: { status: 403, title: 'Phone sign-in is not allowed for this account' },
  device_signature_invalid: { status: 401, title: 'The device signature is not valid' },
  device_clock_skew: { status: 401, title: "The device's clock is off" },
  request_not_found: { status: 404, title: 'Unknown sign-in request' },
  request_expired: { status: 409, title: 'The sign-in request has expired' },
  already_answered: { status: 409, title: 'The sign-in request was already answered' },
  wrong_number: { status: 409, title: 'The number does not match' },
  approval_invalid: { status: 400, title: 'The approval could not be verified' },
  phishing_blocked: { status: 403, title: "The sign-in was on a site that is not one of the organization's sign-in sites" },
  not_approved: { status: 409, title: 'The sign-in request is not approved' },
  grant_invalid: { status: 400, title: 'The sign-in grant is not valid' },
  code_invalid: { status: 400, title: 'The verification code is not valid' },
  credentials_invalid: { status: 400, title: 'The username or password is not valid' },
  cool_down: { status: 429, title: 'Too many sign-in requests were denied; wait before trying again' },
  too_many_pending: { status: 429, title: 'Too many sign-in requests are waiting' },
  account_disabled: { status: 403, title: 'This account is disabled; ask your admin' },
  too_many_attempts: { status: 429, title: 'Too many attempts; wait before trying again' },
  busy: { status: 503, title: 'The relay is too busy to check this now; try again shortly' },
  strong_sign_in_required: { status: 401, title: 'Sign in with the Authenticator app or a Temporary Access Pass to continue' },
  recent_sign_in_required: { status: 401, title: 'Sign in again to continue' },
  internal: { status: 500, title: 'Something went wrong on the relay' },
  storage_unavailable: { status: 503, title: 'The relay cannot use its storage right now; try again later' },
} as const;

export type ProblemCode = keyof typeof problemCodes;

export function isProblemCode(value: unknown): value is ProblemCode {
  return typeof value === 'string' && Object.hasOwn(problemCodes, value);
}

/** One field that failed validation, named by its JSON path (e.g. `includeTargets[2].mode`). */
export const problemField = z.object({ field: z.string(), message: z.string() });
export type ProblemField = z.infer<typeof problemField>;

/** The problem+json body (RFC 9457) every error answer of the relay has. */
export const problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.custom<ProblemCode>(isProblemCode, 'a problem code'),
  detail: z.string().optional(),
  /** The first field at fault, when the problem is about the request body, query or path. */
  field: z.string().optional(),
  errors: z.array(problemField).optional(),
  /** `device_clock_skew`: the relay's clock (ISO 8601), so the device can sign again on it. */
  serverTime: z.string().optional(),
});
export type Problem = z.infer<typeof problem>;

export const problemContentType = 'application/problem+json';
