import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { deviceSignatureWindowMs } from '../../shared/constants';
import { deviceSigningText, parseDeviceAuthorization, verifyDeviceSignature } from '../../shared/deviceSignature';
import type { RelayContext } from '../context';
import type { SignatureUse, Storage } from '../storage/Storage';
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

  /** What records this device's signed input as used (`use`, or a step's own write); expired entries are pruned now and then. */
  async signatureUse(deviceId: string, input: Uint8Array, timestamp: number, now: number): Promise<SignatureUse> {
    if (now - this.prunedAt > this.windowMs) {
      this.prunedAt = now;
      await this.storage.usedDeviceSignatures.prune(now);
    }
    const inputHash = createHash('sha256').update(input).digest('base64url');
    // The timestamp is accepted until `timestamp + window`: the entry must outlive that.
    return { deviceId, inputHash, expiresAt: timestamp + this.windowMs, now };
  }

  /** Records the signed input as used; refuses the call when it already was. */
  async use(signature: SignatureUse): Promise<void> {
    const { deviceId, inputHash, expiresAt, now } = signature;
    if (!(await this.storage.usedDeviceSignatures.use(deviceId, inputHash, expiresAt, now))) throw refuseReplay();
  }
}

/** Every refusal of a device-signed call looks the same; the reason goes to the log only. */
function refuse(privateDetail: string): ProblemError {
  return new ProblemError('device_signature_invalid', 'Sign the call with the device key.', { privateDetail });
}

/** The refusal of a signed input used before (by `ReplayGuard.use`, or a step's write that records it). */
export const refuseReplay = () => refuse('replayed signature');

/**
 * A device-signed call whose signature checked out, with what was read beside its device: its
 * signed input is not used yet. The call's handler records it (`ReplayGuard.use`, or its own write
 * that records it, refusing with `refuseReplay` when it was used) before it answers anything.
 */
export type SignedCall<R> = R & { device: Device; signature: SignatureUse };

/**
 * Checks a phone's or browser's signed call by its device key: the signature covers method, path,
 * body hash and timestamp; the timestamp must be within the window, the signature in its one
 * strict encoding. `read` reads the device with whatever else the call needs, in one read. Every
 * failure is the same 401, but for a timestamp outside the window: `device_clock_skew` with the
 * relay's `serverTime`, so a phone whose clock is off can sign again on the relay's clock
 * (shared/relay/relayClock). That check comes before the device is looked up: it answers the same
 * for any device id, real or not, and says only what the relay's `Date` header says anyway.
 * Nothing is written before the signature is checked: nobody can use up a device's signed inputs.
 */
export async function checkDeviceCall<R extends { device: Device | undefined }>(
  ctx: RelayContext,
  guard: ReplayGuard,
  request: FastifyRequest,
  read: (deviceId: string) => Promise<R>,
): Promise<SignedCall<R>> {
  const auth = parseDeviceAuthorization(request.headers.authorization);
  if (!auth) throw refuse('no or malformed Nod-Device authorization');
  const now = ctx.now();
  if (Math.abs(now - auth.timestamp) > deviceSignatureWindowMs) {
    throw new ProblemError('device_clock_skew', "The device's clock is off: sign the call again on the relay's clock (serverTime).", {
      privateDetail: `timestamp ${auth.timestamp} is ${now - auth.timestamp} ms from the relay's clock`,
      serverTime: now,
    });
  }
  const found = await read(auth.deviceId);
  const device = found.device;
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
  return { ...found, device, signature: await guard.signatureUse(device.id, input, auth.timestamp, now) };
}

/** Authenticate a device-signed call (see checkDeviceCall) and use its signed input up: each is used once. */
export async function authenticateDevice(ctx: RelayContext, guard: ReplayGuard, request: FastifyRequest): Promise<Device> {
  const { device, signature } = await checkDeviceCall(ctx, guard, request, async (id) => ({ device: await ctx.storage.devices.byId(id) }));
  await guard.use(signature);
  return device;
}
