import { RelayProblem } from './relayErrors';

/**
 * How far each relay's clock is from this device's (milliseconds to add to `Date.now()`), by the
 * relay's origin, in this context (page, service worker, extension background). A device-signed
 * call carries a timestamp the relay accepts only within a short window; a phone whose clock is off
 * is answered `401 device_clock_skew` with the relay's `serverTime`, and signs again on the relay's
 * clock. Kept per relay: one relay's answer never moves the time signed for another.
 */
const offsets = new Map<string, number>();

const originOf = (relayUrl: string) => {
  try {
    return new URL(relayUrl).origin;
  } catch {
    return relayUrl;
  }
};

/** Now, on the relay's clock as this device last learnt it (its own clock until a relay said otherwise). */
export function relayNow(relayUrl: string, now = Date.now()): number {
  return now + (offsets.get(originOf(relayUrl)) ?? 0);
}

/**
 * Learn the relay's clock from its answer to a device-signed call: true when it was
 * `device_clock_skew` with a readable `serverTime` (sign again: the next timestamp is on the relay's
 * clock), false for any other failure.
 */
export function learnRelayClock(relayUrl: string, failure: unknown, now = Date.now()): boolean {
  if (!(failure instanceof RelayProblem) || failure.code !== 'device_clock_skew' || failure.serverTime === undefined) return false;
  const serverTime = Date.parse(failure.serverTime);
  if (Number.isNaN(serverTime)) return false;
  offsets.set(originOf(relayUrl), serverTime - now);
  return true;
}

/** The relay refused a device-signed call because this device's clock is off, even on the relay's clock as learnt. */
export const isClockSkew = (failure: unknown): boolean => failure instanceof RelayProblem && failure.code === 'device_clock_skew';
