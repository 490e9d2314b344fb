import type { z } from 'zod';
import { deviceAuthorizationHeader } from '../deviceSignature';
import { type RelayCall, sendToRelay } from './sendToRelay';
import type { WebCryptoKey } from '../webPlatform';

/** Signs one call: method, path with query, body text. Undefined sends the call unsigned. */
export type DeviceSigner = (request: { method: string; path: string; body: string }) => Promise<string | undefined>;

/** A device (phone or browser) of one tenant: its own key, or a signer that finds it. */
export type SigningDevice = { relayUrl: string } & ({ deviceId: string; deviceKey: WebCryptoKey } | { sign: DeviceSigner });

/**
 * callRelay signed with a device's non-extractable key (`Authorization: Nod-Device …`, see
 * shared/deviceSignature): the signature covers the method, `path` exactly as sent, the time and the
 * body's hash, and the relay accepts each signature once.
 */
export function callRelayAsDevice<S extends z.ZodType>(device: SigningDevice, path: string, call: RelayCall<S>): Promise<z.output<S>> {
  return sendToRelay(`${device.relayUrl}${path}`, call, (method, body) =>
    'sign' in device
      ? device.sign({ method, path, body })
      : deviceAuthorizationHeader(device.deviceId, device.deviceKey, { method, path, body }),
  );
}
