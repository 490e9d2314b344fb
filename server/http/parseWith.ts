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

/**
 * A union (e.g. "a pass or an enrollment code") fails as one issue at its own path, which names
 * no field; report the issues of the branch that came closest instead.
 */
function flatten(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): { path: PropertyKey[]; message: string }[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const closest = issue.errors.reduce((best, branch) => (branch.length < best.length ? branch : best));
      if (closest.length > 0) return flatten(closest, path);
    }
    return [{ path, message: issue.message }];
  });
}

/** Validate a received message against its schema from shared/; a failure is a 400 naming the fields. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.infer<S> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const errors = flatten(result.error.issues).map((issue) => ({
    field: fieldPath(issue.path),
    message: issue.message,
  }));
  const first = errors[0];
  throw new ProblemError('validation_failed', `${where} field ${first.field}: ${first.message}`, { errors });
}
