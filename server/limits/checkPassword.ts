import type { RelayContext } from '../context';
import { verifyPassword } from '../users/passwords';
import { type GuessAttempt, guardSecret } from './guardSecret';
import { passwordQueue } from './passwordQueue';

/**
 * A password guess: a place in the bounded hashing queue (per source IP), then the guessing
 * limits, then scrypt (against a decoy hash when the user has none, so timing does not tell).
 */
export async function checkPassword(
  ctx: RelayContext,
  attempt: GuessAttempt,
  password: string | undefined,
  hash: string | null,
): Promise<boolean> {
  const ok = await passwordQueue.run(`ip:${attempt.caller.ip}`, () =>
    guardSecret(ctx, attempt, async () => (password !== undefined && (await verifyPassword(password, hash)) ? true : undefined)),
  );
  return ok === true;
}
