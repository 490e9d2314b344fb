import { z } from 'zod';
import { isProblemCode, problemField } from '../problemCodes';
import { RelayProblem } from './relayErrors';

/**
 * Each field is read on its own: a field of the wrong type is dropped, not the whole problem, because
 * an error answer may come from a proxy or an older or newer relay.
 */
const lenientProblem = z.object({
  title: z.string().optional().catch(undefined),
  code: z.string().optional().catch(undefined),
  detail: z.string().optional().catch(undefined),
  field: z.string().optional().catch(undefined),
  errors: z.array(problemField).optional().catch(undefined),
  serverTime: z.string().max(40).optional().catch(undefined),
});

/** `Retry-After` (RFC 9110 §10.2.3) as whole seconds from now: delta-seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * Read an error answer into a RelayProblem: its problem+json body (RFC 9457) when it has one, else
 * just its status, and the Retry-After header when present. Reads (and so uses up) the body.
 */
export async function readProblem(response: Response): Promise<RelayProblem> {
  const text = await response.text().catch(() => '');
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const parsed = lenientProblem.safeParse(json);
  const body = parsed.success ? parsed.data : {};
  return new RelayProblem({
    status: response.status,
    code: isProblemCode(body.code) ? body.code : 'unknown',
    detail: body.detail ?? body.title,
    field: body.field,
    errors: body.errors,
    retryAfterSeconds: retryAfterSeconds(response.headers.get('retry-after')),
    serverTime: body.serverTime,
  });
}
