/**
 * What the phone shows is true: the application is the registered client of the request's interaction,
 * never a caller's words; the site is shown only as far as it was checked; for a registered browser the
 * origin it observed and signed is bound into the approval, and a site that is not the tenant's gets no
 * grant (`phishing_blocked`), already at creation and again at approval; a sign-in origin belongs to one
 * tenant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar } from '../helpers/cookieJar';
import type { TestPhone } from '../helpers/enrollPhone';
import { answer, createRequest, readRequest, trustBrowserOnPhone, watch } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { fetchJson } from '../helpers/startRelay';
import { type TestBrowser, startTestBrowser } from '../helpers/testBrowser';

const alice = 'alice@contoso.example';
const portal = 'https://portal.contoso.example';
const lookalike = 'https://contoso-sso.example';

describe('what the phone shows comes from the relay, and the site is bound into the approval', () => {
  let world: SignInWorld;
  let phone: TestPhone;
  /** A browser Alice trusted on her phone after approving a sign-in it brokered. */
  let browser: TestBrowser;

  const audit = async (type: string) => (await world.contoso.admin('GET', `/audit?type=${type}`)).body.events as any[];
  const phoneSees = async () => ((await phone.call('GET', '/api/device/sign-in-requests')).body.requests as any[]).map((r) => r.requestId);

  beforeAll(async () => {
    world = await startSignInWorld({ limits: { maxPendingPerUser: 20 } });
    phone = await world.enroll(alice);
    expect((await world.contoso.admin('PATCH', '', { signInOrigins: [portal] })).status).toBe(200);
    expect(
      (
        await world.contoso.admin('POST', '/clients', {
          clientId: 'contoso-portal',
          displayName: 'Contoso Portal',
          redirectUris: [`${portal}/callback`],
        })
      ).status,
    ).toBe(201);
    browser = await startTestBrowser(world.relay.url);
    const first = await browser.createRequest(alice, { origin: portal });
    const details = (await readRequest(phone, first.body.requestId)).body;
    expect((await answer(world.relay.url, phone, details, 'approve', { typedNumber: first.body.number })).status).toBe(200);
    expect((await trustBrowserOnPhone(world.relay.url, phone, details)).status).toBe(200);
  });
  afterAll(() => world.close());

  it('a free-text application name never reaches the phone; the interaction’s registered client does', async () => {
    const chosen = await createRequest(world.relay.url, 'contoso', {
      username: alice,
      client: { applicationName: 'Contoso Portal — IT check: enter 42', clientId: 'contoso-portal' },
    });
    expect(chosen.status).toBe(201);
    const pushed = await world.push.waitFor((m) => m.payload?.requestId === chosen.body.requestId);
    expect(pushed.payloadText).not.toContain('IT check');
    expect(pushed.payload.context).not.toHaveProperty('applicationName');
    const details = (await readRequest(phone, chosen.body.requestId)).body;
    expect(JSON.stringify(details)).not.toContain('IT check');
    expect(details.context).not.toHaveProperty('applicationName');

    // The hosted page names its interaction: the phone shows the client registered for it.
    const toPage = await new CookieJar().fetch(
      `${world.relay.url}/t/contoso/auth?${new URLSearchParams({
        client_id: 'contoso-portal',
        response_type: 'code',
        scope: 'openid',
        redirect_uri: `${portal}/callback`,
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
      })}`,
    );
    const uid = toPage.location!.split('/').at(-1)!;
    const named = await createRequest(
      world.relay.url,
      'contoso',
      { username: alice, origin: world.relay.url, client: { interaction: uid, applicationName: 'Something else' } },
      { origin: world.relay.url },
    );
    expect((await readRequest(phone, named.body.requestId)).body.context.applicationName).toBe('Contoso Portal');
    // The relay's own pages are applications too: a sign-in to My Sign-ins says so on the phone.
    const toMySignIns = await new CookieJar().fetch(
      `${world.relay.url}/t/contoso/auth?${new URLSearchParams({
        client_id: 'nod-my-sign-ins',
        response_type: 'code',
        scope: 'openid',
        redirect_uri: `${world.relay.url}/t/contoso/my-sign-ins/callback`,
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
      })}`,
    );
    const mySignIns = await createRequest(
      world.relay.url,
      'contoso',
      { username: alice, origin: world.relay.url, client: { interaction: toMySignIns.location!.split('/').at(-1)! } },
      { origin: world.relay.url },
    );
    expect((await readRequest(phone, mySignIns.body.requestId)).body.context.applicationName).toBe('My Sign-ins');
    // An interaction that does not exist (or is another tenant's) names nothing.
    const made = await createRequest(world.relay.url, 'contoso', { username: alice, client: { interaction: 'notAnInteraction' } });
    expect((await readRequest(phone, made.body.requestId)).body.context).not.toHaveProperty('applicationName');
  });

  it('the site is shown only as checked: by your browser, by the Origin header, or “could not be checked”', async () => {
    const script = await createRequest(world.relay.url, 'contoso', { username: alice, origin: portal });
    expect((await readRequest(phone, script.body.requestId)).body.context).toMatchObject({ siteCheck: 'unchecked' });
    expect((await readRequest(phone, script.body.requestId)).body.context).not.toHaveProperty('origin');

    const page = await createRequest(world.relay.url, 'contoso', { username: alice, origin: portal }, { origin: portal });
    expect((await readRequest(phone, page.body.requestId)).body.context).toMatchObject({ siteCheck: 'relay', origin: portal });

    const brokered = await browser.createRequest(alice, { origin: portal });
    expect((await readRequest(phone, brokered.body.requestId)).body.context).toMatchObject({
      siteCheck: 'browser',
      origin: portal,
      signedBy: { id: browser.deviceId, registered: true },
    });
  });

  it('a registered browser on a look-alike origin is refused at creation: nothing reaches the phone, phishing_blocked is recorded', async () => {
    const before = await phoneSees();
    const relayed = await browser.createRequest(alice, { origin: lookalike });
    expect(relayed.status).toBe(403);
    expect(relayed.body).toMatchObject({ code: 'phishing_blocked' });
    expect(relayed.body.detail).toContain("not Contoso's");
    expect(relayed.body).not.toHaveProperty('number');
    expect(await phoneSees()).toEqual(before);
    const [blocked] = await audit('phishing_blocked');
    expect(blocked).toMatchObject({
      outcome: 'refused',
      username: alice,
      origin: lookalike,
      deviceId: browser.deviceId,
      detail: {
        stage: 'created',
        observedOrigin: lookalike,
        observedBy: 'browser',
        browserRegistered: true,
        browserStatement: relayed.authorization,
        signInOrigins: [world.relay.url, portal],
      },
    });
    // The admin center's Reports list it, with its evidence.
    const reports = (await world.contoso.admin('GET', '/reports')).body.reports as any[];
    expect(reports.find((r) => r.id === blocked.id)).toMatchObject({ type: 'phishing_blocked', origin: lookalike, username: alice });

    // A browser page's own call from the look-alike (its Origin header) is refused the same way.
    const page = await createRequest(world.relay.url, 'contoso', { username: alice, origin: lookalike }, { origin: lookalike });
    expect(page.status).toBe(403);
    expect(page.body.code).toBe('phishing_blocked');
    // The same for a username that does not exist: the refusal says nothing about who exists.
    const nobody = await browser.createRequest('nobody@contoso.example', { origin: lookalike });
    expect(nobody.status).toBe(403);
  });

  it('an approval bound to a site that is no longer the tenant’s gets no grant, even when the user approves', async () => {
    const created = await browser.createRequest(alice, { origin: portal });
    expect(created.status).toBe(201);
    const details = (await readRequest(phone, created.body.requestId)).body;
    expect(details.context.origin).toBe(portal);
    // The portal's domain lapsed and the admin removed it, while the request waited.
    expect((await world.contoso.admin('PATCH', '', { signInOrigins: [] })).status).toBe(200);
    try {
      const waiting = watch(world.relay.url, created.body.requestId, created.body.collectorSecret, (s) => s.status !== 'pending');
      const approved = await answer(world.relay.url, phone, details, 'approve', { typedNumber: created.body.number });
      expect(approved.status).toBe(403);
      expect(approved.body.code).toBe('phishing_blocked');
      expect(approved.body.detail).toBe("This sign-in was on a site that is not Contoso's — nothing was approved.");
      expect((await waiting).states.at(-1)?.status).toBe('blocked');
      const redeem = await fetchJson(`${world.relay.url}/api/sign-in-requests/${created.body.requestId}/redeem`, {
        method: 'POST',
        headers: { authorization: `Bearer ${created.body.collectorSecret}` },
      });
      expect(redeem.status).toBe(409);
      expect(redeem.body.code).toBe('not_approved');
      expect((await audit('phishing_blocked')).find((e) => e.detail.requestId === created.body.requestId)).toMatchObject({
        outcome: 'blocked',
        origin: portal,
        detail: { stage: 'approved', observedOrigin: portal, observedBy: 'browser', browserId: browser.deviceId },
      });
      // Nothing else was recorded as approved for it.
      const answered = (await audit('sign_in_request.answered')).filter((e) => e.detail.requestId === created.body.requestId);
      expect(answered).toEqual([]);
    } finally {
      await world.contoso.admin('PATCH', '', { signInOrigins: [portal] });
    }
  });

  it('the phone’s approval binds the site it showed: one made for another site is refused', async () => {
    const created = await browser.createRequest(alice, { origin: portal });
    const details = (await readRequest(phone, created.body.requestId)).body;
    const approved = await answer(world.relay.url, phone, { ...details, context: { ...details.context, origin: lookalike } }, 'approve', {
      typedNumber: created.body.number,
    });
    expect(approved.status).toBe(401);
    expect(approved.body.code).toBe('device_signature_invalid');
  });

  it('two tenants cannot hold one origin', async () => {
    const fabrikam = await world.relay.tenant('fabrikam', { displayName: 'Fabrikam', signInOrigins: ['https://login.fabrikam.example'] });
    const claimed = await fabrikam.admin('PATCH', '', { signInOrigins: ['https://login.fabrikam.example', portal] });
    expect(claimed.status).toBe(409);
    expect(claimed.body).toMatchObject({ code: 'conflict', field: 'signInOrigins[1]' });
    expect(claimed.body.detail).toContain(portal);
    expect((await fabrikam.admin('GET', '')).body.signInOrigins).toEqual(['https://login.fabrikam.example']);
    await expect(world.relay.tenant('wingtiptoys', { signInOrigins: [portal] })).rejects.toThrow(/conflict/);
    // Contoso keeps it, and may save it again.
    expect((await world.contoso.admin('PATCH', '', { signInOrigins: [portal] })).status).toBe(200);
    const discovery = await fetchJson(`${world.relay.url}/api/tenants`);
    const holders = discovery.body.tenants.filter((t: { signInOrigins: string[] }) => t.signInOrigins.includes(portal));
    expect(holders.map((t: { name: string }) => t.name)).toEqual(['contoso']);
  });
});
