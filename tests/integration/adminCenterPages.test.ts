import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPhone } from '../helpers/enrollPhone';
import { answer, createRequest, readRequest } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';

/** What the admin center's Applications, Sign-in logs, Reports, Audit log and user pages read and change over the admin API. */
describe('admin API behind the admin center pages', () => {
  let world: SignInWorld;
  let alice: TestPhone;

  beforeAll(async () => {
    world = await startSignInWorld();
    alice = await world.enroll('alice@contoso.example');
  });
  afterAll(async () => {
    await world?.close();
  });

  const raw = (path: string) =>
    fetch(`${world.relay.url}/admin/t/contoso${path}`, { headers: { authorization: `Bearer ${world.contoso.token}` } });

  it('an application is registered with its secret shown once, edited with redirect URIs checked, and deleted', async () => {
    const created = await world.contoso.admin('POST', '/clients', {
      displayName: 'Portal',
      redirectUris: ['https://portal.contoso.example/callback'],
    });
    expect(created.status).toBe(201);
    expect(created.body.clientSecret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const id = created.body.clientId;
    const listed = (await world.contoso.admin('GET', '/clients')).body.clients.find((c: any) => c.clientId === id);
    expect(listed).toMatchObject({ displayName: 'Portal', type: 'confidential' });
    expect(listed.clientSecret).toBeUndefined();

    const bad = await world.contoso.admin('PATCH', `/clients/${id}`, { redirectUris: ['http://portal.contoso.example/callback'] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'redirectUris[0]', message: 'an https URL without a fragment (http only for localhost)' }]);
    const unknown = await world.contoso.admin('PATCH', `/clients/${id}`, { secret: 'x' });
    expect(unknown.status).toBe(400);

    const edited = await world.contoso.admin('PATCH', `/clients/${id}`, {
      displayName: 'Contoso portal',
      redirectUris: ['https://portal.contoso.example/signed-in'],
    });
    expect(edited).toMatchObject({
      status: 200,
      body: { clientId: id, displayName: 'Contoso portal', redirectUris: ['https://portal.contoso.example/signed-in'] },
    });
    // The provider follows at once: the new redirect URI starts a sign-in, the old one is refused.
    const authorize = (redirectUri: string) =>
      fetch(
        `${world.relay.url}/t/contoso/auth?${new URLSearchParams({
          client_id: id,
          response_type: 'code',
          scope: 'openid',
          redirect_uri: redirectUri,
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
        })}`,
        { redirect: 'manual' },
      );
    expect((await authorize('https://portal.contoso.example/signed-in')).status).toBe(303);
    expect((await authorize('https://portal.contoso.example/callback')).status).toBe(400);

    expect((await world.contoso.admin('DELETE', `/clients/${id}`)).status).toBe(204);
    expect((await world.contoso.admin('PATCH', `/clients/${id}`, { displayName: 'x' })).status).toBe(404);
  });

  it('the sign-in log exports as CSV, safe against formulas, and as JSON, with the same filters', async () => {
    // A failed code sign-in whose browser claims to be a spreadsheet formula.
    const tried = await fetch(`${world.relay.url}/api/t/contoso/code-sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': '=HYPERLINK("http://evil.example")' },
      body: JSON.stringify({ username: 'alice@contoso.example', code: '000000' }),
    });
    expect(tried.status).toBeGreaterThanOrEqual(400);

    const csv = await raw('/sign-ins/export?format=csv&user=alice@contoso.example');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="sign-in-log.csv"');
    const lines = (await csv.text()).split('\r\n');
    expect(lines[0]).toBe('at,type,outcome,reason,username,method,origin,ip,location,userAgent,deviceId,id');
    const denied = lines.find((l) => l.includes(',code_sign_in,failure,'))!;
    expect(denied).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(denied).not.toMatch(/,=/);

    const json = await raw('/sign-ins/export?format=json&outcome=failure&user=alice@contoso.example');
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const { signIns } = (await json.json()) as { signIns: Array<{ outcome: string; userAgent: string }> };
    expect(signIns.length).toBeGreaterThan(0);
    expect(signIns.every((e) => e.outcome === 'failure')).toBe(true);
    expect(signIns[0].userAgent).toBe('=HYPERLINK("http://evil.example")');

    const wrong = await raw('/sign-ins/export?format=xlsx');
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as any).errors).toEqual([{ field: 'format', message: 'csv or json' }]);
  });

  it('Reports lists "No, it\'s not me" with its evidence and phishing stopped by number matching, newest first', async () => {
    const phished = await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example' });
    const first = await readRequest(alice, phished.body.requestId);
    const wrong = phished.body.number === 99 ? 98 : phished.body.number + 1;
    expect((await answer(world.relay.url, alice, first.body, 'approve', { typedNumber: wrong })).status).toBe(409);
    const reported = await createRequest(world.relay.url, 'contoso', {
      username: 'alice@contoso.example',
      origin: 'https://portal.contoso.example',
    });
    const second = await readRequest(alice, reported.body.requestId);
    expect((await answer(world.relay.url, alice, second.body, 'report')).status).toBe(200);

    const { reports } = (await world.contoso.admin('GET', '/reports')).body;
    expect(reports.slice(0, 2).map((r: any) => [r.type, r.outcome])).toEqual([
      ['fraud_report', 'at_risk'],
      ['sign_in_request.answered', 'wrong_number'],
    ]);
    expect(reports[0]).toMatchObject({ username: 'alice@contoso.example', origin: 'https://portal.contoso.example' });
    expect(reports[0].detail.blockedSources.length).toBeGreaterThan(0);
    // The action: clear the risk.
    expect((await world.contoso.admin('GET', '/users/alice@contoso.example')).body.blocked).toBe(true);
    expect((await world.contoso.admin('POST', '/users/alice@contoso.example/clear-risk')).body.blocked).toBe(false);
  });

  it('the audit log of admin changes says who made each, newest first', async () => {
    await world.contoso.admin('POST', '/groups', { name: 'Pilot' });
    await world.contoso.admin('PUT', '/groups/Pilot/members/bob@contoso.example');
    await world.contoso.admin('POST', '/users/bob@contoso.example/temporary-access-pass', {});
    const { changes } = (await world.contoso.admin('GET', '/changes')).body;
    expect(changes.slice(0, 4).map((c: any) => [c.type, c.username, c.actor, c.actorRole])).toEqual([
      ['temporary_access_pass.issued', 'bob@contoso.example', 'test', 'global_administrator'],
      ['group.member_added', 'bob@contoso.example', 'test', 'global_administrator'],
      ['group.created', null, 'test', 'global_administrator'],
      ['user.risk_cleared', 'alice@contoso.example', 'test', 'global_administrator'],
    ]);
    expect(changes.map((c: any) => c.type)).toContain('policy.saved');

    // No sign-in attempts in it.
    expect(changes.map((c: any) => c.type)).not.toContain('sign_in_request.closed');
  });

  it('a removed Authenticator app method is in the audit log, with who removed it: the admin, or the person on their phone', async () => {
    for (const username of ['dora@contoso.example', 'eli@contoso.example']) {
      await world.contoso.admin('POST', '/users', { username });
      await world.contoso.admin('PUT', `/groups/Sales/members/${username}`);
    }
    const dora = await world.enroll('dora@contoso.example');
    const eli = await world.enroll('eli@contoso.example');
    const byAdmin = await world.contoso.admin('DELETE', `/users/dora@contoso.example/registrations/${dora.account.registrationId}`);
    expect(byAdmin.status).toBe(204);
    expect((await eli.call('DELETE', `/api/registrations/${eli.account.registrationId}`)).status).toBe(204);
    const { changes } = (await world.contoso.admin('GET', '/changes')).body;
    expect(changes.filter((c: any) => c.type === 'registration.removed').map((c: any) => [c.username, c.actor, c.actorRole])).toEqual([
      ['eli@contoso.example', 'their phone', null],
      ['dora@contoso.example', 'test', 'global_administrator'],
    ]);
  });

  it('a user gets the phone app enrollment link as a QR code, where the policy allows the guided path', async () => {
    const link = await world.contoso.admin('POST', '/users/alice@contoso.example/enrollment-link');
    expect(link.status).toBe(201);
    expect(link.body.link).toMatch(new RegExp(`^${world.relay.url}/app/#/enroll\\?code=[A-Za-z0-9_-]+$`));
    expect(Buffer.from(link.body.qrCode.replace('data:image/svg+xml;base64,', ''), 'base64').toString()).toContain('<svg');
    const none = await world.contoso.admin('POST', '/users/nobody@contoso.example/enrollment-link');
    expect(none.status).toBe(404);
  });
});
