import type { FastifyInstance } from 'fastify';
import { ProblemError } from './problem';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received, for device signatures over its hash. */
    rawBody?: string;
  }
}

/** Parse JSON bodies ourselves so the raw text is kept and a syntax error is a clear problem. */
export function registerJsonBody(app: FastifyInstance): void {
  // Every body is JSON: drop Fastify's text/plain parser too, so a text body is a 415 like any other type.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', 'application/problem+json'], { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    request.rawBody = text;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ProblemError('malformed_json', 'The body could not be parsed as JSON.'), undefined);
    }
  });
}
