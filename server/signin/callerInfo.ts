import type { FastifyRequest } from 'fastify';

/** Who is on the other end of an HTTP call, as the relay saw it (for what the phone shows, for audit, and for limits). */
export interface CallerInfo {
  ip: string;
  userAgent: string | undefined;
  /** The Cookie header: the hosted pages' known-browser cookie travels in it (server/limits/knownBrowser). */
  cookie?: string;
  /** `Nod-Collector-Key`: a stable per-browser value the hosted page sends; a source of its own for the limits. */
  collectorKey?: string;
}

export function callerInfo(request: FastifyRequest): CallerInfo {
  const key = request.headers['nod-collector-key'];
  return {
    ip: request.ip,
    userAgent: request.headers['user-agent'],
    ...(request.headers.cookie ? { cookie: request.headers.cookie } : {}),
    ...(typeof key === 'string' && key.length > 0 && key.length <= 200 ? { collectorKey: key } : {}),
  };
}
