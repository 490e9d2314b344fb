import type { ProblemCode, ProblemField } from '../problemCodes';

/**
 * The relay refused a call: its problem+json answer (RFC 9457), or as much of one as a non-JSON error
 * answer (a proxy's error page) gives. `code` is the relay's stable code, `unknown` when there was none.
 */
export class RelayProblem extends Error {
  readonly status: number;
  readonly code: ProblemCode | 'unknown';
  /** The relay's sentence for people: the problem's `detail`, else its `title`, when it gave one. */
  readonly detail: string | undefined;
  /** The first field at fault, when the request's body, query or path was. */
  readonly field: string | undefined;
  readonly errors: ProblemField[];
  /** How long to wait before trying again, from the `Retry-After` header, in whole seconds. */
  readonly retryAfterSeconds: number | undefined;
  /** The relay's clock (ISO 8601), on `device_clock_skew`: a device signs again on it (shared/relay/relayClock). */
  readonly serverTime: string | undefined;

  constructor(init: {
    status: number;
    code: ProblemCode | 'unknown';
    detail?: string;
    field?: string;
    errors?: ProblemField[];
    retryAfterSeconds?: number;
    serverTime?: string;
  }) {
    super(init.detail ?? `${init.code} (${init.status})`);
    this.name = 'RelayProblem';
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.field = init.field;
    this.errors = init.errors ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.serverTime = init.serverTime;
  }
}

/** The relay could not be reached at all (offline, DNS, TLS, connection refused). */
export class RelayUnreachable extends Error {
  constructor(cause?: unknown) {
    super("Can't reach your organization's Nod service. Check your connection and try again.", { cause });
    this.name = 'RelayUnreachable';
  }
}

/** The relay answered, but not in the shape its schema says: never used as if it were right. */
export class RelayAnswerInvalid extends Error {
  constructor(
    readonly status: number,
    /** Where the answer differs from the schema, for the log (`requests[0].nonce: expected string`). */
    readonly issues: string[],
  ) {
    super(`The relay's answer is not in the expected form (${issues.slice(0, 3).join('; ') || 'not JSON'}).`);
    this.name = 'RelayAnswerInvalid';
  }
}
