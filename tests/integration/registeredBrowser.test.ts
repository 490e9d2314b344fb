/**
 * Browsers (the Nod extension) are registered by the user, not by anyone: making a key known trusts
 * nothing, approving a sign-in never registers the browser, and only the phone's "Trust this browser"
 * (with user verification) or a Temporary Access Pass does. The user sees and removes them on the phone,
 * the admin per user. Under "require a registered browser" only requests a registered browser signed
 * reach the phone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar } from '../helpers/cookieJar';
import type { TestPhone } from '../helpers/enrollPhone';
import { signInWithPhoneAt } from '../helpers/hostedSignIn';
import { answer, readRequest, trustBrowserOnPhone } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';
import { startTestBrowser } from '../helpers/testBrowser';

const alice = 'alice@contoso.example';

describe('registered browsers: only through an authenticated step the user confirms', () => {
  let world: SignInWorld;
  let alicePhone: TestPhone;

  beforeAll(async () => {
    world = await startSignInWorld();
    alicePhone = await world.enroll(alice);
  });
  afterAll(() => world.close());

  const audit = async (type: string) => (await world.contoso.admin('GET', `/audit?type=${type}`)).body.events as any[];

  it('a request from an unregistered browser key is labelled not checked, and is refused under requireRegisteredBrowser', async () => {
    const browser = await startTestBrowser(world.relay.url, 'contoso', 'Chrome on Linux');
    const created = await browser.createRequest(alice);
    expect(created.status).toBe(201);
    const details = (await readRequest(alicePhone, created.body.requestId)).body;
    // The key signed the origin, but nobody the user trusts stands behind it: no site, "could not be checked".
    expect(details.context.siteCheck).toBe('unchecked');
    expect(details.context).not.toHaveProperty('origin');
    expect(details.context.signedBy).toEqual({ id: browser.deviceId, name: 'Chrome on Linux', registered: false });

    const policy = (await world.contoso.admin('GET', '/policy')).body;
    await world.contoso.admin('PUT', '/policy', { ...policy, requireRegisteredBrowser: true });
    try {
      const refused = await browser.createRequest(alice);
      expect(refused.status).toBe(201); // the same answer as any other, so it tells nothing …
      expect((await readRequest(alicePhone, refused.body.requestId)).status).toBe(404); // … but it never reaches the phone
      const plain = await fetchJson(`${world.relay.url}/api/t/contoso/sign-in-requests`, {
        body: { username: alice, origin: world.relay.url },
      });
      expect(plain.status).toBe(201);
      expect((await readRequest(alicePhone, plain.body.requestId)).status).toBe(404);
      const held = (await audit('sign_in_request.created')).filter((e) =>
        [refused.body.requestId, plain.body.requestId].includes(e.detail.requestId),
      );
      expect(held.map((e) => e.reason)).toEqual([expect.stringContaining('not delivered'), expect.stringContaining('not delivered')]);
    } finally {
      await world.contoso.admin('PUT', '/policy', policy);
    }
  });

  it('browser registration needs the authenticated step: approving is not enough, the phone’s trust with user verification is', async () => {
    const browser = await startTestBrowser(world.relay.url);
    const first = await browser.createRequest(alice);
    const details = (await readRequest(alicePhone, first.body.requestId)).body;
    expect((await answer(world.relay.url, alicePhone, details, 'approve', { typedNumber: first.body.number })).status).toBe(200);
    // Approved, and still not registered: the next request is still not checked.
    const second = await browser.createRequest(alice);
    expect((await readRequest(alicePhone, second.body.requestId)).body.context).toMatchObject({
      siteCheck: 'unchecked',
      signedBy: { registered: false },
    });
    expect(await audit('browser.registered')).toEqual([]);

    // Without the PIN or biometric, the phone cannot trust it.
    const unverified = await trustBrowserOnPhone(world.relay.url, alicePhone, details, { userVerified: false });
    expect(unverified.status).toBe(400);
    expect(unverified.body.code).toBe('approval_invalid');
    // Another account's phone cannot trust it for Alice, nor can anyone trust it on a request that was not approved.
    const bob = await world.enroll('bob@contoso.example');
    const foreign = await trustBrowserOnPhone(world.relay.url, alicePhone, details, {
      registrationId: bob.account.registrationId,
      signer: bob,
    });
    expect(foreign.status).toBe(404);
    const notApproved = (await readRequest(alicePhone, second.body.requestId)).body;
    expect((await trustBrowserOnPhone(world.relay.url, alicePhone, notApproved)).status).toBe(404);
    // A signature over another browser's id does not register this one.
    expect((await trustBrowserOnPhone(world.relay.url, alicePhone, details, { browserId: 'someOtherBrowser' })).status).toBe(401);

    const trusted = await trustBrowserOnPhone(world.relay.url, alicePhone, details);
    expect(trusted.status).toBe(200);
    expect(trusted.body).toEqual({ browserId: browser.deviceId, name: 'Chrome on Linux', registered: true });
    expect(await audit('browser.registered')).toEqual([
      expect.objectContaining({ deviceId: browser.deviceId, username: alice, method: 'phone_approval', outcome: 'success' }),
    ]);

    const third = await browser.createRequest(alice);
    expect((await readRequest(alicePhone, third.body.requestId)).body.context).toMatchObject({
      siteCheck: 'browser',
      origin: world.relay.url,
      signedBy: { id: browser.deviceId, name: 'Chrome on Linux', registered: true },
    });
  });

  it('a Temporary Access Pass registers a browser; the phone and the admin list and remove it', async () => {
    const browser = await startTestBrowser(world.relay.url, 'contoso', 'Firefox on Windows');
    const tap = await world.contoso.admin('POST', `/users/${alice}/temporary-access-pass`, {});
    expect((await browser.addUserWithPass(alice, tap.body.temporaryAccessPass)).status).toBe(200);

    const onPhone = await alicePhone.call('GET', `/api/registrations/${alicePhone.account.registrationId}/browsers`);
    expect(onPhone.status).toBe(200);
    expect(onPhone.body.browsers.map((b: { name: string }) => b.name)).toContain('Firefox on Windows');
    const forAdmin = await world.contoso.admin('GET', `/users/${alice}/browsers`);
    expect(forAdmin.body.browsers).toEqual(onPhone.body.browsers);

    const removed = await alicePhone.call('DELETE', `/api/registrations/${alicePhone.account.registrationId}/browsers/${browser.deviceId}`);
    expect(removed.status).toBe(204);
    const after = await browser.createRequest(alice);
    expect((await readRequest(alicePhone, after.body.requestId)).body.context.siteCheck).toBe('unchecked');
    expect((await world.contoso.admin('DELETE', `/users/${alice}/browsers/${browser.deviceId}`)).status).toBe(404);

    // The admin removes the one the phone trusted earlier.
    const left = (await world.contoso.admin('GET', `/users/${alice}/browsers`)).body.browsers;
    expect(left).toHaveLength(1);
    expect((await world.contoso.admin('DELETE', `/users/${alice}/browsers/${left[0].id}`)).status).toBe(204);
    expect((await world.contoso.admin('GET', `/users/${alice}/browsers`)).body.browsers).toEqual([]);
    expect((await audit('browser.removed')).map((e) => e.detail.by).sort()).toEqual(['admin', 'phone']);
  });

  it('a browser’s name is shown sanitised, and a phone cannot list another account’s browsers', async () => {
    await startTestBrowser(world.relay.url, 'contoso', 'Chrome\u202e xunil no\u0007 \n2');
    const browser = await startTestBrowser(world.relay.url, 'contoso', 'Evil\u2066 Browser\u2069');
    const created = await browser.createRequest(alice);
    const shown = (await readRequest(alicePhone, created.body.requestId)).body.context.signedBy?.name;
    expect(shown).toBe('Evil Browser');
    const bob = await world.enroll('bob@contoso.example');
    const other = await bob.call('GET', `/api/registrations/${alicePhone.account.registrationId}/browsers`);
    expect(other.status).toBe(404);
  });

  it('the user sees and removes a registered browser in My Sign-ins', async () => {
    const browser = await startTestBrowser(world.relay.url, 'contoso', 'Edge on macOS');
    const tap = await world.contoso.admin('POST', `/users/${alice}/temporary-access-pass`, {});
    expect((await browser.addUserWithPass(alice, tap.body.temporaryAccessPass)).status).toBe(200);

    // Signed in to My Sign-ins with the phone (user verification): recent and strong enough to change things.
    const jar = new CookieJar();
    const mySignIns = `${world.relay.url}/t/contoso/my-sign-ins`;
    const { url } = await jar.follow(mySignIns, (u) => u.pathname.includes('/interaction/'));
    const { redirectTo } = await signInWithPhoneAt(jar, world.relay.url, url, 'contoso', alice, alicePhone);
    await jar.follow(redirectTo, (u) => u.pathname === '/t/contoso/my-sign-ins');
    const listed = async () => {
      const summary = await jar.fetch(`${mySignIns}/api/summary`);
      expect(summary.status).toBe(200);
      return (JSON.parse(summary.text).browsers as Array<{ id: string; name: string }>).map((b) => `${b.id} ${b.name}`);
    };
    expect(await listed()).toContain(`${browser.deviceId} Edge on macOS`);

    const remove = () =>
      jar.fetch(`${mySignIns}/api/browsers/${browser.deviceId}`, { method: 'DELETE', headers: { origin: world.relay.url } });
    expect((await remove()).status).toBe(204);
    expect((await listed()).filter((b) => b.startsWith(browser.deviceId))).toEqual([]);
    expect((await remove()).status).toBe(404);
    // No longer this user's browser: what it signs is not checked again.
    const after = await browser.createRequest(alice);
    expect((await readRequest(alicePhone, after.body.requestId)).body.context.siteCheck).toBe('unchecked');
    expect((await audit('browser.removed')).filter((e) => e.deviceId === browser.deviceId).map((e) => e.detail.by)).toEqual([
      'my-sign-ins',
    ]);
  });

  it('trusting is possible only soon after the approval', async () => {
    const browser = await startTestBrowser(world.relay.url);
    const created = await browser.createRequest(alice);
    const details = (await readRequest(alicePhone, created.body.requestId)).body;
    expect((await answer(world.relay.url, alicePhone, details, 'approve', { typedNumber: created.body.number })).status).toBe(200);
    // Last in this file: the relay's clock stays ahead afterwards.
    world.advance(11 * 60_000);
    const late = await trustBrowserOnPhone(world.relay.url, alicePhone, details);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('request_expired');
  });
});
