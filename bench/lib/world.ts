/**
 * The benchmarks' starting point: a tenant whose policy lets every user sign in with the phone
 * (fatigue limits raised to their maximum so they never interfere), and N users each with one
 * enrolled phone (software authenticator + WebCrypto device key + a push subscription at the
 * loopback push endpoint), made once through the relay's HTTP API. The relay's data directory is
 * then kept as a snapshot: every measured run starts a fresh relay process on a copy of it.
 */
import { KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { enrollPhone } from '../../tests/helpers/enrollPhone';
import { type DeviceKey, type SoftAuthenticator, createDeviceKey, createSoftAuthenticator } from '../../tests/helpers/softAuthenticator';
import type { EnrollmentFinished } from '../../shared/schemas/enrollment';
import { deviceAuthorizationHeader } from '../../shared/deviceSignature';
import { HttpClient } from './http';
import type { BenchPushEndpoint } from './pushEndpoint';
import { type RelayProcess, type RelayProcessOptions, startRelayProcess } from './relayProcess';

/** WebAuthn's origin and RP ID for the benchmark relay: fixed, so every relay process (any port) accepts the same credentials. */
export const benchPublicUrl = 'https://relay.bench.example';
export const benchRpId = 'relay.bench.example';
export const benchTenant = 'contoso';

export interface BenchPhone {
  username: string;
  authenticator: SoftAuthenticator;
  deviceKey: DeviceKey;
  /** The same device key as a node:crypto KeyObject: the load generator signs on its own thread (bench/lib/signIn.ts). */
  signingKey: KeyObject;
  /** The timestamp (ms) of the phone's last device-signed call from the load generator. */
  lastSignedAt: number;
  account: EnrollmentFinished;
  subscriptionId: string;
}

export interface BenchWorld {
  snapshotDir: string;
  adminToken: string;
  phones: BenchPhone[];
  push: BenchPushEndpoint;
  /** A fresh relay process on a copy of the snapshot. */
  startRelay(options?: Partial<RelayProcessOptions>): Promise<RelayProcess & { dataDir: string; dispose(): Promise<void> }>;
  dispose(): void;
}

/** A bench drives many sign-ins per user from one address: limits it never meets. */
export const fatigueLimitsForBench = {
  pushesPerUser: 1000,
  unansweredBeforeBackOff: 100,
  pushesPerSource: 100_000,
  failuresPerSource: 100_000,
  requestLifetimeSeconds: 600,
};

export async function adminCall(client: HttpClient, token: string, method: string, adminPath: string, body?: unknown) {
  const result = await client.call(method, `/admin/t/${benchTenant}${adminPath}`, { body, headers: { authorization: `Bearer ${token}` } });
  if (result.status >= 300) throw new Error(`admin ${method} ${adminPath}: ${result.status} ${JSON.stringify(result.body)}`);
  return result.body;
}

export async function createWorld(options: {
  users: number;
  push: BenchPushEndpoint;
  say?: (line: string) => void;
  /** Make the world in this PostgreSQL database (figure 6 copies it per run); the data directory then holds the keys. */
  databaseUrl?: string;
}): Promise<BenchWorld> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-bench-'));
  const snapshotDir = path.join(root, 'snapshot');
  const base = { publicUrl: benchPublicUrl, rpId: benchRpId, pushCa: options.push.ca };
  const relay = await startRelayProcess({ ...base, dataDir: snapshotDir, databaseUrl: options.databaseUrl });
  const client = new HttpClient(relay.url);
  const phones: BenchPhone[] = [];
  let adminToken = '';
  try {
    adminToken = (await relay.setup(benchTenant)).token;
    await adminCall(client, adminToken, 'PUT', '/policy', {
      enabled: true,
      includeTargets: [{ kind: 'all_users', mode: 'any' }],
      limits: fatigueLimitsForBench,
    });
    const enrollOne = async (index: number): Promise<BenchPhone> => {
      const username = `user${String(index).padStart(5, '0')}@contoso.example`;
      await adminCall(client, adminToken, 'POST', '/users', { username, kind: 'member', displayName: `User ${index}` });
      const tap = await adminCall(client, adminToken, 'POST', `/users/${username}/temporary-access-pass`, {});
      const { id: subscriptionId, subscription } = options.push.subscribe();
      const authenticator = createSoftAuthenticator({ origin: benchPublicUrl });
      const deviceKey = await createDeviceKey();
      const phone = await enrollPhone(
        relay.url,
        { tenant: benchTenant, username, temporaryAccessPass: tap.temporaryAccessPass },
        { authenticator, deviceKey, pushSubscription: subscription, deviceName: `Phone ${index}` },
      );
      const path = `/api/registrations/${phone.account.registrationId}/phone-sign-in`;
      const text = JSON.stringify({ enabled: true });
      const authorization = await deviceAuthorizationHeader(phone.account.deviceId, deviceKey.privateKey, {
        method: 'PUT',
        path,
        body: text,
      });
      const enabled = await client.call('PUT', path, { body: text, headers: { authorization } });
      if (enabled.status !== 200) throw new Error(`enable phone sign-in: ${enabled.status} ${JSON.stringify(enabled.body)}`);
      return {
        username,
        authenticator,
        deviceKey,
        signingKey: KeyObject.from(deviceKey.privateKey),
        lastSignedAt: 0,
        account: phone.account,
        subscriptionId,
      };
    };
    const batch = 8;
    for (let start = 0; start < options.users; start += batch) {
      const size = Math.min(batch, options.users - start);
      phones.push(...(await Promise.all(Array.from({ length: size }, (_, k) => enrollOne(start + k)))));
    }
  } finally {
    client.close();
    await relay.stop();
  }
  options.say?.(`enrolled ${phones.length} phones`);

  let copies = 0;
  return {
    snapshotDir,
    adminToken,
    phones,
    push: options.push,
    async startRelay(overrides = {}) {
      const dataDir = path.join(root, `run-${++copies}`);
      fs.cpSync(snapshotDir, dataDir, { recursive: true });
      const started = await startRelayProcess({ ...base, dataDir, ...overrides });
      return Object.assign(started, {
        dataDir,
        async dispose() {
          await started.stop();
          fs.rmSync(dataDir, { recursive: true, force: true });
        },
      });
    },
    dispose() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
