import type { FastifyInstance } from 'fastify';
import { fieldPath } from './parseWith';
import { ProblemError } from './problem';

/** Whether any string in a parsed value holds U+0000 (no allocation: the common case finds none). */
function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) {
    for (const item of value) if (hasNul(item)) return true;
  } else if (value && typeof value === 'object') {
    for (const key in value) if (Object.hasOwn(value, key) && hasNul((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/** The path of the first string holding U+0000 in a parsed value, or undefined. */
function findNul(value: unknown, path: PropertyKey[] = []): PropertyKey[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findNul(item, [...path, index]);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = findNul(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * No name, label, id or secret the relay takes has a reason to hold U+0000, and PostgreSQL's text
 * cannot store it: refuse it in the path, the query or a JSON body, naming the field, before any
 * handler (or storage) sees it — on either backend, so both answer alike.
 */
export function refuseNulCharacter(app: FastifyInstance): void {
  // A callback hook, not an async one: no promise and no extra turn for every call.
  app.addHook('preValidation', (request, _reply, done) => {
    if (!hasNul(request.params) && !hasNul(request.query) && !hasNul(request.body)) {
      done();
      return;
    }
    for (const [where, value] of [
      ['path', request.params],
      ['query', request.query],
      ['body', request.body],
    ] as const) {
      if (!hasNul(value)) continue;
      const field = fieldPath(findNul(value) ?? []);
      done(
        new ProblemError('validation_failed', `${where} field ${field}: must not contain the character U+0000`, {
          errors: [{ field, message: 'must not contain the character U+0000' }],
        }),
      );
      return;
    }
    done();
  });
}
