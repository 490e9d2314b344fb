import type { Storage } from '../storage/Storage';
import type { OidcClient, Registration, StoredSecret } from '../storage/model';
import type { SecretBox } from './secretBox';

/** What each sealed secret is bound to (its AES-GCM additional data): the row it belongs in. */
const totpContext = (registrationId: string) => `totp_seed/${registrationId}`;
const clientContext = (tenantId: string, clientId: string) => `client_secret/${tenantId}/${clientId}`;
const contextOf = (secret: StoredSecret) =>
  secret.kind === 'totp_seed' ? totpContext(secret.registrationId) : clientContext(secret.tenantId, secret.clientId);

/**
 * The storage with TOTP seeds and OIDC client secrets sealed on the way in and opened on the way
 * out: the relay's code reads and writes them in clear, the database holds only sealed values.
 */
export function sealSecretsAtRest(storage: Storage, box: SecretBox): Storage {
  /**
   * The seed is opened when it is first read, not with every row: of the sign-in path's registration
   * reads (five per phone sign-in) none needs it, and each open is an AES-GCM decryption. A seed that
   * does not open (moved to another row, a key gone) throws where it is read.
   */
  const openRegistration = <R extends Registration | undefined>(r: R): R => {
    if (!r) return r;
    const sealed = r.totpSecret;
    let opened: string | undefined;
    return {
      ...r,
      get totpSecret() {
        opened ??= box.open(sealed, totpContext(r.id));
        return opened;
      },
      set totpSecret(value: string) {
        opened = value;
      },
    };
  };
  /** A registration read with its device, its seed opened when read. */
  const openWithDevice = <P extends { registration: Registration }>(pair: P): P => ({
    ...pair,
    registration: openRegistration(pair.registration),
  });
  const withClientSecret = (client: OidcClient, change: (secret: string, context: string) => string): OidcClient => {
    const secret = client.metadata.client_secret;
    if (typeof secret !== 'string') return client;
    return { ...client, metadata: { ...client.metadata, client_secret: change(secret, clientContext(client.tenantId, client.clientId)) } };
  };
  const openClient = <C extends OidcClient | undefined>(c: C): C => (c ? (withClientSecret(c, (s, ctx) => box.open(s, ctx)) as C) : c);
  const { enrollment, registrations, signInRequests, oidcClients } = storage;
  return {
    ...storage,
    enrollment: {
      ...enrollment,
      async complete(device, registration) {
        const stored = await enrollment.complete(device, {
          ...registration,
          totpSecret: box.seal(registration.totpSecret, totpContext(registration.id)),
        });
        return { device: stored.device, registration: openRegistration(stored.registration) };
      },
    },
    registrations: {
      ...registrations,
      byId: async (id) => openRegistration(await registrations.byId(id)),
      byCredentialId: async (tenantId, credentialId) => openRegistration(await registrations.byCredentialId(tenantId, credentialId)),
      listForUser: async (tenantId, userId) => (await registrations.listForUser(tenantId, userId)).map(openRegistration),
      listForDevice: async (deviceId) => (await registrations.listForDevice(deviceId)).map(openRegistration),
      onDeviceForUser: async (deviceId, userId) => (await registrations.onDeviceForUser(deviceId, userId)).map(openRegistration),
      byIdWithDevice: async (id) => {
        const found = await registrations.byIdWithDevice(id);
        return found && openWithDevice(found);
      },
      listForUserWithDevices: async (tenantId, userId) =>
        (await registrations.listForUserWithDevices(tenantId, userId)).map(openWithDevice),
    },
    signInRequests: {
      ...signInRequests,
      forDevice: async (requestId, deviceId) => {
        const found = await signInRequests.forDevice(requestId, deviceId);
        return found && { ...found, registrations: found.registrations.map(openRegistration) };
      },
      subjectFor: async (tenantId, username) => {
        const subject = await signInRequests.subjectFor(tenantId, username);
        return { ...subject, registrations: subject.registrations.map(openWithDevice) };
      },
      forAnswer: async (requestId, registrationId) => {
        const found = await signInRequests.forAnswer(requestId, registrationId);
        return found?.registration ? { ...found, registration: openWithDevice(found.registration) } : found;
      },
    },
    oidcClients: {
      ...oidcClients,
      upsert: (client) => oidcClients.upsert(withClientSecret(client, (s, ctx) => box.seal(s, ctx))),
      get: async (tenantId, clientId) => openClient(await oidcClients.get(tenantId, clientId)),
      list: async (tenantId) => (await oidcClients.list(tenantId)).map(openClient),
    },
  };
}

/**
 * Seal what is still in clear (rows from before sealing) and re-seal what an older key sealed,
 * each row by compare-and-set, so relays starting together on one database do it once and an
 * admin's change meanwhile is never overwritten. Returns how many rows it changed.
 */
export async function resealSecrets(storage: Storage, box: SecretBox): Promise<number> {
  let changed = 0;
  for (const secret of await storage.secretsAtRest.list()) {
    if (!box.needsSealing(secret.value)) continue;
    const context = contextOf(secret);
    if (await storage.secretsAtRest.replace(secret, box.seal(box.open(secret.value, context), context))) changed++;
  }
  return changed;
}
