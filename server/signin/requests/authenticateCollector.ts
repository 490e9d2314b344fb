import type { FastifyRequest } from 'fastify';
import type { RelayContext } from '../../context';
import { ProblemError } from '../../http/problem';
import { hashSecret, sameDigest } from '../../ids';
import type { SignInRequest } from '../../storage/model';

/**
 * Only the holder of the collector secret may watch a request or redeem it. A missing request
 * and a wrong secret get the same answer.
 */
export async function authenticateCollector(ctx: RelayContext, request: FastifyRequest, requestId: string): Promise<SignInRequest> {
  const read = await collectorRead(request, requestId, async (id) => {
    const signIn = await ctx.storage.signInRequests.byId(id);
    return signIn && { request: signIn };
  });
  return read.request;
}

/** authenticateCollector, the request read with what the call needs besides (`read`, in one read). */
export async function collectorRead<R extends { request: SignInRequest }>(
  request: FastifyRequest,
  requestId: string,
  read: (id: string) => Promise<R | undefined>,
): Promise<R> {
  const match = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(request.headers.authorization ?? '');
  const found = await read(requestId);
  const presented = hashSecret(match?.[1] ?? '');
  if (!match || !found || !sameDigest(found.request.collectorHash, presented)) {
    throw new ProblemError('request_not_found', 'No such sign-in request for this collector.');
  }
  return found;
}
