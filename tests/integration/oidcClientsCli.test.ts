import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runNodAdmin } from '../helpers/nodCli';

describe('nod admin client: OIDC clients from a shell', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-clients-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const nod = (...args: string[]) => runNodAdmin(dataDir, args);

  it('creates a client (secret shown once), lists it without the secret, deletes it, and refuses a bad redirect URI', async () => {
    expect((await nod('tenant', 'create', 'contoso')).code).toBe(0);
    const created = await nod(
      'client',
      'create',
      'contoso',
      'Contoso Portal',
      '--redirect-uri',
      'https://portal.contoso.example/callback',
      '--client-id',
      'portal',
    );
    expect(created.code).toBe(0);
    expect(created.stderr).toBe('');
    expect(JSON.parse(created.stdout)).toMatchObject({
      clientId: 'portal',
      displayName: 'Contoso Portal',
      type: 'confidential',
      clientSecret: expect.any(String),
    });
    const listed = await nod('client', 'list', 'contoso');
    expect(JSON.parse(listed.stdout).clients).toEqual([
      expect.objectContaining({ clientId: 'portal', redirectUris: ['https://portal.contoso.example/callback'] }),
    ]);
    expect(listed.stdout).not.toContain('Secret');
    const bad = await nod('client', 'create', 'contoso', 'Elsewhere', '--redirect-uri', 'http://elsewhere.example/cb');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('redirectUris[0]');
    expect((await nod('client', 'delete', 'contoso', 'portal')).code).toBe(0);
    expect(JSON.parse((await nod('client', 'list', 'contoso')).stdout).clients).toEqual([]);
  }, 120_000);
});
