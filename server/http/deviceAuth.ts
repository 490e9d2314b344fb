import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { deviceSignatureWindowMs } from '../../shared/constants';
import { deviceSigningText, parseDeviceAuthorization, verifyDeviceSignature } from '../../shared/deviceSignature';
import type { RelayContext } from '../context';
import type { Storage } from '../storage/Storage';
import type { Device } from '../storage/model';
import { ProblemError } from './problem';

/**
 * Signed inputs already used, in storage: a call replayed within the window is refused, after a
 * restart too, and by every relay that shares the store. Keyed on the device and the hash of what
 * was signed, not on the signature's bytes, so no other encoding of a signature passes either.
 */
export class ReplayGuard {
  private prunedAt = 0;
  constructor(
    private storage: Storage,
    private windowMs = deviceSignatureWindowMs,
  ) {}

  /** True the first time this device's signed input is seen within its window. */
  async firstUse(deviceId: string, input: Uint8Array, timestamp: number, now: number): Promise<boolean> {
    if (now - this.prunedAt > this.windowMs) {
      this.prunedAt = now;
      await this.storage.usedDeviceSignatures.prune(now);
    }
    const inputHash = createHash('sha256').update(input).digest('base64url');
    // The timestamp is accepted until `timestamp + window`: the entry must outlive that.
    return this.storage.usedDeviceSignatures.use(deviceId, inputHash, timestamp + this.windowMs, now);
  }
}

/** Every refusal of a device-signed call looks the same; the reason goes to the log only. */
function refuse(privateDetail: string): ProblemError {
  return new ProblemError('device_signature_invalid', 'Sign the call with the device key.', { privateDetail });
}

/**
 * Authenticate a phone or browser call by its device key: the signature covers method, path,
 * body hash and timestamp; the timestamp must be within the window, the signature in its one
 * strict encoding, and each signed input is used once. Every failure is the same 401, but for a
 * timestamp outside the window: `device_clock_skew` with the relay's `serverTime`, so a phone whose
 * clock is off can sign again on the relay's clock (shared/relay/relayClock). That check comes
 * before the device is looked up: it answers the same for any device id, real or not, and says only
 * what the relay's `Date` header says anyway.
 */
export async function authenticateDevice(ctx: RelayContext, guard: ReplayGuard, request: FastifyRequest): Promise<Device> {
  const auth = parseDeviceAuthorization(request.headers.authorization);
  if (!auth) throw refuse('no or malformed Nod-Device authorization');
  const now = ctx.now();
  if (Math.abs(now - auth.timestamp) > deviceSignatureWindowMs) {
    throw new ProblemError('device_clock_skew', "The device's clock is off: sign the call again on the relay's clock (serverTime).", {
      privateDetail: `timestamp ${auth.timestamp} is ${now - auth.timestamp} ms from the relay's clock`,
      serverTime: now,
    });
  }
  const device = await ctx.storage.devices.byId(auth.deviceId);
  if (!device) throw refuse('unknown device');
  const input = deviceSigningText({
    method: request.method,
    path: request.url,
    timestamp: auth.timestamp,
    bodyHash: createHash('sha256')
      .update(request.rawBody ?? '', 'utf8')
      .digest('base64url'),
  });
  if (!(await verifyDeviceSignature(device.publicKey, input, auth.signature))) throw refuse('bad signature');
  if (!(await guard.firstUse(device.id, input, auth.timestamp, now))) throw refuse('replayed signature');
  return device;
}
