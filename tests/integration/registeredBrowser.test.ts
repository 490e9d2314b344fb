import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceAuthorizationHeader } from '../../shared/deviceSignature';
import type { TestPhone } from '../helpers/enrollPhone';
import { answer, readRequest } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { createDeviceKey, type DeviceKey } from '../helpers/softAuthenticator';
import { fetchJson } from '../helpers/startRelay';

/** A browser as the extension is one: its own key, registered with the tenant, signing its calls. */
async function testBrowser(relayUrl: string) {
  const key: DeviceKey = await createDeviceKey();
  const registered = await fetchJson(`${relayUrl}/api/t/contoso/browsers`, { body: { publicKey: key.publicJwk, name: 'Chrome' } });
  expect(registered.status).toBe(201);
  const deviceId: string = registered.body.deviceId;
  const signed = async (path: string, body: unknown) => {
    const text = JSON.stringify(body);
    const authorization = await deviceAuthorizationHeader(deviceId, key.privateKey, { method: 'POST', path, body: text });
    return fetchJson(`${relayUrl}${path}`, { body: text, headers: { authorization } });
  };
  return {
    deviceId,
    createRequest: (username: string) => signed('/api/t/contoso/sign-in-requests', { username, origin: 'https://portal.contoso.example' }),
    addUserWithPass: (username: string, temporaryAccessPass: string) =>
      signed('/api/t/contoso/browsers/self/users', { username, temporaryAccessPass }),
  };
}

describe('registered browsers (the extension) and "require a registered browser"', () => {
  let world: SignInWorld;
  let alice: TestPhone;

  beforeAll(async () => {
    world = await startSignInWorld();
    alice = await world.enroll('alice@contoso.example');
  });
  afterAll(() => world.close());

  it('the phone sees a new browser, and after one approval the browser is registered for the user', async () => {
    const browser = await testBrowser(world.relay.url);
    const first = await browser.createRequest('alice@contoso.example');
    expect(first.status).toBe(201);
    const details = (await readRequest(alice, first.body.requestId)).body;
    expect(details.context).toMatchObject({ registeredBrowser: false, newBrowser: true, origin: 'https://portal.contoso.example' });
    await answer(world.relay.url, alice, details, 'approve', { typedNumber: first.body.number });
    const second = await browser.createRequest('alice@contoso.example');
    const again = (await readRequest(alice, second.body.requestId)).body;
    expect(again.context).toMatchObject({ registeredBrowser: true, newBrowser: false });
  });

  it('with the policy option, only registered browsers reach the phone; a TAP registers a browser', async () => {
    const policy = (await world.contoso.admin('GET', '/policy')).body;
    await world.contoso.admin('PUT', '/policy', { ...policy, requireRegisteredBrowser: true });
    const plain = await fetchJson(`${world.relay.url}/api/t/contoso/sign-in-requests`, {
      body: { username: 'alice@contoso.example', origin: 'https://portal.contoso.example' },
    });
    expect(plain.status).toBe(201);
    expect((await readRequest(alice, plain.body.requestId)).status).toBe(404);

    const browser = await testBrowser(world.relay.url);
    const unregistered = await browser.createRequest('alice@contoso.example');
    expect((await readRequest(alice, unregistered.body.requestId)).status).toBe(404);

    const tap = await world.contoso.admin('POST', '/users/alice@contoso.example/temporary-access-pass', {});
    const added = await browser.addUserWithPass('alice@contoso.example', tap.body.temporaryAccessPass);
    expect(added.status).toBe(200);
    const registered = await browser.createRequest('alice@contoso.example');
    expect((await readRequest(alice, registered.body.requestId)).body.context.registeredBrowser).toBe(true);
  });
});
