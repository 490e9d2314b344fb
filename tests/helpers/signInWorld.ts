/**
 * A relay with a tenant, a loopback push service and enrolled phones: the starting point of
 * every sign-in test. Alice is in Sales (mode any) with phone sign-in enabled on her phone;
 * Bob is in Field (mode push) with a password; Gail is a guest.
 */
import { Agent } from 'node:https';
import { type TestPhone, enrollPhone } from './enrollPhone';
import type { RelayConfig } from '../../server/config';
import { type PushService, startPushService } from './pushService';
import { type StartRelayOptions, type TestRelay, type TestTenant, startRelay } from './startRelay';

export interface SignInWorld {
  relay: TestRelay;
  push: PushService;
  contoso: TestTenant;
  /** Move the relay's clock forward. */
  advance(ms: number): void;
  /** The relay's clock now. */
  now(): number;
  enroll(username: string, options?: { push?: boolean; phoneSignIn?: boolean; tenant?: TestTenant }): Promise<TestPhone>;
  close(): Promise<void>;
}

/**
 * Limits loose enough that tests of other things never meet them (a test creates many requests
 * for one user from one loopback address); tests of the limits pass the defaults or their own.
 */
export const looseLimits = {
  pushesPerUser: 1000,
  unansweredBeforeBackOff: 100,
  pushesPerSource: 100_000,
  failuresBeforeBackOff: 50,
  lockAfterFailures: 100,
  failuresPerSource: 100_000,
};

/**
 * `appOptions` go to startRelay: `{ postgres: true }` runs the world on a fresh PostgreSQL database.
 * `policyOverrides.limits` is laid over `looseLimits`.
 */
export async function startSignInWorld(
  policyOverrides: Record<string, unknown> = {},
  appOptions: StartRelayOptions & { config?: Partial<RelayConfig> } = {},
): Promise<SignInWorld> {
  const push = await startPushService();
  let offset = 0;
  const { config, ...startOptions } = appOptions;
  const relay = await startRelay(config ?? {}, {
    pushAgent: new Agent({ ca: push.ca, keepAlive: true }),
    now: () => Date.now() + offset,
    ...startOptions,
  });
  const contoso = await relay.tenant('contoso', { displayName: 'Contoso' });
  await contoso.admin('POST', '/groups', { name: 'Sales' });
  await contoso.admin('POST', '/groups', { name: 'Field' });
  for (const [username, kind, group] of [
    ['alice@contoso.example', 'member', 'Sales'],
    ['bob@contoso.example', 'member', 'Field'],
    ['gail@fabrikam.example', 'guest', 'Sales'],
  ] as const) {
    await contoso.admin('POST', '/users', { username, kind, displayName: username.split('@')[0] });
    await contoso.admin('PUT', `/groups/${group}/members/${username}`);
  }
  await contoso.admin('PUT', '/users/bob@contoso.example/password', { password: 'correct horse battery' });
  await contoso.admin('PUT', '/policy', {
    enabled: true,
    includeTargets: [
      { kind: 'group', name: 'Sales', mode: 'any' },
      { kind: 'group', name: 'Field', mode: 'push' },
    ],
    ...policyOverrides,
    limits: { ...looseLimits, ...(policyOverrides.limits as object | undefined) },
  });
  return {
    relay,
    push,
    contoso,
    advance(ms) {
      offset += ms;
    },
    now: () => Date.now() + offset,
    async enroll(username, options = {}) {
      const tenant = options.tenant ?? contoso;
      const tap = await tenant.admin('POST', `/users/${username}/temporary-access-pass`, {});
      const subscription = options.push === false ? undefined : push.createSubscription().subscription;
      const phone = await enrollPhone(
        relay.url,
        { tenant: tenant.name, username, temporaryAccessPass: tap.body.temporaryAccessPass },
        { pushSubscription: subscription, now: () => Date.now() + offset },
      );
      if (options.phoneSignIn !== false) {
        const enabled = await phone.call('PUT', `/api/registrations/${phone.account.registrationId}/phone-sign-in`, { enabled: true });
        if (enabled.status !== 200 && options.phoneSignIn === true) throw new Error(`enable: ${JSON.stringify(enabled.body)}`);
      }
      return phone;
    },
    async close() {
      await relay.close();
      await push.close();
    },
  };
}
