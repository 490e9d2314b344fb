/**
 * Issue 17 (problem 8): the phone never shows a method the relay no longer has. Whatever changes
 * what a phone shows of an account — a method removed (by the admin, in My Sign-ins, on the phone),
 * a device removed, the user disabled or enabled, made a guest, moved between groups, at risk
 * after "No, it's not me" and cleared, a browser registered or removed, the policy saved — the
 * phone's live channel (`GET /api/device/events`) carries `accounts` at once, and the phone's
 * `GET /api/device/accounts` then shows it. On both backends; on PostgreSQL across two relays.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceEvent } from '../../shared/schemas/devices';
import { CookieJar } from '../helpers/cookieJar';
import { type DeviceStream, openDeviceStream } from '../helpers/deviceStream';
import type { TestPhone } from '../helpers/enrollPhone';
import { signInWithPhoneAt } from '../helpers/hostedSignIn';
import { answer, createRequest, readRequest } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { type TestRelay, startRelay } from '../helpers/startRelay';
import { storages } from '../helpers/storages';
import { startTestBrowser } from '../helpers/testBrowser';

const alice = 'alice@contoso.example';
const bob = 'bob@contoso.example';
const isAccounts = (event: DeviceEvent) => event.type === 'accounts';

describe.each(storages)('a phone hears at once that its accounts changed ($storage)', ({ postgres }) => {
  let world: SignInWorld;
  let phones: Record<string, TestPhone>;
  const streams: DeviceStream[] = [];

  const listen = async (phone: TestPhone, relayUrl = world.relay.url) => {
    const stream = await openDeviceStream(relayUrl, phone);
    streams.push(stream);
    return stream;
  };
  /** Make the change, then wait until the stream carries one more `accounts` than before it. */
  const heardAfter = async (stream: DeviceStream, change: () => Promise<unknown>) => {
    const before = stream.events.filter(isAccounts).length;
    await change();
    await expect.poll(() => stream.events.filter(isAccounts).length, { timeout: 5_000 }).toBeGreaterThan(before);
  };
  const stateOf = async (phone: TestPhone) => {
    const reply = await phone.call('GET', '/api/device/accounts');
    expect(reply.status).toBe(200);
    return reply.body.accounts as { phoneSignIn: string; disabled: boolean }[];
  };
  const ok =
    (expected: number) =>
    <T extends { status: number; body: any }>(reply: T): T => {
      expect(reply.status, JSON.stringify(reply.body)).toBe(expected);
      return reply;
    };

  beforeAll(async () => {
    world = await startSignInWorld({}, { postgres });
    const others = ['carol', 'dave', 'erin', 'fay'].map((name) => `${name}@contoso.example`);
    for (const username of others) {
      await world.contoso.admin('POST', '/users', { username });
      await world.contoso.admin('PUT', `/groups/Sales/members/${username}`);
    }
    phones = {};
    for (const username of [alice, bob, ...others]) {
      phones[username] = await world.enroll(username, { phoneSignIn: username !== bob });
    }
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await world?.close();
  });

  it('the policy saved: every phone of the tenant hears it', async () => {
    const [a, b] = [await listen(phones[alice]), await listen(phones[bob])];
    const policy = (await world.contoso.admin('GET', '/policy')).body;
    await heardAfter(a, async () => {
      ok(200)(
        await world.contoso.admin('PUT', '/policy', {
          ...policy,
          includeTargets: policy.includeTargets.map((t: { kind: string; name?: string; mode: string }) => ({
            ...t,
            mode: t.name === 'Field' ? 'any' : t.mode,
          })),
        }),
      );
    });
    await b.waitFor(isAccounts);
    expect(await stateOf(phones[bob])).toEqual([expect.objectContaining({ phoneSignIn: 'off' })]);
    await heardAfter(b, async () => ok(200)(await world.contoso.admin('PUT', '/policy', policy)));
    expect(await stateOf(phones[bob])).toEqual([expect.objectContaining({ phoneSignIn: 'push_only' })]);
  });

  it('the user disabled, then enabled: the phone hears each, and reads "blocked", then not', async () => {
    const stream = await listen(phones[alice]);
    await heardAfter(stream, async () => ok(200)(await world.contoso.admin('POST', `/users/${alice}/disable`, {})));
    expect(await stateOf(phones[alice])).toEqual([expect.objectContaining({ disabled: true, phoneSignIn: 'blocked' })]);
    await heardAfter(stream, async () => ok(200)(await world.contoso.admin('POST', `/users/${alice}/enable`, {})));
    expect(await stateOf(phones[alice])).toEqual([expect.objectContaining({ disabled: false, phoneSignIn: 'on' })]);
  });

  it('another user changed: this phone hears nothing', async () => {
    const [a, b] = [await listen(phones[alice]), await listen(phones[bob])];
    await heardAfter(b, async () => ok(200)(await world.contoso.admin('POST', `/users/${bob}/disable`, {})));
    // Both streams hear the relay in the order it published; bob's was published last.
    expect(a.events.filter(isAccounts)).toEqual([]);
    ok(200)(await world.contoso.admin('POST', `/users/${bob}/enable`, {}));
  });

  it('the user made a guest, and a member again', async () => {
    const stream = await listen(phones[alice]);
    await heardAfter(stream, async () => ok(200)(await world.contoso.admin('PATCH', `/users/${alice}`, { kind: 'guest' })));
    expect(await stateOf(phones[alice])).toEqual([expect.objectContaining({ phoneSignIn: 'not_allowed' })]);
    await heardAfter(stream, async () => ok(200)(await world.contoso.admin('PATCH', `/users/${alice}`, { kind: 'member' })));
  });

  it('the user taken out of the policy’s group, and put back', async () => {
    const stream = await listen(phones[alice]);
    await heardAfter(stream, async () => ok(204)(await world.contoso.admin('DELETE', `/groups/Sales/members/${alice}`)));
    expect(await stateOf(phones[alice])).toEqual([expect.objectContaining({ phoneSignIn: 'not_allowed' })]);
    await heardAfter(stream, async () => ok(204)(await world.contoso.admin('PUT', `/groups/Sales/members/${alice}`)));
    expect(await stateOf(phones[alice])).toEqual([expect.objectContaining({ phoneSignIn: 'on' })]);
  });

  it('"No, it’s not me": the phone hears phone sign-in paused; the admin clears the risk and it hears that', async () => {
    const stream = await listen(phones[alice]);
    await heardAfter(stream, async () => {
      const created = ok(201)(await createRequest(world.relay.url, 'contoso', { username: alice }));
      const details = ok(200)(await readRequest(phones[alice], created.body.requestId));
      expect(ok(200)(await answer(world.relay.url, phones[alice], details.body, 'report')).body.status).toBe('reported');
    });
    expect(await stateOf(phones[alice])).toEqual([expect.objectContaining({ phoneSignIn: 'paused' })]);
    await heardAfter(stream, async () => ok(200)(await world.contoso.admin('POST', `/users/${alice}/clear-risk`, {})));
    expect(await stateOf(phones[alice])).toEqual([expect.objectContaining({ phoneSignIn: 'on' })]);
  });

  it('a browser registered for the user, and removed: the phone, which lists them, hears each', async () => {
    const stream = await listen(phones[alice]);
    const browser = await startTestBrowser(world.relay.url);
    await heardAfter(stream, async () => {
      const tap = ok(201)(await world.contoso.admin('POST', `/users/${alice}/temporary-access-pass`, {}));
      ok(200)(await browser.addUserWithPass(alice, tap.body.temporaryAccessPass));
    });
    await heardAfter(stream, async () => ok(204)(await world.contoso.admin('DELETE', `/users/${alice}/browsers/${browser.deviceId}`)));
  });

  it('a method removed by the admin (and the CLI, which calls the same API)', async () => {
    const phone = phones['carol@contoso.example'];
    const stream = await listen(phone);
    const registration = phone.account.registrationId;
    await heardAfter(stream, async () =>
      ok(204)(await world.contoso.admin('DELETE', `/users/carol@contoso.example/registrations/${registration}`)),
    );
    expect(await stateOf(phone)).toEqual([]);
  });

  it('a method removed in My Sign-ins', async () => {
    const phone = phones['dave@contoso.example'];
    const jar = new CookieJar();
    const start = await jar.follow(`${world.relay.url}/t/contoso/my-sign-ins/sign-in`, (u) => u.pathname.includes('/interaction/'));
    const { redirectTo } = await signInWithPhoneAt(jar, world.relay.url, start.url, 'contoso', 'dave@contoso.example', phone);
    await jar.follow(redirectTo, (u) => u.pathname === '/t/contoso/my-sign-ins');
    const stream = await listen(phone);
    await heardAfter(stream, async () => {
      const removed = await jar.fetch(`${world.relay.url}/t/contoso/my-sign-ins/api/registrations/${phone.account.registrationId}`, {
        method: 'DELETE',
        headers: { origin: world.relay.url },
      });
      expect(removed.status).toBe(204);
    });
    expect(await stateOf(phone)).toEqual([]);
  });

  it('a device removed by the admin ("lost phone")', async () => {
    const phone = phones['erin@contoso.example'];
    const stream = await listen(phone);
    await heardAfter(stream, async () =>
      ok(204)(await world.contoso.admin('DELETE', `/users/erin@contoso.example/devices/${phone.account.deviceId}`)),
    );
    const audit = (await world.contoso.admin('GET', '/audit?type=device.removed')).body.events;
    expect(audit[0]).toMatchObject({ username: 'erin@contoso.example', detail: expect.objectContaining({ by: 'admin' }) });
  });

  // Relays share one database only on PostgreSQL (a SQLite file belongs to one relay): defined there alone.
  if (postgres)
    it('across two relays: a phone listening on relay B hears a change made on relay A, and a policy saved there', async () => {
      // Relay B: the same database and the same keys (as on a shared volume), its own process state.
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-test-'));
      fs.cpSync(path.join(world.relay.dataDir, 'keys'), path.join(dataDir, 'keys'), { recursive: true });
      const other: TestRelay = await startRelay({ databaseUrl: world.relay.databaseUrl, dataDir }, { now: world.now });
      try {
        const stream = await listen(phones['fay@contoso.example'], other.url);
        await heardAfter(stream, async () => ok(200)(await world.contoso.admin('POST', '/users/fay@contoso.example/disable', {})));
        await heardAfter(stream, async () =>
          ok(200)(await world.contoso.admin('PUT', '/policy', (await world.contoso.admin('GET', '/policy')).body)),
        );
        const registration = phones['fay@contoso.example'].account.registrationId;
        await heardAfter(stream, async () =>
          ok(204)(await world.contoso.admin('DELETE', `/users/fay@contoso.example/registrations/${registration}`)),
        );
      } finally {
        await other.close();
      }
    });
});
