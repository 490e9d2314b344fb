import type Database from 'better-sqlite3';
import type { Storage } from '../Storage';
import type { OidcClient, OidcRecord } from '../model';

type Row = Record<string, unknown>;

const toClient = (r: Row): OidcClient => ({
  tenantId: String(r.tenant_id),
  clientId: String(r.client_id),
  displayName: String(r.display_name),
  metadata: JSON.parse(String(r.metadata)),
  createdAt: Number(r.created_at),
});

const toRecord = (r: Row): OidcRecord => ({
  model: String(r.model),
  id: String(r.id),
  payload: JSON.parse(String(r.payload)),
  grantId: r.grant_id === null ? null : String(r.grant_id),
  userCode: r.user_code === null ? null : String(r.user_code),
  uid: r.uid === null ? null : String(r.uid),
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  consumedAt: r.consumed_at === null ? null : Number(r.consumed_at),
});

/** OIDC clients and oidc-provider's adapter records on SQLite. */
export function oidcTables(db: Database.Database): Pick<Storage, 'oidcClients' | 'oidcRecords'> {
  const q = {
    clientUpsert: db.prepare(
      `INSERT INTO oidc_clients (tenant_id, client_id, display_name, metadata, created_at)
       VALUES (@tenantId, @clientId, @displayName, @metadata, @createdAt)
       ON CONFLICT (tenant_id, client_id) DO UPDATE SET display_name = excluded.display_name, metadata = excluded.metadata`,
    ),
    clientGet: db.prepare('SELECT * FROM oidc_clients WHERE tenant_id = ? AND client_id = ?'),
    clientList: db.prepare('SELECT * FROM oidc_clients WHERE tenant_id = ? ORDER BY client_id'),
    clientDelete: db.prepare('DELETE FROM oidc_clients WHERE tenant_id = ? AND client_id = ?'),
    recordUpsert: db.prepare(
      `INSERT INTO oidc_records (model, id, payload, grant_id, user_code, uid, expires_at, consumed_at)
       VALUES (@model, @id, @payload, @grantId, @userCode, @uid, @expiresAt, @consumedAt)
       ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
         user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`,
    ),
    recordFind: db.prepare('SELECT * FROM oidc_records WHERE model = ? AND id = ?'),
    recordByUid: db.prepare('SELECT * FROM oidc_records WHERE model = ? AND uid = ?'),
    recordByUserCode: db.prepare('SELECT * FROM oidc_records WHERE model = ? AND user_code = ?'),
    recordConsume: db.prepare('UPDATE oidc_records SET consumed_at = ? WHERE model = ? AND id = ?'),
    recordDestroy: db.prepare('DELETE FROM oidc_records WHERE model = ? AND id = ?'),
    recordRevokeGrant: db.prepare('DELETE FROM oidc_records WHERE grant_id = ?'),
    // A rare admin action (disable, delete, lost phone): a scan of the records is fine.
    recordRevokeAccount: db.prepare("DELETE FROM oidc_records WHERE json_extract(payload, '$.accountId') = ?"),
    recordPurge: db.prepare('DELETE FROM oidc_records WHERE expires_at IS NOT NULL AND expires_at < ?'),
  };
  const live = (row: unknown): OidcRecord | undefined => {
    if (!row) return undefined;
    const record = toRecord(row as Row);
    return record.expiresAt !== null && record.expiresAt < Date.now() ? undefined : record;
  };
  return {
    oidcClients: {
      async upsert(client) {
        q.clientUpsert.run({ ...client, metadata: JSON.stringify(client.metadata) });
      },
      async get(tenantId, clientId) {
        const row = q.clientGet.get(tenantId, clientId) as Row | undefined;
        return row ? toClient(row) : undefined;
      },
      async list(tenantId) {
        return (q.clientList.all(tenantId) as Row[]).map(toClient);
      },
      async delete(tenantId, clientId) {
        q.clientDelete.run(tenantId, clientId);
      },
    },
    oidcRecords: {
      async upsert(record) {
        q.recordUpsert.run({ ...record, payload: JSON.stringify(record.payload) });
      },
      async find(model, id) {
        return live(q.recordFind.get(model, id));
      },
      async findByUid(model, uid) {
        return live(q.recordByUid.get(model, uid));
      },
      async findByUserCode(model, userCode) {
        return live(q.recordByUserCode.get(model, userCode));
      },
      async consume(model, id, at) {
        q.recordConsume.run(at, model, id);
      },
      async destroy(model, id) {
        q.recordDestroy.run(model, id);
      },
      async revokeByGrantId(grantId) {
        q.recordRevokeGrant.run(grantId);
      },
      async revokeAccount(accountId) {
        q.recordRevokeAccount.run(accountId);
      },
      async purgeExpired(now) {
        q.recordPurge.run(now);
      },
    },
  };
}
