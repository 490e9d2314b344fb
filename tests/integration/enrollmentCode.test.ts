import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Mode } from '../../shared/constants';
import { createEnrollmentCode } from '../../server/enrollment/createEnrollmentCode';
import { ProblemError } from '../../server/http/problem';
import { enrollPhone } from '../helpers/enrollPhone';
import { type TestRelay, type TestTenant, fetchJson, startRelay } from '../helpers/startRelay';

// No HTTP route makes enrollment codes yet (My Sign-ins will); the test calls the relay's own function.
describe('journey 2 (guided): a signed-in user adds the Authenticator app with a one-time enrollment code', () => {
  let offset = 0;
  let relay: TestRelay;
  let contoso: TestTenant;
  const username = 'alice@contoso.example';

  beforeAll(async () => {
    relay = await startRelay({}, { now: () => Date.now() + offset });
    contoso = await relay.tenant('contoso');
    await contoso.admin('POST', '/users', { username });
  });
  beforeEach(() => {
    offset = 0;
  });
  afterAll(() => relay.close());

  const setMode = async (mode: Mode) => {
    const saved = await contoso.admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'user', name: username, mode }] });
    expect(saved.status).toBe(200);
  };
  const makeCode = async () => {
    const tenant = (await relay.ctx.storage.tenants.byName('contoso'))!;
    const user = (await relay.ctx.storage.users.byName(tenant.id, username))!;
    return createEnrollmentCode(relay.ctx, tenant, user);
  };
  const startWith = (enrollmentCode: string) => fetchJson(`${relay.url}/api/enrollment/start`, { body: { enrollmentCode } });

  it.each(['any', 'push'] as const)('in %s mode the code adds the account on the phone', async (mode) => {
    await setMode(mode);
    const { enrollmentCode } = await makeCode();
    const phone = await enrollPhone(relay.url, { enrollmentCode });
    expect(phone.account).toMatchObject({ tenant: 'contoso', username, phoneSignInEnabled: false });
    const audit = await contoso.admin('GET', '/audit?type=registration.created&limit=1');
    expect(audit.body.events[0]).toMatchObject({ username, method: 'enrollment_code' });
  });

  it('in passwordless mode no code is made: the user is sent to a Temporary Access Pass', async () => {
    await setMode('passwordless');
    const refused = await makeCode().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProblemError);
    expect(refused).toMatchObject({ code: 'enrollment_not_allowed', status: 403 });
    expect((refused as ProblemError).detail).toMatch(/Temporary Access Pass/);
  });

  it('a user the policy does not target gets no code', async () => {
    await contoso.admin('PUT', '/policy', { enabled: false });
    await expect(makeCode()).rejects.toMatchObject({ code: 'enrollment_not_allowed' });
  });

  it('a code made in any mode is refused once the mode became passwordless', async () => {
    await setMode('any');
    const { enrollmentCode } = await makeCode();
    await setMode('passwordless');
    const refused = await startWith(enrollmentCode);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'enrollment_not_allowed' });
    expect(refused.body.detail).toMatch(/Temporary Access Pass/);
  });

  it('a code works once', async () => {
    await setMode('any');
    const { enrollmentCode } = await makeCode();
    expect((await startWith(enrollmentCode)).status).toBe(200);
    const again = await startWith(enrollmentCode);
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ code: 'enrollment_invalid' });
  });

  it('a code is refused after its five minutes', async () => {
    await setMode('any');
    const { enrollmentCode, expiresAt } = await makeCode();
    offset = expiresAt - Date.now() + 1000;
    const late = await startWith(enrollmentCode);
    expect(late.status).toBe(400);
    expect(late.body).toMatchObject({ code: 'enrollment_invalid' });
  });

  it('a made-up code is refused', async () => {
    const refused = await startWith('not-a-code-the-relay-made');
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'enrollment_invalid' });
  });
});
