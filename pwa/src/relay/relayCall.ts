/**
 * Calls to the relay: JSON in and out, problem+json (RFC 9457) turned into a RelayProblem with
 * the relay's stable code and its plain-words detail, and a network failure into OfflineError.
 */
import { deviceAuthorizationHeader } from '../../../shared/deviceSignature';
import type { ProblemCode } from '../../../shared/problemCodes';

export class RelayProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode | 'unknown',
    /** The relay's sentence for people, when it gave one. */
    readonly detail: string | undefined,
    readonly field?: string,
  ) {
    super(detail ?? `${code} (${status})`);
    this.name = 'RelayProblem';
  }
}

export class OfflineError extends Error {
  constructor(cause?: unknown) {
    super("Can't reach your organization's Nod service. Check your connection and try again.", { cause });
    this.name = 'OfflineError';
  }
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Send an already-serialised body; answer the parsed JSON (undefined for 204). */
async function send<T>(
  url: string,
  method: string,
  text: string | undefined,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { accept: 'application/json', ...(text === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: text,
      signal,
      cache: 'no-store',
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new OfflineError(error);
  }
  return readAnswer<T>(response);
}

export async function readAnswer<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const problem = (body ?? {}) as { code?: ProblemCode; detail?: string; title?: string; field?: string };
    throw new RelayProblem(response.status, problem.code ?? 'unknown', problem.detail ?? problem.title, problem.field);
  }
  return body as T;
}

export function relayCall<T>(url: string, options: CallOptions = {}): Promise<T> {
  const text = options.body === undefined ? undefined : JSON.stringify(options.body);
  return send<T>(url, options.method ?? (text === undefined ? 'GET' : 'POST'), text, options.headers ?? {}, options.signal);
}

/** What signs a device call: the tenant's device id and its private key. */
export interface DeviceCredentials {
  relayUrl: string;
  deviceId: string;
  deviceKey: CryptoKey;
}

/** The Authorization header of a device-signed call (each signature is good once, for 60 s). */
export function signDeviceCall(device: DeviceCredentials, method: string, path: string, body = ''): Promise<string> {
  return deviceAuthorizationHeader(device.deviceId, device.deviceKey, { method, path, body });
}

/** A call signed with the device key over method, path, time and the body's hash. */
export async function deviceCall<T>(
  device: DeviceCredentials,
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const authorization = await signDeviceCall(device, method, path, text);
  return send<T>(`${device.relayUrl}${path}`, method, text, { authorization }, signal);
}
