import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryAccessPassLifetime } from '../../shared/constants';
import { hashSecret } from '../../server/ids';
import { enrollPhone, enrollmentProof } from '../helpers/enrollPhone';
import { createDeviceKey, createSoftAuthenticator } from '../helpers/softAuthenticator';
import { type TestRelay, type TestTenant, fetchJson, startRelay } from '../helpers/startRelay';

const alice = 'alice@contoso.example';
const bob = 'bob@contoso.example';
const minute = 60_000;

describe('journey 2: the Temporary Access Pass an admin issues', () => {
  // The relay's clock: tests move it forward to let passes expire.
  let now = Date.parse('2026-03-02T09:00:00Z');
  let relay: TestRelay;
  let contoso: TestTenant;
  let fabrikam: TestTenant;

  const issue = async (tenant: TestTenant, username: string, body: object = {}) => {
    const issued = await tenant.admin('POST', `/users/${username}/temporary-access-pass`, body);
    expect(issued.status).toBe(201);
    return issued.body.temporaryAccessPass as string;
  };
  const start = (tenant: string, username: string, temporaryAccessPass: string) =>
    fetchJson(`${relay.url}/api/enrollment/start`, { body: { tenant, username, temporaryAccessPass } });
  const lastFailure = async (tenant: TestTenant) =>
    (await tenant.admin('GET', '/audit?type=temporary_access_pass.redeemed&outcome=failure&limit=1')).body.events[0];

  beforeAll(async () => {
    relay = await startRelay({}, { now: () => now });
    contoso = await relay.tenant('contoso');
    fabrikam = await relay.tenant('fabrikam');
    for (const tenant of [contoso, fabrikam]) {
      await tenant.admin('POST', '/users', { username: alice });
      await tenant.admin('POST', '/users', { username: bob });
      await tenant.admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'all_users', mode: 'any' }] });
    }
  });
  afterAll(() => relay.close());

  it('a fresh pass starts an enrollment and lasts one hour by default, one-time', async () => {
    const issued = await contoso.admin('POST', `/users/${alice}/temporary-access-pass`, {});
    expect(issued.status).toBe(201);
    expect(issued.body).toEqual({
      id: expect.any(String),
      temporaryAccessPass: expect.stringMatching(/^[A-Za-z0-9]{16}$/),
      expiresAt: new Date(now + 60 * minute).toISOString(),
      oneTime: true,
    });
    const started = await start('contoso', alice, issued.body.temporaryAccessPass);
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ tenant: 'contoso', username: alice });
  });

  describe('every pass that does not work gets the same answer', () => {
    const answers: { case: string; status: number; body: unknown }[] = [];
    const refused = async (label: string, answer: { status: number; body: unknown }) => {
      answers.push({ case: label, ...answer });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: 'tap_invalid' });
    };

    it('an expired pass is refused', async () => {
      const pass = await issue(contoso, alice, { lifetimeMinutes: 10 });
      now += 10 * minute;
      await refused('expired', await start('contoso', alice, pass));
      expect(await lastFailure(contoso)).toMatchObject({ username: alice, reason: 'no_usable_pass' });
    });

    it('a pass one second before it expires still works', async () => {
      const pass = await issue(contoso, alice, { lifetimeMinutes: 10 });
      now += 10 * minute - 1000;
      expect((await start('contoso', alice, pass)).status).toBe(200);
    });

    it('a one-time pass is refused once a phone finished enrolling with it', async () => {
      const pass = await issue(contoso, alice);
      await enrollPhone(relay.url, { tenant: 'contoso', username: alice, temporaryAccessPass: pass });
      await refused('used', await start('contoso', alice, pass));
      expect(await lastFailure(contoso)).toMatchObject({ username: alice, reason: 'no_usable_pass' });
    });

    it('an enrollment started but never finished does not use the pass up; finishing does, once', async () => {
      const pass = await issue(contoso, alice);
      const abandoned = await start('contoso', alice, pass);
      expect(abandoned.status).toBe(200);
      const phone = await enrollPhone(relay.url, { tenant: 'contoso', username: alice, temporaryAccessPass: pass });
      expect(phone.account.username).toBe(alice);
      // The abandoned session cannot be finished with the pass gone.
      const late = await fetchJson(`${relay.url}/api/enrollment/finish`, {
        body: {
          enrollmentId: abandoned.body.enrollmentId,
          registration: await phone.authenticator.register(abandoned.body.options),
          devicePublicKey: phone.deviceKey.publicJwk,
          deviceProof: await enrollmentProof(phone.deviceKey, abandoned.body),
        },
      });
      expect(late.status).toBe(400);
      expect(late.body.code).toBe('enrollment_invalid');
    });

    it('a pass replaced by a newer one is refused, and the newer one works', async () => {
      const older = await issue(contoso, alice);
      const newer = await issue(contoso, alice);
      await refused('replaced', await start('contoso', alice, older));
      expect(await lastFailure(contoso)).toMatchObject({ username: alice, reason: 'wrong_pass' });
      expect((await start('contoso', alice, newer)).status).toBe(200);
    });

    it('a pass the admin revoked is refused', async () => {
      const pass = await issue(contoso, alice);
      expect((await contoso.admin('DELETE', `/users/${alice}/temporary-access-pass`)).status).toBe(204);
      await refused('revoked', await start('contoso', alice, pass));
    });

    it('a pass used in another tenant is refused, even where the same username has a pass', async () => {
      const contosoPass = await issue(contoso, alice);
      await issue(fabrikam, alice);
      await refused('wrong tenant', await start('fabrikam', alice, contosoPass));
      expect(await lastFailure(fabrikam)).toMatchObject({ username: alice, reason: 'wrong_pass' });
      // Still good where it belongs.
      expect((await start('contoso', alice, contosoPass)).status).toBe(200);
    });

    it('a pass used for another user is refused, even when that user has a pass', async () => {
      const alicePass = await issue(contoso, alice);
      await issue(contoso, bob);
      await refused('wrong user', await start('contoso', bob, alicePass));
      expect(await lastFailure(contoso)).toMatchObject({ username: bob, reason: 'wrong_pass' });
      expect((await start('contoso', alice, alicePass)).status).toBe(200);
    });

    it('a wrong pass is refused', async () => {
      await issue(contoso, alice);
      await refused('wrong pass', await start('contoso', alice, 'ABCDEFGHJKLMNPQR'));
      expect(await lastFailure(contoso)).toMatchObject({ username: alice, reason: 'wrong_pass' });
    });

    it('an unknown user is refused', async () => {
      await refused('unknown user', await start('contoso', 'nobody@contoso.example', 'ABCDEFGHJKLMNPQR'));
      expect(await lastFailure(contoso)).toMatchObject({ username: 'nobody@contoso.example', reason: 'unknown_user' });
    });

    it('an unknown tenant is refused', async () => {
      const pass = await issue(contoso, alice);
      await refused('unknown tenant', await start('nosuchtenant', alice, pass));
    });

    it('all those answers are identical: nothing tells which check failed', () => {
      expect(answers.map((a) => a.case)).toEqual([
        'expired',
        'used',
        'replaced',
        'revoked',
        'wrong tenant',
        'wrong user',
        'wrong pass',
        'unknown user',
        'unknown tenant',
      ]);
      for (const answer of answers) {
        expect({ case: answer.case, status: answer.status, body: answer.body }).toEqual({
          case: answer.case,
          status: answers[0].status,
          body: answers[0].body,
        });
      }
    });
  });

  it('a multi-use pass works more than once until it expires', async () => {
    const pass = await issue(contoso, bob, { oneTime: false, lifetimeMinutes: 30 });
    expect((await start('contoso', bob, pass)).status).toBe(200);
    expect((await start('contoso', bob, pass)).status).toBe(200);
    now += 30 * minute;
    expect((await start('contoso', bob, pass)).body).toMatchObject({ code: 'tap_invalid' });
  });

  describe('lifetime bounds: 10 minutes to 30 days', () => {
    it.each([temporaryAccessPassLifetime.minMinutes, temporaryAccessPassLifetime.maxMinutes])(
      '%i minutes is accepted',
      async (lifetimeMinutes) => {
        const issued = await contoso.admin('POST', `/users/${bob}/temporary-access-pass`, { lifetimeMinutes });
        expect(issued.status).toBe(201);
        expect(issued.body.expiresAt).toBe(new Date(now + lifetimeMinutes * minute).toISOString());
      },
    );

    it.each([temporaryAccessPassLifetime.minMinutes - 1, temporaryAccessPassLifetime.maxMinutes + 1])(
      '%i minutes is refused, naming lifetimeMinutes',
      async (lifetimeMinutes) => {
        const usable = await issue(contoso, bob);
        const refused = await contoso.admin('POST', `/users/${bob}/temporary-access-pass`, { lifetimeMinutes });
        expect(refused.status).toBe(400);
        expect(refused.body).toMatchObject({ code: 'validation_failed', field: 'lifetimeMinutes' });
        // The refused request did not replace the pass the user holds.
        expect((await start('contoso', bob, usable)).status).toBe(200);
      },
    );
  });

  describe('a pass that stops being good between enrollment start and finish finishes nothing', () => {
    /** Start with the pass, let `meanwhile` happen, then finish with a good credential and device key. */
    const startThenFinish = async (pass: string, meanwhile: () => Promise<void>) => {
      const started = await start('contoso', bob, pass);
      expect(started.status).toBe(200);
      const registration = await createSoftAuthenticator({ origin: relay.url }).register(started.body.options);
      await meanwhile();
      const deviceKey = await createDeviceKey();
      return fetchJson(`${relay.url}/api/enrollment/finish`, {
        body: {
          enrollmentId: started.body.enrollmentId,
          registration,
          devicePublicKey: deviceKey.publicJwk,
          deviceProof: await enrollmentProof(deviceKey, started.body),
        },
      });
    };
    const registrationsOfBob = async () => (await contoso.admin('GET', `/users/${bob}/registrations`)).body.registrations as unknown[];
    const expectNothingFinished = async (answer: { status: number; body: any }, before: number) => {
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('enrollment_invalid');
      expect(await registrationsOfBob()).toHaveLength(before);
    };
    const revoke = async () => {
      expect((await contoso.admin('DELETE', `/users/${bob}/temporary-access-pass`)).status).toBe(204);
    };

    it('a one-time pass revoked meanwhile', async () => {
      const before = (await registrationsOfBob()).length;
      await expectNothingFinished(await startThenFinish(await issue(contoso, bob), revoke), before);
    });

    it('a multi-use pass revoked meanwhile', async () => {
      const before = (await registrationsOfBob()).length;
      await expectNothingFinished(await startThenFinish(await issue(contoso, bob, { oneTime: false }), revoke), before);
    });

    it('a multi-use pass replaced by a newer one meanwhile', async () => {
      const before = (await registrationsOfBob()).length;
      const replace = async () => void (await issue(contoso, bob, { oneTime: false }));
      await expectNothingFinished(await startThenFinish(await issue(contoso, bob, { oneTime: false }), replace), before);
    });

    it('a multi-use pass that expired meanwhile (the enrollment itself still within its ten minutes)', async () => {
      const before = (await registrationsOfBob()).length;
      const expire = async () => {
        now += 10 * minute;
      };
      await expectNothingFinished(
        await startThenFinish(await issue(contoso, bob, { oneTime: false, lifetimeMinutes: 10 }), expire),
        before,
      );
    });

    it('a multi-use pass still good at the finish finishes, and is not used up', async () => {
      const before = (await registrationsOfBob()).length;
      const pass = await issue(contoso, bob, { oneTime: false });
      const finished = await startThenFinish(pass, async () => {});
      expect(finished.status).toBe(201);
      expect(await registrationsOfBob()).toHaveLength(before + 1);
      expect((await start('contoso', bob, pass)).status).toBe(200);
    });
  });

  it('the pass is stored only as a hash: its text appears nowhere in the SQLite files', async () => {
    const pass = await issue(contoso, alice, { lifetimeMinutes: 60 });
    // Read the WAL too: a recent write may not have reached the main file yet.
    const files = fs
      .readdirSync(relay.dataDir)
      .filter((name) => name.startsWith('nod.sqlite'))
      .map((name) => fs.readFileSync(path.join(relay.dataDir, name)));
    const stored = Buffer.concat(files);
    expect(stored.includes(Buffer.from(hashSecret(pass)))).toBe(true);
    expect(stored.includes(Buffer.from(pass))).toBe(false);
    expect((await start('contoso', alice, pass)).status).toBe(200);
  });
});
