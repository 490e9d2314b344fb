import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollPhone } from '../helpers/enrollPhone';
import { type TestRelay, type TestTenant, startRelay } from '../helpers/startRelay';
import { storages } from '../helpers/storages';

describe.each(storages)('journey 2: a user registers the phone with a Temporary Access Pass, on $storage', ({ postgres }) => {
  let relay: TestRelay;
  let contoso: TestTenant;

  beforeAll(async () => {
    relay = await startRelay({}, { postgres });
    contoso = await relay.tenant('contoso', { displayName: 'Contoso' });
    await contoso.admin('POST', '/users', { username: 'alice@contoso.example', displayName: 'Alice' });
    await contoso.admin('POST', '/groups', { name: 'Sales' });
    await contoso.admin('PUT', '/groups/Sales/members/alice@contoso.example');
    await contoso.admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'group', name: 'Sales', mode: 'any' }] });
  });
  afterAll(() => relay.close());

  it('enrolls with a TAP, enables phone sign-in, and survives a restart', async () => {
    const tap = await contoso.admin('POST', '/users/alice@contoso.example/temporary-access-pass', {});
    expect(tap.status).toBe(201);
    const phone = await enrollPhone(relay.url, {
      tenant: 'contoso',
      username: 'alice@contoso.example',
      temporaryAccessPass: tap.body.temporaryAccessPass,
    });
    expect(phone.account).toMatchObject({ tenant: 'contoso', username: 'alice@contoso.example', phoneSignInEnabled: false });
    expect(phone.account.totpSecret).toMatch(/^[A-Z2-7]{32}$/);

    const enabled = await phone.call('PUT', `/api/registrations/${phone.account.registrationId}/phone-sign-in`, { enabled: true });
    expect(enabled).toEqual({ status: 200, body: { phoneSignInEnabled: true } });

    await relay.restart();
    const listed = await contoso.admin('GET', '/users/alice@contoso.example/registrations');
    expect(listed.body.registrations).toHaveLength(1);
    expect(listed.body.registrations[0]).toMatchObject({ id: phone.account.registrationId, phoneSignInEnabled: true });
    // The device key still authenticates after the restart.
    const mine = await phone.call('GET', '/api/device/registrations');
    expect(mine.status).toBe(200);
    expect(mine.body.registrations[0].id).toBe(phone.account.registrationId);
  });
});
