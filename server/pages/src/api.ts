import type { z } from 'zod';

export interface CallResult<T> {
  ok: boolean;
  status: number;
  body: T | undefined;
  /** A plain sentence for the person, from the problem+json answer, when the call failed. */
  error?: string;
  /** The problem's stable code, when the call failed. */
  code?: string;
  response?: Response;
  /** The answer's JSON as received, before validation. */
  raw?: unknown;
}

const fallback = 'Something went wrong. Check your connection and try again.';

/**
 * Call the relay (same origin) with a JSON body. The answer is validated against `schema`; a
 * problem+json answer becomes `error` (its detail or title) and `code`.
 */
export async function callRelay<S extends z.ZodType>(
  method: string,
  url: string,
  schema: S | undefined,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<CallResult<z.infer<S>>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    return { ok: false, status: 0, body: undefined, error: fallback };
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const problem = (json ?? {}) as { detail?: string; title?: string; code?: string };
    return {
      ok: false,
      status: response.status,
      body: undefined,
      error: problem.detail ?? problem.title ?? fallback,
      code: problem.code,
      response,
    };
  }
  if (!schema) return { ok: true, status: response.status, body: undefined, response, raw: json };
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, status: response.status, body: undefined, error: fallback, response };
  return { ok: true, status: response.status, body: parsed.data, response };
}
