import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxPolicyTargets } from '../../shared/constants';
import { type TestRelay, type TestTenant, startRelay } from '../helpers/startRelay';

describe('journey 1: an admin turns on the Authenticator method', () => {
  let relay: TestRelay;
  let contoso: TestTenant;

  beforeAll(async () => {
    relay = await startRelay();
    contoso = await relay.tenant('contoso', { displayName: 'Contoso' });
    for (const username of ['alice@contoso.example', 'bob@contoso.example']) {
      expect((await contoso.admin('POST', '/users', { username })).status).toBe(201);
    }
    expect((await contoso.admin('POST', '/groups', { name: 'Sales' })).status).toBe(201);
    expect((await contoso.admin('PUT', '/groups/Sales/members/alice@contoso.example')).status).toBe(204);
  });
  afterAll(() => relay.close());

  it('a new tenant starts with the method off', async () => {
    const why = await contoso.admin('GET', '/users/alice@contoso.example/policy');
    expect(why).toMatchObject({ status: 200, body: { allowed: false, decidedBy: { kind: 'disabled' } } });
  });

  it('a saved policy applies to the very next question about a user', async () => {
    const saved = await contoso.admin('PUT', '/policy', {
      enabled: true,
      includeTargets: [{ kind: 'group', name: 'Sales', mode: 'passwordless' }],
    });
    expect(saved.status).toBe(200);
    expect(saved.body.includeTargets).toEqual([{ kind: 'group', name: 'Sales', mode: 'passwordless' }]);
    expect(await contoso.admin('GET', '/users/alice@contoso.example/policy')).toMatchObject({
      status: 200,
      body: { allowed: true, mode: 'passwordless', decidedBy: { kind: 'include', target: 'group' } },
    });
    expect((await contoso.admin('GET', '/users/bob@contoso.example/policy')).body).toMatchObject({
      allowed: false,
      decidedBy: { kind: 'none' },
    });

    await contoso.admin('PUT', '/policy', {
      enabled: true,
      includeTargets: [{ kind: 'all_users', mode: 'push' }],
      excludeTargets: [{ kind: 'user', name: 'alice@contoso.example' }],
    });
    expect((await contoso.admin('GET', '/users/alice@contoso.example/policy')).body).toMatchObject({
      allowed: false,
      decidedBy: { kind: 'exclude', target: 'user' },
    });
    expect((await contoso.admin('GET', '/users/bob@contoso.example/policy')).body).toMatchObject({
      allowed: true,
      mode: 'push',
      decidedBy: { kind: 'include', target: 'all_users' },
    });
  });

  it('GET /policy shows the targets by name with the context options', async () => {
    await contoso.admin('PUT', '/policy', {
      enabled: true,
      includeTargets: [
        { kind: 'user', name: 'bob@contoso.example', mode: 'any' },
        { kind: 'group', name: 'Sales', mode: 'push' },
      ],
      showApplicationName: false,
      showLocation: true,
    });
    const shown = await contoso.admin('GET', '/policy');
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      enabled: true,
      includeTargets: [
        { kind: 'user', name: 'bob@contoso.example', mode: 'any' },
        { kind: 'group', name: 'Sales', mode: 'push' },
      ],
      excludeTargets: [],
      showApplicationName: false,
      showLocation: true,
    });
  });

  describe('a policy that cannot be saved leaves the previous one in force', () => {
    const previous = {
      enabled: true,
      includeTargets: [{ kind: 'group', name: 'Sales', mode: 'any' }],
      excludeTargets: [{ kind: 'user', name: 'bob@contoso.example' }],
    };
    beforeAll(async () => {
      expect((await contoso.admin('PUT', '/policy', previous)).status).toBe(200);
    });
    const expectPreviousPolicy = async () => {
      const shown = await contoso.admin('GET', '/policy');
      expect(shown.body).toMatchObject(previous);
      expect((await contoso.admin('GET', '/users/alice@contoso.example/policy')).body).toMatchObject({ allowed: true, mode: 'any' });
    };

    it(`more than ${maxPolicyTargets} targets is refused with advice to use a group`, async () => {
      // Real users, so the only thing wrong is how many there are.
      const many = Array.from({ length: maxPolicyTargets + 1 }, (_, i) => `user${i}@contoso.example`);
      for (const username of many.slice(0, 5)) await contoso.admin('POST', '/users', { username });
      const refused = await contoso.admin('PUT', '/policy', {
        enabled: false,
        includeTargets: many.map((name) => ({ kind: 'user', name, mode: 'push' })),
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'too_many_targets', status: 400 });
      expect(refused.body.detail).toMatch(/group/);
      expect(refused.body.detail).toContain(String(maxPolicyTargets));
      await expectPreviousPolicy();
    });

    it(`exactly ${maxPolicyTargets} targets is still accepted`, async () => {
      const accepted = await contoso.admin('PUT', '/policy', {
        enabled: true,
        includeTargets: [
          ...Array.from({ length: maxPolicyTargets - 2 }, () => ({ kind: 'group', name: 'Sales', mode: 'any' })),
          { kind: 'all_users', mode: 'push' },
        ],
        excludeTargets: [{ kind: 'user', name: 'bob@contoso.example' }],
      });
      expect(accepted.status).toBe(200);
      expect((await contoso.admin('PUT', '/policy', previous)).status).toBe(200);
    });

    it('an unknown group in a target is refused, naming the field', async () => {
      const refused = await contoso.admin('PUT', '/policy', {
        enabled: false,
        includeTargets: [
          { kind: 'all_users', mode: 'push' },
          { kind: 'group', name: 'No Such Group', mode: 'any' },
        ],
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'validation_failed', field: 'includeTargets[1].name' });
      expect(refused.body.detail).toContain('No Such Group');
      await expectPreviousPolicy();
    });

    it('an unknown user in an exclusion is refused, naming the field', async () => {
      const refused = await contoso.admin('PUT', '/policy', {
        enabled: false,
        includeTargets: [{ kind: 'all_users', mode: 'push' }],
        excludeTargets: [
          { kind: 'group', name: 'Sales' },
          { kind: 'user', name: 'nobody@contoso.example' },
        ],
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'validation_failed', field: 'excludeTargets[1].name' });
      await expectPreviousPolicy();
    });

    it('a wrong mode is refused, naming the field', async () => {
      const refused = await contoso.admin('PUT', '/policy', {
        enabled: false,
        includeTargets: [{ kind: 'group', name: 'Sales', mode: 'sometimes' }],
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'validation_failed', field: 'includeTargets[0].mode' });
      await expectPreviousPolicy();
    });
  });

  it('a group the policy targets cannot be deleted out from under it', async () => {
    await contoso.admin('PUT', '/policy', { enabled: true, includeTargets: [{ kind: 'group', name: 'Sales', mode: 'any' }] });
    const refused = await contoso.admin('DELETE', '/groups/Sales');
    expect(refused.status).toBe(409);
    expect((await contoso.admin('GET', '/groups')).body.groups.map((g: { name: string }) => g.name)).toContain('Sales');
  });
});
