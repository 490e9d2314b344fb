import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar } from '../helpers/cookieJar';
import type { TestPhone } from '../helpers/enrollPhone';
import { signInWithPhoneAt } from '../helpers/hostedSignIn';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';

const redirectUri = 'http://localhost:9/callback';
const postLogoutUri = 'http://localhost:9/';

describe('OpenID Connect: a stock client signs Alice in with her phone through the hosted page', () => {
  let world: SignInWorld;
  let phone: TestPhone;
  let issuer: string;
  let clientSecret: string;
  let aliceId: string;

  beforeAll(async () => {
    world = await startSignInWorld();
    phone = await world.enroll('alice@contoso.example');
    issuer = `${world.relay.url}/t/contoso`;
    const created = await world.contoso.admin('POST', '/clients', {
      clientId: 'contoso-portal',
      displayName: 'Contoso Portal',
      redirectUris: [redirectUri],
      postLogoutRedirectUris: [postLogoutUri],
    });
    expect(created.status).toBe(201);
    clientSecret = created.body.clientSecret;
    aliceId = (await world.contoso.admin('GET', '/users/alice@contoso.example')).body.id;
  });
  afterAll(() => world.close());

  const discover = () =>
    client.discovery(new URL(issuer), 'contoso-portal', undefined, client.ClientSecretBasic(clientSecret), {
      execute: [client.allowInsecureRequests],
    });

  it('completes authorization code + PKCE; the ID token validates against the JWKS and says how she signed in', async () => {
    const config = await discover();
    expect(config.serverMetadata()).toMatchObject({
      issuer,
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['ES256'],
    });
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state,
    });

    const jar = new CookieJar();
    const toPage = await jar.fetch(authorizationUrl);
    expect(toPage.status).toBe(303);
    expect(toPage.location).toMatch(new RegExp(`^${issuer}/interaction/[A-Za-z0-9_-]+$`));
    // The page's marker names the interaction from the first byte, so the relay names its client on the phone.
    const served = (await jar.fetch(toPage.location!)).text;
    const content = /<meta name="nod-sign-in" content="([^"]+)">/.exec(served)?.[1].replaceAll('&#34;', '"');
    const uid = toPage.location!.split('/').at(-1);
    expect(JSON.parse(content!)).toEqual({ v: 1, tenant: 'contoso', step: 'username', interaction: uid });
    const { redirectTo, requestId } = await signInWithPhoneAt(
      jar,
      world.relay.url,
      toPage.location!,
      'contoso',
      'alice@contoso.example',
      phone,
    );
    const pushed = await world.push.waitFor((m) => m.payload?.requestId === requestId);
    expect(pushed.payload.context.applicationName).toBe('Contoso Portal');

    const back = await jar.follow(redirectTo, (url) => url.origin === 'http://localhost:9');
    const callback = new URL(back.url);
    expect(callback.searchParams.get('state')).toBe(state);

    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      iss: issuer,
      aud: 'contoso-portal',
      sub: aliceId,
      nonce,
      preferred_username: 'alice@contoso.example',
      name: 'alice',
      amr: ['pop', 'user', 'mfa'],
    });

    // The signature, through the provider's published keys (ES256), independently of the client library.
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const verified = await jwtVerify(tokens.id_token!, jwks, { issuer, audience: 'contoso-portal', algorithms: ['ES256'] });
    expect(verified.payload.nonce).toBe(nonce);
    expect(verified.protectedHeader.kid).toBe(world.relay.ctx.keys.signing[0].publicJwk.kid);

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, aliceId);
    expect(userinfo).toMatchObject({ sub: aliceId, preferred_username: 'alice@contoso.example', name: 'alice' });

    // RP-initiated logout: the relay asks, the user confirms, the browser lands on the site.
    const endSession = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: postLogoutUri,
      state: 'bye',
    });
    const confirm = await jar.fetch(endSession);
    expect(confirm.status).toBe(200);
    expect(confirm.headers.get('content-security-policy')).toContain("script-src 'self'");
    const action = /<form[^>]+action="([^"]+)"/.exec(confirm.text)![1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.text)![1];
    const out = await jar.fetch(new URL(action, issuer), {
      method: 'POST',
      body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(out.status).toBe(303);
    expect(out.location).toBe(`${postLogoutUri}?state=bye`);

    // Signed out: a new authorization goes through the hosted page again.
    const again = await jar.fetch(authorizationUrl);
    expect(again.location).toMatch(/\/interaction\//);
  });

  it('requires PKCE from every client and refuses an unknown redirect URI', async () => {
    const base = { client_id: 'contoso-portal', response_type: 'code', scope: 'openid', redirect_uri: redirectUri, state: 's' };
    const noPkce = await new CookieJar().fetch(`${issuer}/auth?${new URLSearchParams(base)}`);
    expect(noPkce.status).toBe(303);
    expect(new URL(noPkce.location!).searchParams.get('error')).toBe('invalid_request');
    expect(new URL(noPkce.location!).searchParams.get('error_description')).toMatch(/PKCE/);

    const elsewhere = await new CookieJar().fetch(
      `${issuer}/auth?${new URLSearchParams({ ...base, redirect_uri: 'https://evil.example/cb', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })}`,
    );
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.text).toContain('redirect_uri');
    expect(elsewhere.text).not.toMatch(/<script/);
  });

  it('keeps one issuer per tenant: another tenant has its own discovery, and an unknown tenant is a 404', async () => {
    await world.relay.tenant('wingtiptoys', { displayName: 'Wingtip Toys' });
    const wingtip = await fetchJson(`${world.relay.url}/t/wingtiptoys/.well-known/openid-configuration`);
    expect(wingtip.body.issuer).toBe(`${world.relay.url}/t/wingtiptoys`);
    // Contoso's client is not Wingtip's.
    const foreign = await new CookieJar().fetch(
      `${world.relay.url}/t/wingtiptoys/auth?${new URLSearchParams({ client_id: 'contoso-portal', response_type: 'code', scope: 'openid', redirect_uri: redirectUri, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })}`,
    );
    expect(foreign.status).toBe(400);
    expect(foreign.text).toContain('invalid_client');
    const unknown = await fetchJson(`${world.relay.url}/t/nobody/.well-known/openid-configuration`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('tenant_not_found');
  });

  it('a grant finishes one interaction only, and only in its own tenant', async () => {
    const config = await discover();
    const start = async () => {
      const jar = new CookieJar();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const toPage = await jar.fetch(url);
      await jar.fetch(toPage.location!);
      return { jar, interaction: toPage.location! };
    };
    const first = await start();
    const grant = await fetchJson(`${world.relay.url}/api/t/contoso/temporary-access-pass-sign-in`, {
      body: {
        username: 'alice@contoso.example',
        temporaryAccessPass: (await world.contoso.admin('POST', '/users/alice@contoso.example/temporary-access-pass', {})).body
          .temporaryAccessPass,
      },
    });
    expect(grant.status).toBe(200);
    const finished = await first.jar.postJson(`${first.interaction}/finish`, { grant: grant.body.grant }, world.relay.url);
    expect(finished.status).toBe(200);
    const second = await start();
    const replay = await second.jar.postJson(`${second.interaction}/finish`, { grant: grant.body.grant }, world.relay.url);
    expect(replay.status).toBe(400);
    expect(replay.body.code).toBe('grant_invalid');
    // Without this browser's interaction cookie the interaction is not found.
    const stranger = await new CookieJar().postJson(`${second.interaction}/finish`, { grant: 'x'.repeat(43) }, world.relay.url);
    expect(stranger.status).toBe(404);
    // Another origin cannot call the page's endpoints.
    const crossSite = await second.jar.postJson(
      `${second.interaction}/username`,
      { username: 'alice@contoso.example' },
      'https://evil.example',
    );
    expect(crossSite.status).toBe(403);
  });

  it('survives a relay restart: sessions live in storage, not memory', async () => {
    const config = await discover();
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const jar = new CookieJar();
    const toPage = await jar.fetch(url);
    const { redirectTo } = await signInWithPhoneAt(jar, world.relay.url, toPage.location!, 'contoso', 'alice@contoso.example', phone);
    await jar.follow(redirectTo, (u) => u.origin === 'http://localhost:9');
    await world.relay.restart();
    // Single sign-on after the restart: straight back to the site with a code, no interaction.
    const sso = await jar.follow(url.href, (u) => u.origin === 'http://localhost:9');
    const tokens = await client.authorizationCodeGrant(config, new URL(sso.url), { pkceCodeVerifier: verifier, idTokenExpected: true });
    expect(decodeJwt(tokens.id_token!).sub).toBe(aliceId);

    // A client asking for consent gets the organization's: the interaction answers it without a page.
    const consentUrl = new URL(url);
    consentUrl.searchParams.set('prompt', 'consent');
    const asked = await jar.fetch(consentUrl);
    expect(asked.location).toMatch(/\/interaction\//);
    const consented = await jar.follow(asked.location!, (u) => u.origin === 'http://localhost:9');
    expect(new URL(consented.url).searchParams.get('code')).toBeTruthy();
  });
});

describe('OIDC clients admin API', () => {
  let world: SignInWorld;
  beforeAll(async () => {
    world = await startSignInWorld();
  });
  afterAll(() => world.close());

  it('registers, lists and deletes clients; the secret is shown once; bad input names the field', async () => {
    const created = await world.contoso.admin('POST', '/clients', {
      displayName: 'Payroll',
      redirectUris: ['https://payroll.contoso.example/cb'],
      type: 'public',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ displayName: 'Payroll', type: 'public', issuer: `${world.relay.url}/t/contoso` });
    expect(created.body.clientSecret).toBeUndefined();
    const listed = await world.contoso.admin('GET', '/clients');
    expect(listed.body.clients.map((c: any) => c.clientId)).toEqual([created.body.clientId]);
    expect(JSON.stringify(listed.body)).not.toContain('secret');

    const bad = await world.contoso.admin('POST', '/clients', { displayName: 'X', redirectUris: ['http://payroll.contoso.example/cb'] });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('redirectUris[0]');
    const reserved = await world.contoso.admin('POST', '/clients', {
      clientId: 'nod-my-sign-ins',
      displayName: 'X',
      redirectUris: ['https://x.example/cb'],
    });
    expect(reserved.status).toBe(400);
    const duplicate = await world.contoso.admin('POST', '/clients', {
      clientId: created.body.clientId,
      displayName: 'X',
      redirectUris: ['https://x.example/cb'],
    });
    expect(duplicate.status).toBe(409);

    expect((await world.contoso.admin('DELETE', `/clients/${created.body.clientId}`)).status).toBe(204);
    expect((await world.contoso.admin('DELETE', `/clients/${created.body.clientId}`)).status).toBe(404);
    const gone = await new CookieJar().fetch(
      `${world.relay.url}/t/contoso/auth?${new URLSearchParams({ client_id: created.body.clientId, response_type: 'code', scope: 'openid', redirect_uri: 'https://payroll.contoso.example/cb', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })}`,
    );
    expect(gone.text).toContain('invalid_client');
  });

  it('needs a global administrator token of the same tenant', async () => {
    const anonymous = await fetchJson(`${world.relay.url}/admin/t/contoso/clients`);
    expect(anonymous.status).toBe(401);
    const policyAdmin = await world.contoso.admin('POST', '/tokens', { role: 'authentication_policy_administrator' });
    const limited = await fetchJson(`${world.relay.url}/admin/t/contoso/clients`, {
      headers: { authorization: `Bearer ${policyAdmin.body.token}` },
    });
    expect(limited.status).toBe(403);
  });
});
