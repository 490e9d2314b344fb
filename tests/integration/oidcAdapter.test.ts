import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFor } from '../../server/config';
import { createApp, type RelayApp } from '../../server/createApp';
import { createStorageAdapter } from '../../server/oidc/createStorageAdapter';
import { deriveKey, loadOidcSecret } from '../../server/oidc/loadOidcSecret';
import { seal, unseal } from '../../server/pages/cookies';
import type { Tenant } from '../../server/storage/model';
import { createTenant } from '../../server/tenants/createTenant';
import { tenantCreate } from '../../shared/schemas/directory';

describe('oidc-provider’s adapter over the relay’s storage', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-oidc-adapter-'));
  let relay: RelayApp;
  let contoso: Tenant;
  let wingtip: Tenant;

  beforeAll(async () => {
    relay = await createApp(configFor({ dataDir }));
    contoso = await createTenant(relay.ctx, tenantCreate.parse({ name: 'contoso' }));
    wingtip = await createTenant(relay.ctx, tenantCreate.parse({ name: 'wingtiptoys' }));
  });
  afterAll(async () => {
    await relay.app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores, finds, consumes and destroys records; by uid and by grant', async () => {
    const sessions = createStorageAdapter(relay.ctx, contoso, 'Session');
    const codes = createStorageAdapter(relay.ctx, contoso, 'AuthorizationCode');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'alice', grantId: 'g1' }, 60);
    expect(await sessions.find('s1')).toEqual({ uid: 'u1', accountId: 'alice', grantId: 'g1' });
    expect(await sessions.findByUid('u1')).toMatchObject({ accountId: 'alice' });
    await codes.upsert('c1', { grantId: 'g1', accountId: 'alice' }, 60);
    await codes.consume('c1');
    expect((await codes.find('c1'))?.consumed).toEqual(expect.any(Number));
    // Models do not see each other's records.
    expect(await codes.find('s1')).toBeUndefined();
    await codes.revokeByGrantId('g1');
    expect(await codes.find('c1')).toBeUndefined();
    expect(await sessions.find('s1')).toBeUndefined();
    await sessions.upsert('s2', { uid: 'u2' }, 60);
    await sessions.destroy('s2');
    expect(await sessions.find('s2')).toBeUndefined();
  });

  it('an expired record is not found', async () => {
    const interactions = createStorageAdapter(relay.ctx, contoso, 'Interaction');
    await relay.ctx.storage.oidcRecords.upsert({
      model: `${contoso.id}/Interaction`,
      // Stored as the adapter stores it: under the SHA-256 of the id.
      id: createHash('sha256').update('old').digest('base64url'),
      payload: { uid: 'old' },
      grantId: null,
      userCode: null,
      uid: 'old',
      expiresAt: Date.now() - 1000,
      consumedAt: null,
    });
    expect(await interactions.find('old')).toBeUndefined();
    expect(await interactions.findByUid('old')).toBeUndefined();
  });

  it('one tenant’s provider never finds another tenant’s session', async () => {
    await createStorageAdapter(relay.ctx, contoso, 'Session').upsert('shared-id', { uid: 'x', accountId: 'alice' }, 60);
    expect(await createStorageAdapter(relay.ctx, wingtip, 'Session').find('shared-id')).toBeUndefined();
    expect(await createStorageAdapter(relay.ctx, wingtip, 'Session').findByUid('x')).toBeUndefined();
  });

  it('clients come from the admin-registered list, read fresh, and cannot be written through the provider', async () => {
    const clients = createStorageAdapter(relay.ctx, contoso, 'Client');
    expect(await clients.find('portal')).toBeUndefined();
    await relay.ctx.storage.oidcClients.upsert({
      tenantId: contoso.id,
      clientId: 'portal',
      displayName: 'Contoso Portal',
      metadata: { redirect_uris: ['https://portal.contoso.example/cb'] },
      createdAt: Date.now(),
    });
    expect(await clients.find('portal')).toMatchObject({ client_id: 'portal', client_name: 'Contoso Portal' });
    expect(await createStorageAdapter(relay.ctx, wingtip, 'Client').find('portal')).toBeUndefined();
    await expect(clients.upsert('portal', {}, 60)).rejects.toThrow(/admin API/);
  });

  it('the cookie secret is made once and kept; keys differ per purpose and tenant; sealed values resist tampering', () => {
    const secret = loadOidcSecret(dataDir);
    expect(loadOidcSecret(dataDir).equals(secret)).toBe(true);
    expect(fs.statSync(path.join(dataDir, 'keys', 'oidc.json')).mode & 0o777).toBe(0o600);
    const key = deriveKey(secret, 'my sign-ins state', contoso.id);
    expect(deriveKey(secret, 'oidc cookies', contoso.id).equals(key)).toBe(false);
    expect(deriveKey(secret, 'my sign-ins state', wingtip.id).equals(key)).toBe(false);
    const sealed = seal(key, { state: 's', verifier: 'v' });
    expect(unseal(key, sealed)).toEqual({ state: 's', verifier: 'v' });
    const [body, mac] = sealed.split('.');
    const forged = `${Buffer.from(JSON.stringify({ state: 'x', verifier: 'v' })).toString('base64url')}.${mac}`;
    expect(unseal(key, forged)).toBeUndefined();
    expect(unseal(deriveKey(secret, 'my sign-ins state', wingtip.id), sealed)).toBeUndefined();
    expect(unseal(key, body)).toBeUndefined();
  });
});
