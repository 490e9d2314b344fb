import type { FastifyInstance } from 'fastify';
import { fieldPath } from './parseWith';
import { ProblemError } from './problem';

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
  app.addHook('preValidation', async (request) => {
    for (const [where, value] of [
      ['path', request.params],
      ['query', request.query],
      ['body', request.body],
    ] as const) {
      const path = findNul(value);
      if (!path) continue;
      const field = fieldPath(path);
      throw new ProblemError('validation_failed', `${where} field ${field}: must not contain the character U+0000`, {
        errors: [{ field, message: 'must not contain the character U+0000' }],
      });
    }
  });
}
