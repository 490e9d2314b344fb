import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fatigueLimits } from '../../shared/schemas/policy';
import type { TestPhone } from '../helpers/enrollPhone';
import { answer, createRequest, readRequest } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';

/**
 * Issue 17 (problems 2, 8, 10): the phone asks the relay what holds for each of its accounts
 * (`GET /api/device/accounts`, device-signed) and shows that, not its own memory.
 */
describe('GET /api/device/accounts', () => {
  let world: SignInWorld;
  let alice: TestPhone;
  let bob: TestPhone;
  const stateOf = async (phone: TestPhone) => {
    const reply = await phone.call('GET', '/api/device/accounts');
    expect(reply.status).toBe(200);
    return reply.body.accounts as { registrationId: string; phoneSignIn: string; [key: string]: unknown }[];
  };

  beforeAll(async () => {
    world = await startSignInWorld({ limits: fatigueLimits.parse({ reportBlockMinutes: 60 }) });
    alice = await world.enroll('alice@contoso.example');
    bob = await world.enroll('bob@contoso.example', { phoneSignIn: false });
  });
  afterAll(() => world.close());

  it('says phone sign-in is on for a user the policy allows it, and push only for a push-mode user', async () => {
    expect(await stateOf(alice)).toEqual([
      {
        registrationId: alice.account.registrationId,
        phoneSignInEnabled: true,
        phoneSignIn: 'on',
        approvalsAllowed: true,
        disabled: false,
        disabledSince: null,
        pausedSince: null,
        reportedSourcesBlockedUntil: null,
        reportBlockMinutes: 60,
      },
    ]);
    expect(await stateOf(bob)).toEqual([
      expect.objectContaining({ phoneSignInEnabled: false, phoneSignIn: 'push_only', approvalsAllowed: true }),
    ]);
  });

  it('after "No, it’s not me" phone sign-in is paused, with until when the reported place is blocked', async () => {
    const before = world.now();
    const created = (
      await createRequest(world.relay.url, 'contoso', { username: 'alice@contoso.example' }, { 'nod-collector-key': 'k'.repeat(30) })
    ).body;
    const details = (await readRequest(alice, created.requestId)).body;
    expect((await answer(world.relay.url, alice, details, 'report')).body.status).toBe('reported');
    const [state] = await stateOf(alice);
    expect(state).toMatchObject({ phoneSignInEnabled: true, phoneSignIn: 'paused' });
    expect(Date.parse(state.pausedSince as string)).toBeGreaterThanOrEqual(before - 1000);
    const until = Date.parse(state.reportedSourcesBlockedUntil as string);
    expect(until).toBeGreaterThan(before + 59 * 60_000);
    expect(until).toBeLessThanOrEqual(world.now() + 60 * 60_000);
    // The admin clears the risk: phone sign-in is on again.
    expect((await world.contoso.admin('POST', '/users/alice@contoso.example/clear-risk', {})).status).toBe(200);
    expect(await stateOf(alice)).toEqual([
      expect.objectContaining({ phoneSignIn: 'on', pausedSince: null, reportedSourcesBlockedUntil: null }),
    ]);
  });

  it('an account the admin disabled says so (sign-in blocked, no approvals), and again not once enabled', async () => {
    expect((await world.contoso.admin('POST', '/users/alice@contoso.example/disable', {})).status).toBe(200);
    const [state] = await stateOf(alice);
    expect(state).toMatchObject({ disabled: true, phoneSignIn: 'blocked', approvalsAllowed: false, phoneSignInEnabled: true });
    expect(Date.parse(state.disabledSince as string)).toBeLessThanOrEqual(world.now());
    expect((await world.contoso.admin('POST', '/users/alice@contoso.example/enable', {})).status).toBe(200);
    expect(await stateOf(alice)).toEqual([expect.objectContaining({ disabled: false, disabledSince: null, phoneSignIn: 'on' })]);
  });

  it('an account the organization removed is no longer listed', async () => {
    const registration = (await world.contoso.admin('GET', '/users/bob@contoso.example/registrations')).body.registrations[0];
    expect((await world.contoso.admin('DELETE', `/users/bob@contoso.example/registrations/${registration.id}`)).status).toBe(204);
    expect(await stateOf(bob)).toEqual([]);
  });

  it('refuses an unsigned call', async () => {
    const reply = await fetch(`${world.relay.url}/api/device/accounts`);
    expect(reply.status).toBe(401);
  });
});
