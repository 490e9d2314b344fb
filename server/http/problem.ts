import type { FastifyReply } from 'fastify';
import { problemCodes, problemContentType, type Problem, type ProblemCode, type ProblemField } from '../../shared/problemCodes';

/**
 * The one error class of the relay. The wire shows `code`, the public title and `detail`;
 * `privateDetail` goes to the log and audit only.
 *
 * It carries no stack trace: a problem is an answer the relay chose, not a fault to trace, and
 * capturing one costs more than the rest of a refused call's handling (about 12 µs of the relay's
 * CPU each, on every bad signature, bad input or unknown path an attacker sends).
 */
export class ProblemError extends Error {
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly options: {
      errors?: ProblemField[];
      privateDetail?: string;
      headers?: Record<string, string>;
      /** The relay's clock (milliseconds), said as `serverTime` (ISO 8601): for `device_clock_skew`. */
      serverTime?: number;
    } = {},
  ) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(`${code}${detail ? `: ${detail}` : ''}`);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    this.status = problemCodes[code].status;
  }

  toProblem(): Problem {
    const errors = this.options.errors;
    return {
      type: `https://nod.invalid/problems/${this.code}`,
      title: problemCodes[this.code].title,
      status: this.status,
      code: this.code,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(errors?.length ? { field: errors[0].field, errors } : {}),
      ...(this.options.serverTime !== undefined ? { serverTime: new Date(this.options.serverTime).toISOString() } : {}),
    };
  }
}

export function sendProblem(reply: FastifyReply, error: ProblemError): FastifyReply {
  for (const [name, value] of Object.entries(error.options.headers ?? {})) reply.header(name, value);
  return reply.status(error.status).type(problemContentType).send(error.toProblem());
}
