import type { P256PublicJwk } from '../../../shared/schemas/common';

/**
 * A new device key: ECDSA P-256, the private half non-extractable (it can sign, never be read
 * out), the public half exported as the JWK the relay registers.
 */
export async function createDeviceKey(): Promise<{ deviceKey: CryptoKey; devicePublicJwk: P256PublicJwk }> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  if (!jwk.x || !jwk.y) throw new Error('the browser gave no public key');
  return { deviceKey: pair.privateKey, devicePublicJwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } };
}
