import type { FastifyRequest } from 'fastify';

/** Who is on the other end of an HTTP call, as the relay saw it (for what the phone shows, and for audit). */
export interface CallerInfo {
  ip: string;
  userAgent: string | undefined;
}

export function callerInfo(request: FastifyRequest): CallerInfo {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}
