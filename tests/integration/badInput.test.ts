import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceAuthorizationHeader } from '../../shared/deviceSignature';
import { type TestPhone, enrollPhone } from '../helpers/enrollPhone';
import { type TestRelay, type TestTenant, fetchJson, startRelay } from '../helpers/startRelay';

/** How many rows each table holds. */
function rowCounts(dataDir: string): Record<string, number> {
  const db = new Database(path.join(dataDir, 'nod.sqlite'), { readonly: true, fileMustExist: true });
  try {
    // The replay guard notes every signed call it let through, whatever the route then answers: that
    // signature is spent, which is the point, and no state of the product.
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'used_device_signatures' ORDER BY name",
      )
      .all() as {
      name: string;
    }[];
    return Object.fromEntries(
      tables.map(({ name }) => [name, (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n]),
    );
  } finally {
    db.close();
  }
}

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

interface BadRequest {
  journey: string;
  send: () => Promise<Answer>;
  status: number;
  code: string;
  field?: string;
}

describe('bad input gets a 4xx problem+json, the relay keeps serving, and nothing is written', () => {
  let relay: TestRelay;
  let contoso: TestTenant;
  let phone: TestPhone;
  const alice = 'alice@contoso.example';

  const post = (url: string, body: string, headers: Record<string, string> = {}) =>
    fetchJson(`${relay.url}${url}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const admin = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetchJson(`${relay.url}/admin/t/contoso${url}`, { method, body, headers: { authorization: `Bearer ${contoso.token}`, ...headers } });

  beforeAll(async () => {
    relay = await startRelay({ bodyLimit: 16 * 1024 });
    contoso = await relay.tenant('contoso');
    await contoso.admin('POST', '/users', { username: alice });
    await contoso.admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'all_users', mode: 'any' }] });
    const tap = await contoso.admin('POST', `/users/${alice}/temporary-access-pass`, {});
    phone = await enrollPhone(relay.url, { tenant: 'contoso', username: alice, temporaryAccessPass: tap.body.temporaryAccessPass });
  });
  afterAll(() => relay.close());

  const cases: BadRequest[] = [
    // Malformed JSON
    {
      journey: 'malformed JSON to enrollment start',
      send: () => post('/api/enrollment/start', '{"tenant": "contoso",'),
      status: 400,
      code: 'malformed_json',
    },
    {
      journey: 'malformed JSON to the admin API',
      send: () => admin('POST', '/users', '{username: alice}'),
      status: 400,
      code: 'malformed_json',
    },
    {
      journey: 'an empty JSON body where one is needed',
      send: () => post('/api/enrollment/start', ''),
      status: 400,
      code: 'validation_failed',
      field: '(body)',
    },
    {
      journey: 'a JSON array where an object belongs',
      send: () => admin('PUT', '/policy', []),
      status: 400,
      code: 'validation_failed',
      field: '(body)',
    },
    // Wrong types, each naming the field
    {
      journey: 'a number for the tenant in enrollment start',
      send: () => post('/api/enrollment/start', JSON.stringify({ tenant: 42, username: alice, temporaryAccessPass: 'x' })),
      status: 400,
      code: 'validation_failed',
      field: 'tenant',
    },
    {
      journey: 'a number for the enrollment code',
      send: () => post('/api/enrollment/start', JSON.stringify({ enrollmentCode: 42 })),
      status: 400,
      code: 'validation_failed',
      field: 'enrollmentCode',
    },
    {
      journey: 'a registration without an id in enrollment finish',
      send: () => post('/api/enrollment/finish', JSON.stringify({ enrollmentId: 'x', registration: { id: 7 } })),
      status: 400,
      code: 'validation_failed',
      field: 'registration.id',
    },
    {
      journey: 'a number for a new username',
      send: () => admin('POST', '/users', { username: 42 }),
      status: 400,
      code: 'validation_failed',
      field: 'username',
    },
    {
      journey: 'a string for whether the policy is enabled',
      send: () => admin('PUT', '/policy', { enabled: 'yes' }),
      status: 400,
      code: 'validation_failed',
      field: 'enabled',
    },
    {
      journey: 'an unknown mode in a policy target',
      send: () => admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'all_users', mode: 'always' }] }),
      status: 400,
      code: 'validation_failed',
      field: 'includeTargets[0].mode',
    },
    {
      journey: 'an unknown target kind',
      send: () => admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'everyone' }] }),
      status: 400,
      code: 'validation_failed',
      field: 'includeTargets[0].kind',
    },
    {
      journey: 'a string for the pass lifetime',
      send: () => admin('POST', `/users/${alice}/temporary-access-pass`, { lifetimeMinutes: '60' }),
      status: 400,
      code: 'validation_failed',
      field: 'lifetimeMinutes',
    },
    {
      journey: 'a word for the audit query limit',
      send: () => admin('GET', '/audit?limit=many'),
      status: 400,
      code: 'validation_failed',
      field: 'limit',
    },
    {
      journey: 'a string for enabling phone sign-in (device-signed)',
      send: async () => {
        const url = `/api/registrations/${phone.account.registrationId}/phone-sign-in`;
        const body = JSON.stringify({ enabled: 'yes' });
        const authorization = await deviceAuthorizationHeader(phone.account.deviceId, phone.deviceKey.privateKey, {
          method: 'PUT',
          path: url,
          body,
        });
        return fetchJson(`${relay.url}${url}`, { method: 'PUT', body, headers: { authorization } });
      },
      status: 400,
      code: 'validation_failed',
      field: 'enabled',
    },
    // U+0000: nothing the relay takes may hold it (PostgreSQL's text cannot store it)
    {
      journey: 'a NUL character in a new username',
      send: () => admin('POST', '/users', { username: 'mallory\u0000@contoso.example' }),
      status: 400,
      code: 'validation_failed',
      field: 'username',
    },
    {
      journey: 'a NUL character deep in a policy',
      send: () => admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'group', name: 'Sales\u0000', mode: 'any' }] }),
      status: 400,
      code: 'validation_failed',
      field: 'includeTargets[0].name',
    },
    {
      journey: 'a NUL character in a path',
      send: () => admin('GET', '/users/alice%00@contoso.example'),
      status: 400,
      code: 'validation_failed',
      field: 'username',
    },
    {
      journey: 'a NUL character in a query',
      send: () => admin('GET', '/audit?user=alice%00'),
      status: 400,
      code: 'validation_failed',
      field: 'user',
    },
    {
      journey: 'a NUL character in the username of a sign-in',
      send: () => post('/api/t/contoso/sign-in-requests', JSON.stringify({ username: 'alice\u0000@contoso.example' })),
      status: 400,
      code: 'validation_failed',
      field: 'username',
    },
    // Size and media type
    {
      journey: 'a body over the size limit to enrollment start',
      send: () =>
        post('/api/enrollment/start', JSON.stringify({ tenant: 'contoso', username: alice, temporaryAccessPass: 'x'.repeat(20_000) })),
      status: 413,
      code: 'body_too_large',
    },
    {
      journey: 'a body over the size limit to the admin API',
      send: () => admin('POST', '/users', { username: alice, displayName: 'x'.repeat(20_000) }),
      status: 413,
      code: 'body_too_large',
    },
    {
      journey: 'a text/plain body',
      send: () => post('/api/enrollment/start', 'tenant=contoso', { 'content-type': 'text/plain' }),
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      journey: 'a form-encoded body',
      send: () => post('/api/enrollment/start', 'tenant=contoso', { 'content-type': 'application/x-www-form-urlencoded' }),
      status: 415,
      code: 'unsupported_media_type',
    },
    // Unknown tenant
    {
      journey: 'an unknown tenant at enrollment start (the same answer as any bad pass)',
      send: () =>
        post('/api/enrollment/start', JSON.stringify({ tenant: 'nosuchtenant', username: alice, temporaryAccessPass: 'ABCDEFGHJKLMNPQR' })),
      status: 400,
      code: 'tap_invalid',
    },
    {
      journey: "an unknown tenant in the admin API with another tenant's token (the same 403 as for a real one)",
      send: () => fetchJson(`${relay.url}/admin/t/nosuchtenant/users`, { headers: { authorization: `Bearer ${contoso.token}` } }),
      status: 403,
      code: 'forbidden',
    },
    {
      journey: 'an unknown tenant in the admin API without a token',
      send: () => fetchJson(`${relay.url}/admin/t/nosuchtenant/users`, { body: { username: 'x@y.example' } }),
      status: 401,
      code: 'unauthorized',
    },
    // Unknown routes and methods
    {
      journey: 'an unknown route',
      send: () => fetchJson(`${relay.url}/api/no-such-thing`),
      status: 404,
      code: 'not_found',
    },
    {
      journey: 'an unknown admin route',
      send: () => admin('GET', '/no-such-thing'),
      status: 404,
      code: 'not_found',
    },
    {
      journey: 'a POST to an unknown route',
      send: () => post('/api/enrollment/begin', JSON.stringify({ tenant: 'contoso' })),
      status: 404,
      code: 'not_found',
    },
    {
      journey: 'the wrong method on enrollment start',
      send: () => fetchJson(`${relay.url}/api/enrollment/start`),
      status: 405,
      code: 'method_not_allowed',
    },
    {
      journey: 'the wrong method on the policy',
      send: () => admin('DELETE', '/policy'),
      status: 405,
      code: 'method_not_allowed',
    },
  ];

  it.each(cases)('$journey → $status $code', async ({ send, status, code, field }) => {
    const before = rowCounts(relay.dataDir);
    const answer = await send();
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ type: expect.stringContaining(code), title: expect.any(String), status, code });
    if (field) expect({ field: answer.body.field, detail: answer.body.detail }).toEqual({ field, detail: expect.stringContaining(field) });
    else expect(answer.body.field).toBeUndefined();
    // The relay keeps serving, and nothing was written.
    expect((await fetchJson(`${relay.url}/health`)).status).toBe(200);
    expect(rowCounts(relay.dataDir)).toEqual(before);
  });

  it('a 405 says which methods the path has', async () => {
    const answer = await admin('PATCH', '/policy', {});
    expect(answer.headers.get('allow')).toBe('GET, PUT');
    expect(answer.body.detail).toBe('PATCH is not allowed here; use GET or PUT.');
  });

  it('a badly encoded URL is a problem+json 400 too', async () => {
    const answer = await fetchJson(`${relay.url}/admin/t/%ZZ/users`);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body.code).toBe('validation_failed');
  });

  it('a 413 says what the limit is', async () => {
    const answer = await admin('POST', '/users', { username: alice, displayName: 'x'.repeat(20_000) });
    expect(answer.body.detail).toBe(`The body may be at most ${16 * 1024} bytes.`);
  });

  it('the row counts do see a write (so "nothing was written" above means something)', async () => {
    const before = rowCounts(relay.dataDir);
    expect((await admin('POST', '/users', { username: 'bob@contoso.example' })).status).toBe(201);
    expect(rowCounts(relay.dataDir)).not.toEqual(before);
  });

  it('the same requests, made right, are served (so the refusals above are about the input)', async () => {
    expect((await admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'all_users', mode: 'any' }] })).status).toBe(200);
    expect((await admin('POST', `/users/${alice}/temporary-access-pass`, { lifetimeMinutes: 60 })).status).toBe(201);
    expect((await admin('GET', '/audit?limit=5')).status).toBe(200);
    const enabled = await phone.call('PUT', `/api/registrations/${phone.account.registrationId}/phone-sign-in`, { enabled: true });
    expect(enabled.status).toBe(200);
  });
});
