import type { P256PublicJwk } from '../../../shared/schemas/common';

/**
 * Register this browser's public key with one tenant of a relay (`POST /api/browsers`), so requests it
 * signs are marked browser-verified. Answers the device id, or undefined when the relay does not (yet)
 * offer browser registration or refuses: sign-in still works, just without the registered-browser mark.
 */
export async function registerBrowser(
  relayOrigin: string,
  tenant: string,
  publicKey: P256PublicJwk,
  name: string,
  fetchImpl: typeof fetch = fetch,
): Promise<string | undefined> {
  try {
    const response = await fetchImpl(`${relayOrigin}/api/browsers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant, publicKey, devicePublicKey: publicKey, name }),
      credentials: 'omit',
      cache: 'no-store',
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as Record<string, unknown>;
    const id = body.deviceId ?? body.browserId ?? body.id;
    return typeof id === 'string' && /^[A-Za-z0-9_-]{1,200}$/.test(id) ? id : undefined;
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
  const os = /Windows/.test(userAgent) ? 'Windows' : /Mac OS X/.test(userAgent) ? 'macOS' : /CrOS/.test(userAgent) ? 'ChromeOS' : /Linux/.test(userAgent) ? 'Linux' : 'a computer';
  return `${browserName} on ${os}`;
}
