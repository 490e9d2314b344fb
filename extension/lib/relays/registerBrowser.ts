import { callRelay } from '../../../shared/relay/callRelay';
import type { P256PublicJwk } from '../../../shared/schemas/common';
import { type BrowserRegister, browserRegistered } from '../../../shared/schemas/devices';

/**
 * Register this browser's public key with one tenant of a relay (`POST /api/t/:tenant/browsers`), so the
 * requests it signs are marked as coming from this browser. Answers the device id, or undefined when the
 * relay refuses or cannot be reached: sign-in still works, just without the browser's mark.
 */
export async function registerBrowser(
  relayOrigin: string,
  tenant: string,
  publicKey: P256PublicJwk,
  name: string,
  fetchImpl: typeof fetch = fetch,
): Promise<string | undefined> {
  try {
    const body: BrowserRegister = { publicKey, name: name.slice(0, 100) };
    const { deviceId } = await callRelay(`${relayOrigin}/api/t/${encodeURIComponent(tenant)}/browsers`, {
      body,
      answer: browserRegistered,
      credentials: 'omit',
      fetch: fetchImpl,
    });
    return deviceId;
  } catch {
    return undefined;
  }
}

/** "Chrome on Linux": how the phone will name this browser. */
export function describeThisBrowser(userAgent: string): string {
  const browserName = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : 'Browser';
  const os = /Windows/.test(userAgent)
    ? 'Windows'
    : /Mac OS X/.test(userAgent)
      ? 'macOS'
      : /CrOS/.test(userAgent)
        ? 'ChromeOS'
        : /Linux/.test(userAgent)
          ? 'Linux'
          : 'a computer';
  return `${browserName} on ${os}`;
}
