/**
 * A phone whose clock is off (shared/relay/relayClock): the relay's `device_clock_skew` answer says
 * its time; the phone signs on that time from then on, for that relay only.
 */
import { describe, expect, it } from 'vitest';
import { isClockSkew, learnRelayClock, relayNow } from '../../shared/relay/relayClock';
import { RelayProblem, RelayUnreachable } from '../../shared/relay/relayErrors';

const skew = (serverTime?: string) => new RelayProblem({ status: 401, code: 'device_clock_skew', serverTime });

describe('the relay’s clock, as a device learns it', () => {
  it('is the device’s own clock until a relay says otherwise', () => {
    expect(relayNow('https://nod.unit-a.example', 1_000)).toBe(1_000);
  });

  it('follows the relay’s serverTime, per relay origin, and only from device_clock_skew', () => {
    const relay = 'https://nod.unit-b.example';
    const now = Date.parse('2026-01-01T12:00:00.000Z');
    expect(learnRelayClock(`${relay}/`, skew('2026-01-01T12:10:00.000Z'), now)).toBe(true);
    expect(relayNow(relay, now)).toBe(now + 10 * 60_000);
    expect(relayNow(`${relay}/api/device/events`, now + 5)).toBe(now + 5 + 10 * 60_000);
    // Another relay's clock is its own.
    expect(relayNow('https://nod.unit-c.example', now)).toBe(now);
    // Nothing else moves it: another refusal, no time, a time that is not one, the network.
    const other = new RelayProblem({ status: 401, code: 'device_signature_invalid', serverTime: '2030-01-01T00:00:00Z' });
    for (const failure of [other, skew(), skew('yesterday'), new RelayUnreachable(), new Error('x')]) {
      expect(learnRelayClock(relay, failure, now)).toBe(false);
    }
    expect(relayNow(relay, now)).toBe(now + 10 * 60_000);
    expect(isClockSkew(skew())).toBe(true);
    expect(isClockSkew(other)).toBe(false);
  });
});
