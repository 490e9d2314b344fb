import type { z } from 'zod';
import { deviceAuthorizationHeader } from '../deviceSignature';
import { learnRelayClock, relayNow } from './relayClock';
import { type RelayCall, sendToRelay } from './sendToRelay';
import type { WebCryptoKey } from '../webPlatform';

/**
 * Signs one call: method, path with query, body text, and the time to sign (the relay's clock as this
 * device knows it, shared/relay/relayClock). Undefined sends the call unsigned.
 */
export type DeviceSigner = (request: { method: string; path: string; body: string; timestamp: number }) => Promise<string | undefined>;

/** A device (phone or browser) of one tenant: its own key, or a signer that finds it. */
export type SigningDevice = { relayUrl: string } & ({ deviceId: string; deviceKey: WebCryptoKey } | { sign: DeviceSigner });

/**
 * callRelay signed with a device's non-extractable key (`Authorization: Nod-Device …`, see
 * shared/deviceSignature): the signature covers the method, `path` exactly as sent, the time and the
 * body's hash, and the relay accepts each signature once. The time is the relay's clock as this
 * device learnt it; when the relay answers `device_clock_skew` (this device's clock is off), the call
 * is signed again once on the relay's `serverTime` — the relay refused it before doing anything, so
 * sending it again is safe. A second refusal is the caller's to show ("Your phone's clock is off").
 */
export async function callRelayAsDevice<S extends z.ZodType>(
  device: SigningDevice,
  path: string,
  call: RelayCall<S>,
): Promise<z.output<S>> {
  const send = () =>
    sendToRelay(`${device.relayUrl}${path}`, call, (method, body) => {
      const timestamp = relayNow(device.relayUrl);
      return 'sign' in device
        ? device.sign({ method, path, body, timestamp })
        : deviceAuthorizationHeader(device.deviceId, device.deviceKey, { method, path, body }, timestamp);
    });
  try {
    return await send();
  } catch (error) {
    if (!learnRelayClock(device.relayUrl, error)) throw error;
    return send();
  }
}
