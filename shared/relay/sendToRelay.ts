import type { z } from 'zod';
import { readProblem } from './readProblem';
import { RelayAnswerInvalid, RelayUnreachable } from './relayErrors';
import type { FetchCredentials, FetchInit } from '../webPlatform';

export type RelayMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RelayCall<S extends z.ZodType> {
  /** GET without a body, POST with one, unless said. */
  method?: RelayMethod;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** The schema every successful answer must pass (`noContent` for a 204); anything else is a RelayAnswerInvalid. */
  answer: S;
  signal?: AbortSignal;
  /** Cookies: the hosted pages send their own (same-origin, the default), the extension none (`omit`). */
  credentials?: FetchCredentials;
  /** To read the answer's headers as well (e.g. `Date`, to correct for a wrong clock). */
  onResponse?: (response: Response) => void;
  /** The fetch to use (tests record calls through their own). */
  fetch?: typeof fetch;
}

/** Makes the Authorization header for the exact method and body text about to be sent; undefined sends none. */
export type Authorize = (method: RelayMethod, body: string) => Promise<string | undefined>;

/** Where a value fails its schema, as `path: message` lines. */
function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || '(answer)'}: ${issue.message}`);
}

/** A failure to send or to read is the network's, unless the caller aborted. */
function unreachable(call: { signal?: AbortSignal }, error: unknown): unknown {
  return call.signal?.aborted ? (call.signal.reason ?? error) : new RelayUnreachable(error);
}

/** The one way a call reaches the relay (callRelay, callRelayAsDevice): see callRelay. */
export async function sendToRelay<S extends z.ZodType>(url: string, call: RelayCall<S>, authorize?: Authorize): Promise<z.output<S>> {
  const text = call.body === undefined ? undefined : JSON.stringify(call.body);
  const method = call.method ?? (text === undefined ? 'GET' : 'POST');
  const authorization = authorize ? await authorize(method, text ?? '') : undefined;
  let response: Response;
  try {
    const init: FetchInit = {
      method,
      headers: {
        accept: 'application/json',
        ...(text === undefined ? {} : { 'content-type': 'application/json' }),
        ...call.headers,
        ...(authorization ? { authorization } : {}),
      },
      body: text,
      signal: call.signal,
      credentials: call.credentials,
      cache: 'no-store',
    };
    response = await (call.fetch ?? fetch)(url, init);
  } catch (error) {
    throw unreachable(call, error);
  }
  call.onResponse?.(response);
  if (!response.ok) throw await readProblem(response);
  let answer: string;
  try {
    answer = await response.text();
  } catch (error) {
    throw unreachable(call, error);
  }
  let json: unknown;
  try {
    json = answer === '' ? undefined : JSON.parse(answer);
  } catch {
    throw new RelayAnswerInvalid(response.status, ['the answer is not JSON']);
  }
  const parsed = call.answer.safeParse(json);
  if (!parsed.success) throw new RelayAnswerInvalid(response.status, describeIssues(parsed.error));
  return parsed.data;
}
