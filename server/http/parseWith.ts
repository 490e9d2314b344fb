import type { z } from 'zod';
import { ProblemError } from './problem';

/** Render a zod issue path as a JSON path: `includeTargets[2].mode`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(body)';
}

/** Validate a received message against its schema from shared/; a failure is a 400 naming the fields. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.infer<S> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    field: fieldPath(issue.path),
    message: issue.message,
  }));
  const first = errors[0];
  throw new ProblemError('validation_failed', `${where} field ${first.field}: ${first.message}`, { errors });
}
