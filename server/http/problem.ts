import type { FastifyReply } from 'fastify';
import { problemCodes, problemContentType, type Problem, type ProblemCode, type ProblemField } from '../../shared/problemCodes';

/**
 * The one error class of the relay. The wire shows `code`, the public title and `detail`;
 * `privateDetail` goes to the log and audit only.
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
    super(`${code}${detail ? `: ${detail}` : ''}`);
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
