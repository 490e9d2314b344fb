import type { Storage } from '../Storage';
import type { OidcRecord } from '../model';
import { type PostgresDatabase, type Row, statement } from './database';
import { json, maybe, toClient, toRecord } from './rows';

const q = {
  clientUpsert: statement(
    'oidc_client_upsert',
    `INSERT INTO oidc_clients (tenant_id, client_id, display_name, metadata, created_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant_id, client_id) DO UPDATE SET display_name = excluded.display_name, metadata = excluded.metadata`,
  ),
  clientGet: statement('oidc_client_get', 'SELECT * FROM oidc_clients WHERE tenant_id = $1 AND client_id = $2'),
  clientList: statement('oidc_client_list', 'SELECT * FROM oidc_clients WHERE tenant_id = $1 ORDER BY client_id'),
  clientDelete: statement('oidc_client_delete', 'DELETE FROM oidc_clients WHERE tenant_id = $1 AND client_id = $2'),
  recordUpsert: statement(
    'oidc_record_upsert',
    `INSERT INTO oidc_records (model, id, payload, grant_id, user_code, uid, expires_at, consumed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
       user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`,
  ),
  recordFind: statement('oidc_record_find', 'SELECT * FROM oidc_records WHERE model = $1 AND id = $2'),
  recordByUid: statement('oidc_record_by_uid', 'SELECT * FROM oidc_records WHERE model = $1 AND uid = $2'),
  recordByUserCode: statement('oidc_record_by_user_code', 'SELECT * FROM oidc_records WHERE model = $1 AND user_code = $2'),
  recordConsume: statement('oidc_record_consume', 'UPDATE oidc_records SET consumed_at = $1 WHERE model = $2 AND id = $3'),
  recordDestroy: statement('oidc_record_destroy', 'DELETE FROM oidc_records WHERE model = $1 AND id = $2'),
  recordRevokeGrant: statement('oidc_record_revoke_grant', 'DELETE FROM oidc_records WHERE grant_id = $1'),
  // A rare admin action (disable, delete, lost phone): a scan of the records is fine. Matched in the
  // payload's text as JSON.stringify wrote it: `->>` would refuse every row if any held a \u0000.
  recordRevokeAccount: statement(
    'oidc_record_revoke_account',
    `DELETE FROM oidc_records WHERE strpos(payload::text, '"accountId":' || to_json($1::text)::text) > 0`,
  ),
  recordPurge: statement('oidc_record_purge', 'DELETE FROM oidc_records WHERE expires_at IS NOT NULL AND expires_at < $1'),
};

/** An expired record is as good as gone, whether or not the purge has removed it yet. */
const live = (row: Row | undefined): OidcRecord | undefined => {
  const record = maybe(row, toRecord);
  return record && record.expiresAt !== null && record.expiresAt < Date.now() ? undefined : record;
};

/** OIDC clients and oidc-provider's adapter records on PostgreSQL. */
export function oidcTables(db: PostgresDatabase): Pick<Storage, 'oidcClients' | 'oidcRecords'> {
  return {
    oidcClients: {
      async upsert(c) {
        await db.run(q.clientUpsert, [c.tenantId, c.clientId, c.displayName, json(c.metadata), c.createdAt]);
      },
      async get(tenantId, clientId) {
        return maybe(await db.one(q.clientGet, [tenantId, clientId]), toClient);
      },
      async list(tenantId) {
        return (await db.rows(q.clientList, [tenantId])).map(toClient);
      },
      async delete(tenantId, clientId) {
        await db.run(q.clientDelete, [tenantId, clientId]);
      },
    },
    oidcRecords: {
      async upsert(r) {
        await db.run(q.recordUpsert, [r.model, r.id, json(r.payload), r.grantId, r.userCode, r.uid, r.expiresAt, r.consumedAt]);
      },
      async find(model, id) {
        return live(await db.one(q.recordFind, [model, id]));
      },
      async findByUid(model, uid) {
        return live(await db.one(q.recordByUid, [model, uid]));
      },
      async findByUserCode(model, userCode) {
        return live(await db.one(q.recordByUserCode, [model, userCode]));
      },
      async consume(model, id, at) {
        await db.run(q.recordConsume, [at, model, id]);
      },
      async destroy(model, id) {
        await db.run(q.recordDestroy, [model, id]);
      },
      async revokeByGrantId(grantId) {
        await db.run(q.recordRevokeGrant, [grantId]);
      },
      async revokeAccount(accountId) {
        await db.run(q.recordRevokeAccount, [accountId]);
      },
      async purgeExpired(now) {
        await db.run(q.recordPurge, [now]);
      },
    },
  };
}
