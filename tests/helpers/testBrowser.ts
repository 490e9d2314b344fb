/**
 * A browser as the Nod extension is one, for tests: its own P-256 key, made known to a tenant with
 * `POST /api/t/:tenant/browsers` (which trusts nothing), signing its calls with the device signature.
 */
import { expect } from 'vitest';
import { deviceAuthorizationHeader } from '../../shared/deviceSignature';
import { createDeviceKey } from './softAuthenticator';
import { fetchJson } from './startRelay';

export interface TestBrowser {
  deviceId: string;
  /** Create a sign-in request, signed with the browser key, for the origin the browser observed. */
  createRequest(
    username: string,
    options?: { origin?: string; client?: object },
  ): Promise<{ status: number; body: any; authorization: string }>;
  /** Register the browser for a user with a Temporary Access Pass. */
  addUserWithPass(username: string, temporaryAccessPass: string): Promise<{ status: number; body: any }>;
}

export async function startTestBrowser(relayUrl: string, tenant = 'contoso', name = 'Chrome on Linux'): Promise<TestBrowser> {
  const key = await createDeviceKey();
  const known = await fetchJson(`${relayUrl}/api/t/${tenant}/browsers`, { body: { publicKey: key.publicJwk, name } });
  expect(known.status).toBe(201);
  const deviceId: string = known.body.deviceId;
  const signed = async (path: string, body: unknown) => {
    const text = JSON.stringify(body);
    const authorization = await deviceAuthorizationHeader(deviceId, key.privateKey, { method: 'POST', path, body: text });
    return { ...(await fetchJson(`${relayUrl}${path}`, { body: text, headers: { authorization } })), authorization };
  };
  return {
    deviceId,
    createRequest: (username, options = {}) =>
      signed(`/api/t/${tenant}/sign-in-requests`, {
        username,
        origin: options.origin ?? relayUrl,
        ...(options.client ? { client: options.client } : {}),
      }),
    addUserWithPass: (username, temporaryAccessPass) => signed(`/api/t/${tenant}/browsers/self/users`, { username, temporaryAccessPass }),
  };
}
