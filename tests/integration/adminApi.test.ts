import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar } from '../helpers/cookieJar';
import type { TestPhone } from '../helpers/enrollPhone';
import { signInWithPhoneAt } from '../helpers/hostedSignIn';
import { createRequest, watch } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';

const redirectUri = 'http://localhost:9/callback';
const alice = 'alice@contoso.example';
const bob = 'bob@contoso.example';

describe('the admin API: roles, users, devices, passes, groups and the sign-in log of one tenant', () => {
  let world: SignInWorld;
  let phone: TestPhone;
  let clientSecret: string;

  /** Call the admin API with a token of a role. */
  const as =
    (token: string) =>
    async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
      const result = await fetchJson(`${world.relay.url}/admin/t/contoso${path}`, {
        method,
        body,
        headers: { authorization: `Bearer ${token}` },
      });
      return { status: result.status, body: result.body };
    };
  const tokenOf = async (role: string) => {
    const created = await world.contoso.admin('POST', '/tokens', { role, label: role });
    expect(created.status).toBe(201);
    return as(created.body.token);
  };

  /** Sign Alice in at the portal with her phone; the cookie jar then holds her session (single sign-on). */
  const signInAtPortal = async () => {
    const config = await client.discovery(
      new URL(`${world.relay.url}/t/contoso`),
      'portal',
      undefined,
      client.ClientSecretBasic(clientSecret),
      { execute: [client.allowInsecureRequests] },
    );
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const jar = new CookieJar();
    const toPage = await jar.fetch(url);
    const { redirectTo } = await signInWithPhoneAt(jar, world.relay.url, toPage.location!, 'contoso', alice, phone);
    await jar.follow(redirectTo, (u) => u.origin === 'http://localhost:9');
    /** Where the next authorization goes: straight back to the portal (signed in) or to the hosted page. */
    const nextAuthorization = async () => ((await jar.fetch(url)).location?.startsWith('http://localhost:9/') ? 'portal' : 'sign-in page');
    expect(await nextAuthorization()).toBe('portal');
    return { nextAuthorization, jar, url };
  };

  beforeAll(async () => {
    world = await startSignInWorld();
    phone = await world.enroll(alice);
    const created = await world.contoso.admin('POST', '/clients', {
      clientId: 'portal',
      displayName: 'Contoso Portal',
      redirectUris: [redirectUri],
    });
    clientSecret = created.body.clientSecret;
  });
  afterAll(() => world.close());

  it('a Helpdesk token issues and revokes passes, unblocks and reads devices, and cannot change the policy, users or tokens', async () => {
    const helpdesk = await tokenOf('helpdesk_administrator');
    expect((await helpdesk('GET', '/users')).status).toBe(200);
    expect((await helpdesk('GET', '/policy')).status).toBe(200);
    expect((await helpdesk('GET', `/users/${bob}/devices`)).status).toBe(200);
    const pass = await helpdesk('POST', `/users/${bob}/temporary-access-pass`, {});
    expect(pass.status).toBe(201);
    expect((await helpdesk('DELETE', `/users/${bob}/temporary-access-passes/${pass.body.id}`)).status).toBe(204);
    expect((await helpdesk('POST', `/users/${bob}/unblock`)).status).toBe(200);
    expect((await helpdesk('GET', '/sign-ins')).status).toBe(200);

    const policy = (await world.contoso.admin('GET', '/policy')).body;
    const refused = await helpdesk('PUT', '/policy', policy);
    expect(refused).toMatchObject({
      status: 403,
      body: { code: 'forbidden', detail: expect.stringContaining('Authentication Policy Administrator') },
    });
    expect((await helpdesk('POST', '/users', { username: 'mallory@contoso.example' })).status).toBe(403);
    expect((await helpdesk('POST', `/users/${bob}/disable`)).status).toBe(403);
    expect((await helpdesk('POST', '/tokens', { role: 'global_administrator' })).status).toBe(403);
    expect((await helpdesk('PATCH', '/groups/Sales', { name: 'Sales2' })).status).toBe(403);
    expect((await helpdesk('GET', '/audit')).status).toBe(403);
  });

  it('an Authentication Policy Administrator token changes the policy, and issues no pass and removes no device', async () => {
    const policyAdmin = await tokenOf('authentication_policy_administrator');
    const policy = (await world.contoso.admin('GET', '/policy')).body;
    expect((await policyAdmin('PUT', '/policy', policy)).status).toBe(200);
    expect((await policyAdmin('POST', `/users/${bob}/temporary-access-pass`, {})).status).toBe(403);
    expect((await policyAdmin('GET', `/users/${alice}/devices`)).status).toBe(403);
    expect((await policyAdmin('GET', `/users/${alice}/policy`)).status).toBe(200);
  });

  it('a token answers for its own tenant only, whatever its role', async () => {
    const fabrikam = await world.relay.tenant('fabrikam');
    const { body } = await fabrikam.admin('POST', '/tokens', { role: 'helpdesk_administrator' });
    expect((await as(body.token)('GET', `/users/${alice}/devices`)).status).toBe(403);
  });

  it('lists users a page at a time by username, with a cursor, and searches username and display name', async () => {
    for (const name of ['carol', 'dave', 'erin']) {
      await world.contoso.admin('POST', '/users', { username: `${name}@contoso.example`, displayName: `${name} of Marketing` });
    }
    const first = await world.contoso.admin('GET', '/users?limit=2');
    expect(first.body.users.map((u: any) => u.username)).toEqual([alice, bob]);
    const second = await world.contoso.admin('GET', `/users?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.users.map((u: any) => u.username)).toEqual(['carol@contoso.example', 'dave@contoso.example']);
    const searched = await world.contoso.admin('GET', '/users?search=MARKETING&limit=2');
    expect(searched.body.users.map((u: any) => u.username)).toEqual(['carol@contoso.example', 'dave@contoso.example']);
    const rest = await world.contoso.admin('GET', `/users?search=MARKETING&limit=2&cursor=${searched.body.nextCursor}`);
    expect(rest.body).toEqual({ users: [expect.objectContaining({ username: 'erin@contoso.example' })], nextCursor: null });
    const bad = await world.contoso.admin('GET', '/users?cursor=not%20a%20cursor');
    expect(bad).toMatchObject({ status: 400, body: { field: 'cursor' } });
  });

  it('a disabled user cannot sign in: the pending request closes, sessions end, no request reaches the phone, a pass is refused; enabled, they can', async () => {
    const portal = await signInAtPortal();
    const pending = await createRequest(world.relay.url, 'contoso', { username: alice, kind: 'passwordless' });
    expect(pending.body.status).toBe('pending');
    const closing = watch(world.relay.url, pending.body.requestId, pending.body.collectorSecret, (s) => s.status !== 'pending');

    const disabled = await world.contoso.admin('POST', `/users/${alice}/disable`);
    expect(disabled.body).toMatchObject({ disabled: true, disabledAt: expect.any(String) });
    expect((await closing).states.at(-1)?.status).toBe('cancelled');
    expect(await portal.nextAuthorization()).toBe('sign-in page');

    const refused = await createRequest(world.relay.url, 'contoso', { username: alice, kind: 'passwordless' });
    expect(refused.status).toBe(201);
    expect((await phone.call('GET', '/api/device/sign-in-requests')).body.requests).toEqual([]);
    const tap = await world.contoso.admin('POST', `/users/${alice}/temporary-access-pass`, {});
    const tapSignIn = await fetchJson(`${world.relay.url}/api/t/contoso/temporary-access-pass-sign-in`, {
      body: { username: alice, temporaryAccessPass: tap.body.temporaryAccessPass },
    });
    expect(tapSignIn.body).toMatchObject({ code: 'tap_invalid' });
    const log = await world.contoso.admin('GET', `/audit?user=${alice}&type=user.disabled`);
    expect(log.body.events).toHaveLength(1);

    expect((await world.contoso.admin('POST', `/users/${alice}/enable`)).body).toMatchObject({ disabled: false, disabledAt: null });
    const again = await createRequest(world.relay.url, 'contoso', { username: alice, kind: 'passwordless' });
    const offered = await phone.call('GET', '/api/device/sign-in-requests');
    expect(offered.body.requests.map((r: any) => r.requestId)).toContain(again.body.requestId);
    await fetchJson(`${world.relay.url}/api/sign-in-requests/${again.body.requestId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${again.body.collectorSecret}` },
    });
    // The pass issued while disabled still works now (it was not used up by the refusal).
    const tapAgain = await fetchJson(`${world.relay.url}/api/t/contoso/temporary-access-pass-sign-in`, {
      body: { username: alice, temporaryAccessPass: tap.body.temporaryAccessPass },
    });
    expect(tapAgain.status).toBe(200);
  });

  it('an overlong id in the address is a 400 problem naming the field: devices, browsers, registrations, passes, tokens', async () => {
    const long = 'x'.repeat(65);
    for (const path of [
      `/users/${alice}/devices/${long}`,
      `/users/${alice}/browsers/${long}`,
      `/users/${alice}/registrations/${long}`,
      `/users/${alice}/temporary-access-passes/${long}`,
      `/tokens/${long}`,
    ]) {
      const answer = await world.contoso.admin('DELETE', path);
      expect(answer.status, path).toBe(400);
      expect(answer.body.errors, path).toEqual([expect.objectContaining({ field: 'id' })]);
    }
  });

  it('passes are listed by id and state, never the pass itself, and one is revoked by id', async () => {
    const issued = await world.contoso.admin('POST', `/users/${bob}/temporary-access-pass`, { oneTime: false, lifetimeMinutes: 30 });
    const listed = await world.contoso.admin('GET', `/users/${bob}/temporary-access-passes`);
    expect(listed.body.passes[0]).toEqual({
      id: issued.body.id,
      oneTime: false,
      state: 'usable',
      createdAt: expect.any(String),
      expiresAt: issued.body.expiresAt,
      usedAt: null,
      revokedAt: null,
    });
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.temporaryAccessPass);
    expect((await world.contoso.admin('DELETE', `/users/${bob}/temporary-access-passes/${issued.body.id}`)).status).toBe(204);
    expect((await world.contoso.admin('GET', `/users/${bob}/temporary-access-passes`)).body.passes[0]).toMatchObject({ state: 'revoked' });
    expect((await world.contoso.admin('DELETE', `/users/${bob}/temporary-access-passes/${issued.body.id}`)).status).toBe(404);
    const signIn = await fetchJson(`${world.relay.url}/api/t/contoso/temporary-access-pass-sign-in`, {
      body: { username: bob, temporaryAccessPass: issued.body.temporaryAccessPass },
    });
    expect(signIn.body).toMatchObject({ code: 'tap_invalid' });
  });

  it('renaming a group keeps it in the policy under its new name; a taken name is refused naming the field', async () => {
    const renamed = await world.contoso.admin('PATCH', '/groups/Field', { name: 'Field-Ops', displayName: 'Field operations' });
    expect(renamed.body).toMatchObject({ name: 'Field-Ops', displayName: 'Field operations' });
    const policy = await world.contoso.admin('GET', '/policy');
    expect(policy.body.includeTargets).toContainEqual({ kind: 'group', name: 'Field-Ops', mode: 'push' });
    expect((await world.contoso.admin('GET', '/groups/Field-Ops/members')).body.members.map((u: any) => u.username)).toEqual([bob]);
    const taken = await world.contoso.admin('PATCH', '/groups/Field-Ops', { name: 'Sales' });
    expect(taken).toMatchObject({ status: 409, body: { field: 'name' } });
  });

  it('lost phone: removing the device removes its registration, ends the sessions, and the next sign-in offers no phone', async () => {
    const portal = await signInAtPortal();
    const devices = await world.contoso.admin('GET', `/users/${alice}/devices`);
    expect(devices.body.devices).toEqual([
      expect.objectContaining({
        id: phone.account.deviceId,
        kind: 'phone',
        registrations: [expect.objectContaining({ id: phone.account.registrationId })],
      }),
    ]);
    const helpdesk = await tokenOf('helpdesk_administrator');
    expect((await helpdesk('DELETE', `/users/${alice}/devices/${phone.account.deviceId}`)).status).toBe(204);
    expect((await world.contoso.admin('GET', `/users/${alice}/devices`)).body.devices).toEqual([]);
    expect((await phone.call('GET', '/api/device/registrations')).body.registrations).toEqual([]);
    expect(await portal.nextAuthorization()).toBe('sign-in page');
    // The hosted page asks for the username again and offers no phone.
    const toPage = await portal.jar.fetch(portal.url);
    const methods = await portal.jar.postJson(`${toPage.location}/username`, { username: alice }, world.relay.url);
    expect(methods.body.methods).not.toContain('phone_sign_in');
    expect((await helpdesk('DELETE', `/users/${alice}/devices/${phone.account.deviceId}`)).status).toBe(404);
    const removed = await world.contoso.admin('GET', `/audit?type=device.removed`);
    expect(removed.body.events[0]).toMatchObject({
      username: alice,
      detail: expect.objectContaining({ deviceId: phone.account.deviceId }),
    });
  });

  it('the sign-in log lists sign-in attempts only, filtered by user, outcome, method and time; a bad filter names its values', async () => {
    const all = await world.contoso.admin('GET', '/sign-ins?limit=1000');
    expect(all.status).toBe(200);
    expect(all.body.signIns.length).toBeGreaterThan(0);
    expect(all.body.signIns.map((e: any) => e.type)).not.toContain('policy.saved');
    const approved = await world.contoso.admin('GET', `/sign-ins?user=${alice}&outcome=approved&method=phone_sign_in`);
    expect(approved.body.signIns.length).toBeGreaterThanOrEqual(2);
    for (const e of approved.body.signIns) expect(e).toMatchObject({ username: alice, outcome: 'approved', method: 'phone_sign_in' });
    const future = await world.contoso.admin('GET', `/sign-ins?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`);
    expect(future.body.signIns).toEqual([]);
    const bogus = await world.contoso.admin('GET', '/sign-ins?outcome=bogus');
    expect(bogus).toMatchObject({ status: 400, body: { field: 'outcome', detail: expect.stringContaining('approved') } });
  });
});
