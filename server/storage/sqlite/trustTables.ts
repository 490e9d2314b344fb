import type Database from 'better-sqlite3';
import type { SignatureUse, Storage } from '../Storage';
import type { StoredSecret } from '../model';

type Row = Record<string, unknown>;

/**
 * Records a signed input as used (`usedDeviceSignatures.use`), alone or in a step's transaction:
 * true for its first use. An entry past its expiry is as good as absent: the same input may be
 * recorded afresh.
 */
export function signatureRecorder(db: Database.Database): (s: SignatureUse) => boolean {
  const use = db.prepare(
    `INSERT INTO used_device_signatures (device_id, input_hash, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (device_id, input_hash) DO UPDATE SET expires_at = excluded.expires_at
     WHERE used_device_signatures.expires_at < ?`,
  );
  return (s) => use.run(s.deviceId, s.inputHash, s.expiresAt, s.now).changes === 1;
}

/** The device-signature replay guard and the secrets kept sealed, on SQLite. */
export function trustTables(db: Database.Database): Pick<Storage, 'usedDeviceSignatures' | 'secretsAtRest'> {
  const useSignature = signatureRecorder(db);
  const q = {
    signaturePrune: db.prepare('DELETE FROM used_device_signatures WHERE expires_at < ?'),
    totpSeeds: db.prepare('SELECT id, totp_secret FROM registrations'),
    totpReplace: db.prepare('UPDATE registrations SET totp_secret = ? WHERE id = ? AND totp_secret = ?'),
    clients: db.prepare('SELECT tenant_id, client_id, metadata FROM oidc_clients'),
    client: db.prepare('SELECT metadata FROM oidc_clients WHERE tenant_id = ? AND client_id = ?'),
    clientReplace: db.prepare('UPDATE oidc_clients SET metadata = ? WHERE tenant_id = ? AND client_id = ?'),
  };

  const replaceClientSecret = db.transaction((tenantId: string, clientId: string, expected: string, next: string) => {
    const row = q.client.get(tenantId, clientId) as Row | undefined;
    if (!row) return false;
    const metadata = JSON.parse(String(row.metadata)) as Record<string, unknown>;
    if (metadata.client_secret !== expected) return false;
    return q.clientReplace.run(JSON.stringify({ ...metadata, client_secret: next }), tenantId, clientId).changes === 1;
  });

  return {
    usedDeviceSignatures: {
      async use(deviceId, inputHash, expiresAt, now) {
        return useSignature({ deviceId, inputHash, expiresAt, now });
      },
      async prune(now) {
        return q.signaturePrune.run(now).changes;
      },
    },
    secretsAtRest: {
      async list() {
        const secrets: StoredSecret[] = (q.totpSeeds.all() as Row[]).map((r) => ({
          kind: 'totp_seed',
          registrationId: String(r.id),
          value: String(r.totp_secret),
        }));
        for (const r of q.clients.all() as Row[]) {
          const secret = (JSON.parse(String(r.metadata)) as Record<string, unknown>).client_secret;
          if (typeof secret === 'string') {
            secrets.push({ kind: 'client_secret', tenantId: String(r.tenant_id), clientId: String(r.client_id), value: secret });
          }
        }
        return secrets;
      },
      async replace(secret, next) {
        if (secret.kind === 'totp_seed') return q.totpReplace.run(next, secret.registrationId, secret.value).changes === 1;
        return replaceClientSecret(secret.tenantId, secret.clientId, secret.value, next);
      },
    },
  };
}
