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
  app.removeContentTypeParser(['application/json']);
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
