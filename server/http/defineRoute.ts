import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { z } from 'zod';
import { noContent } from '../../shared/schemas/common';
import type { EventSchemas } from './eventStream';
import { parseWith } from './parseWith';

/** The handler sends the answer itself (a page, a redirect, a file): it returns the reply it sent. */
export const rawReply = { kind: 'raw' } as const;

/** The answer is a server-sent event stream of these events: the handler opens it with `openEventStream`. */
export function eventStreamReply<M extends EventSchemas>(events: M): { kind: 'eventStream'; events: M } {
  return { kind: 'eventStream', events };
}

/** What a route answers: JSON of a schema (`noContent` for 204), an event stream, or whatever the handler sends. */
export type ReplySpec = z.ZodType | typeof rawReply | { kind: 'eventStream'; events: EventSchemas };

/**
 * The tests set NOD_CHECK_ANSWERS=1: every JSON answer is then checked against its schema as it
 * leaves, so what the types cannot see (a URL's form, a length, a pattern) fails a test rather than a
 * client. Off otherwise: the types already hold the shape, and the clients check what they receive.
 */
const checkAnswers = process.env.NOD_CHECK_ANSWERS === '1';

type Schema = z.ZodType | undefined;
type Parsed<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

/** What the handler must return: the reply schema's input (what goes on the wire), checked at compile time. */
export type HandlerResult<R extends ReplySpec> = R extends typeof noContent
  ? undefined
  : R extends z.ZodType
    ? z.input<R>
    : R extends typeof rawReply
      ? FastifyReply
      : undefined;

export interface RouteSpec<P extends Schema, Q extends Schema, H extends Schema, B extends Schema, R extends ReplySpec, A> {
  method: HTTPMethods;
  url: string;
  params?: P;
  query?: Q;
  headers?: H;
  body?: B;
  reply: R;
  /** The status of a successful JSON answer (200 unless said). */
  status?: number;
  /**
   * Who is calling, checked after the path and before the query, headers and body are read: a caller
   * who may not call learns nothing about what it sent.
   */
  authenticate?: (request: FastifyRequest, params: Parsed<P>, reply: FastifyReply) => Promise<A>;
}

export interface RouteCall<P extends Schema, Q extends Schema, H extends Schema, B extends Schema, A> {
  params: Parsed<P>;
  query: Parsed<Q>;
  headers: Parsed<H>;
  body: Parsed<B>;
  /** What `authenticate` answered. */
  auth: A;
  request: FastifyRequest;
  /** For headers (`cache-control`) and for handlers that send the answer themselves. */
  reply: FastifyReply;
}

function parseIf<S extends Schema>(schema: S, value: unknown, where: string): Parsed<S>;
function parseIf(schema: Schema, value: unknown, where: string): unknown {
  return schema ? parseWith(schema, value, where) : undefined;
}

/**
 * Declare a relay route from the schemas in shared/schemas: the path, query, headers and body are
 * validated with `parseWith` before the handler runs (a 400 problem+json naming the field), the
 * handler receives the parsed values, and what it returns is checked against the reply schema when
 * the relay is compiled. (TypeScript widens a literal returned on its own before it knows the
 * reply schema: write `'ok' as const`.)
 */
export function defineRoute<
  P extends Schema = undefined,
  Q extends Schema = undefined,
  H extends Schema = undefined,
  B extends Schema = undefined,
  R extends ReplySpec = ReplySpec,
  A = undefined,
>(app: FastifyInstance, spec: RouteSpec<P, Q, H, B, R, A>, handler: (call: RouteCall<P, Q, H, B, A>) => Promise<HandlerResult<R>>): void {
  const reply: ReplySpec = spec.reply;
  app.route({
    method: spec.method,
    url: spec.url,
    handler: async (request, fastifyReply) => {
      // `spec.params` is absent exactly when P is undefined (the same holds for Q, H and B below).
      const params = parseIf(spec.params as P, request.params, 'path');
      // Without `authenticate` there is nobody to name: `auth` is undefined, as the type A defaults to.
      const auth = (spec.authenticate ? await spec.authenticate(request, params, fastifyReply) : undefined) as A;
      const call: RouteCall<P, Q, H, B, A> = {
        params,
        query: parseIf(spec.query as Q, request.query, 'query'),
        headers: parseIf(spec.headers as H, request.headers, 'header'),
        body: parseIf(spec.body as B, request.body, 'body'),
        auth,
        request,
        reply: fastifyReply,
      };
      const result = await handler(call);
      if (reply === rawReply || !('safeParse' in reply)) return fastifyReply;
      if (checkAnswers) {
        const checked = reply.safeParse(result);
        if (!checked.success) throw new Error(`${spec.method} ${spec.url} answered outside its schema: ${checked.error.message}`);
      }
      if (reply === noContent) return fastifyReply.status(204).send();
      return fastifyReply.status(spec.status ?? 200).send(result);
    },
  });
}
