import { ProblemError } from '../http/problem';

/**
 * The one refusal of every limit: `429` problem+json with `Retry-After`, the same words whether
 * the account exists or not and whichever limit it was (the private detail says which, for the log).
 */
export function tooManyAttempts(retryAfterMs: number, privateDetail: string): ProblemError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new ProblemError('too_many_attempts', `Too many attempts. Wait ${seconds} s before trying again.`, {
    headers: { 'retry-after': String(seconds) },
    privateDetail,
  });
}

/** Consecutive failures `count` of which the first `from` are free: the wait before the next try (doubling, capped). */
export function backOffMs(count: number, from: number, firstMs: number, capMs: number): number {
  if (count < from) return 0;
  return Math.min(capMs, firstMs * 2 ** Math.min(30, count - from));
}
