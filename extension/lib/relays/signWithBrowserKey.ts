import { deviceAuthorizationHeader } from '../../../shared/deviceSignature';
import { loadBrowserKey } from './browserKey';
import { loadRelays, saveRelay } from './relayStore';
import { describeThisBrowser, registerBrowser } from './registerBrowser';

/** The device-signed Authorization header for a call to a tenant, when the browser key is registered there. */
export async function signWithBrowserKey(
  relayOrigin: string,
  tenant: string,
  /** `timestamp`: the time to sign, on the relay's clock as this browser knows it (shared/relay/relayClock). */
  request: { method: string; path: string; body: string; timestamp?: number },
): Promise<string | undefined> {
  const relay = (await loadRelays()).find((r) => r.origin === relayOrigin);
  let deviceId = relay?.deviceIds[tenant];
  const key = await loadBrowserKey();
  if (!relay || !key) return undefined;
  if (!deviceId) {
    // The relay may have gained browser registration (or the tenant) since the relay was added.
    deviceId = await registerBrowser(relayOrigin, tenant, key.publicJwk, describeThisBrowser(navigator.userAgent));
    if (!deviceId) return undefined;
    await saveRelay({ ...relay, deviceIds: { ...relay.deviceIds, [tenant]: deviceId } });
  }
  return deviceAuthorizationHeader(deviceId, key.privateKey, request, request.timestamp);
}
