import type { SignatureUse, Storage } from '../Storage';
import type { StoredSecret } from '../model';
import { type PostgresDatabase, statement } from './database';

/**
 * Records a signed input as used (parameters from `$first` on: device, input hash, expires at,
 * now); it returns a row only for its first use. An entry past its expiry is as good as absent:
 * the same input may be recorded afresh.
 */
export const signatureUseSql = (first: number) =>
  `INSERT INTO used_device_signatures (device_id, input_hash, expires_at) VALUES ($${first}::text, $${first + 1}::text, $${first + 2}::bigint)
     ON CONFLICT (device_id, input_hash) DO UPDATE SET expires_at = excluded.expires_at
     WHERE used_device_signatures.expires_at < $${first + 3}::bigint RETURNING 1`;

/** A SignatureUse as `signatureUseSql`'s parameters. */
export const signatureUseValues = (s: SignatureUse) => [s.deviceId, s.inputHash, s.expiresAt, s.now];

const q = {
  signatureUse: statement('used_signature_use', signatureUseSql(1)),
  signaturePrune: statement('used_signature_prune', 'DELETE FROM used_device_signatures WHERE expires_at < $1'),
  totpSeeds: statement('secret_totp_seeds', 'SELECT id, totp_secret FROM registrations'),
  totpReplace: statement('secret_totp_replace', 'UPDATE registrations SET totp_secret = $1 WHERE id = $2 AND totp_secret = $3'),
  clients: statement('secret_clients', 'SELECT tenant_id, client_id, metadata FROM oidc_clients'),
  clientForUpdate: statement('secret_client_lock', 'SELECT metadata FROM oidc_clients WHERE tenant_id = $1 AND client_id = $2 FOR UPDATE'),
  clientReplace: statement('secret_client_replace', 'UPDATE oidc_clients SET metadata = $1 WHERE tenant_id = $2 AND client_id = $3'),
};

/** The device-signature replay guard and the secrets kept sealed, on PostgreSQL. */
export function trustTables(db: PostgresDatabase): Pick<Storage, 'usedDeviceSignatures' | 'secretsAtRest'> {
  return {
    usedDeviceSignatures: {
      async use(deviceId, inputHash, expiresAt, now) {
        return (await db.run(q.signatureUse, signatureUseValues({ deviceId, inputHash, expiresAt, now }))) === 1;
      },
      async prune(now) {
        return db.run(q.signaturePrune, [now]);
      },
    },
    secretsAtRest: {
      async list() {
        const secrets: StoredSecret[] = (await db.rows(q.totpSeeds, [])).map((r) => ({
          kind: 'totp_seed',
          registrationId: String(r.id),
          value: String(r.totp_secret),
        }));
        for (const r of await db.rows(q.clients, [])) {
          const secret = (r.metadata as Record<string, unknown>).client_secret;
          if (typeof secret === 'string') {
            secrets.push({ kind: 'client_secret', tenantId: String(r.tenant_id), clientId: String(r.client_id), value: secret });
          }
        }
        return secrets;
      },
      async replace(secret, next) {
        if (secret.kind === 'totp_seed') return (await db.run(q.totpReplace, [next, secret.registrationId, secret.value])) === 1;
        return db.transaction(async (sql) => {
          const row = await sql.one(q.clientForUpdate, [secret.tenantId, secret.clientId]);
          const metadata = row?.metadata as Record<string, unknown> | undefined;
          if (metadata?.client_secret !== secret.value) return false;
          return (
            (await sql.run(q.clientReplace, [JSON.stringify({ ...metadata, client_secret: next }), secret.tenantId, secret.clientId])) === 1
          );
        });
      },
    },
  };
}
