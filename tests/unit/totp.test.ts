import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, totpCode, totpStep } from '../../shared/totp';
import rfc6238 from '../vectors/rfc6238.json';

const seed = new TextEncoder().encode(rfc6238.seedAscii);
const secret = base32Encode(seed);

/** RFC 6238 Appendix B, walked against shared/totp.ts: the code the app shows and the code the relay checks. */
describe('TOTP against RFC 6238 Appendix B (SHA-1, 30 s, T0 = 0)', () => {
  it('the seed survives base32, the form an authenticator app is given', () => {
    expect(seed).toHaveLength(20);
    expect(base32Decode(secret)).toEqual(seed);
  });

  it.each(rfc6238.vectors)('at $timeSeconds s ($utc UTC): T = $stepHex, code $totp', async ({ timeSeconds, utc, stepHex, totp }) => {
    const ms = timeSeconds * 1000;
    // The table's own columns agree with each other: its UTC time is this Unix time.
    expect(new Date(ms).toISOString().replace('T', ' ').slice(0, 19)).toBe(utc);
    const step = totpStep(ms, rfc6238.timeStepSeconds);
    expect(step.toString(16).toUpperCase().padStart(16, '0')).toBe(stepHex);
    expect(await totpCode(secret, ms, rfc6238.digits)).toBe(totp);
    expect(await hotp(seed, step, rfc6238.digits, 'SHA-1')).toBe(totp);
  });

  it.each(rfc6238.vectors)('at $timeSeconds s the app’s 6-digit code is the last six digits of $totp', async ({ timeSeconds, totp }) => {
    // RFC 4226 §5.3: the code is the truncated value mod 10^digits, so 6 digits are the 8-digit code's tail.
    expect(await totpCode(secret, timeSeconds * 1000)).toBe(totp.slice(-6));
  });
});
