import type { FastifyError, FastifyInstance } from 'fastify';
import { StorageUnavailableError } from '../storage/StorageUnavailableError';
import { ProblemError, sendProblem } from './problem';

/** Every error leaves as problem+json; unknown routes are 404, known paths with the wrong method 405. */
export function registerErrorHandling(app: FastifyInstance): void {
  // Remember each route's path pattern so an unknown method on a known path can be told apart.
  const routes: { method: string; pattern: RegExp }[] = [];
  app.addHook('onRoute', (route) => {
    const source = route.url
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    for (const method of [route.method].flat()) routes.push({ method, pattern: new RegExp(`^${source}$`) });
  });

  app.setErrorHandler((error: FastifyError | ProblemError | StorageUnavailableError, request, reply) => {
    if (error instanceof ProblemError) {
      if (error.options.privateDetail) request.log.info({ code: error.code, detail: error.options.privateDetail }, 'refused');
      return sendProblem(reply, error);
    }
    if (error instanceof StorageUnavailableError) {
      // Logged once per period with its cause where storage reported it (health/watchStorage), not here per request.
      return sendProblem(
        reply,
        new ProblemError('storage_unavailable', 'The relay cannot use its storage right now; try again shortly.', {
          headers: { 'retry-after': String(error.retryAfterSeconds) },
        }),
      );
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(reply, new ProblemError('body_too_large', `The body may be at most ${app.initialConfig.bodyLimit} bytes.`));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendProblem(reply, new ProblemError('unsupported_media_type', 'Send the body as application/json.'));
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return sendProblem(reply, new ProblemError('malformed_json', 'The body could not be parsed as JSON.'));
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(reply, new ProblemError('validation_failed', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, new ProblemError('internal'));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const other = [...new Set(routes.filter((r) => r.method !== 'HEAD' && r.pattern.test(path)).map((r) => r.method))];
    if (other.length > 0) {
      reply.header('allow', other.join(', '));
      return sendProblem(
        reply,
        new ProblemError('method_not_allowed', `${request.method} is not allowed here; use ${other.join(' or ')}.`),
      );
    }
    return sendProblem(reply, new ProblemError('not_found', `Nothing is at ${path}.`));
  });
}
