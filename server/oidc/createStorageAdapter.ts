import { createHash } from 'node:crypto';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { RelayContext } from '../context';
import type { Tenant } from '../storage/model';

/**
 * oidc-provider's Adapter over the relay's storage (`oidcRecords`), so sessions, interactions,
 * codes and grants live in SQLite and survive a restart. Records are namespaced by tenant: one
 * tenant's provider never finds another tenant's session or interaction. Clients are not
 * records: they come from `oidcClients`, registered through the admin API.
 *
 * A record's id is the token itself for most models (an access or refresh token, an authorization
 * code, a cookie's value), so it is stored by its SHA-256 only, and the payload's `jti` (the same
 * value) is left out and put back from the id the provider asks with: a copy of the database
 * holds no token that works. Sessions and device codes keep their `jti` in the payload, because
 * the provider also finds them by another key (`uid`, `userCode`) and needs it back then.
 */
/** What a record is stored under: the SHA-256 of its id (a token or cookie value), never the id itself. */
export const storedId = (id: string) => createHash('sha256').update(id, 'utf8').digest('base64url');

export function createStorageAdapter(ctx: RelayContext, tenant: Tenant, name: string): Adapter {
  if (name === 'Client') return clientAdapter(ctx, tenant);
  const model = `${tenant.id}/${name}`;
  const keepsJti = name === 'Session' || name === 'DeviceCode';
  const payloadOf = (record: { payload: Record<string, unknown>; consumedAt: number | null } | undefined, id?: string) => {
    if (!record) return undefined;
    const payload = (
      id !== undefined && record.payload.jti === undefined ? { ...record.payload, jti: id } : record.payload
    ) as AdapterPayload;
    return record.consumedAt === null ? payload : { ...payload, consumed: Math.floor(record.consumedAt / 1000) };
  };
  return {
    async upsert(id, payload, expiresIn) {
      const { jti, ...rest } = payload;
      await ctx.storage.oidcRecords.upsert({
        model,
        id: storedId(id),
        payload: (keepsJti || jti !== id ? payload : rest) as Record<string, unknown>,
        grantId: payload.grantId ?? null,
        userCode: payload.userCode ?? null,
        uid: payload.uid ?? null,
        // oidc-provider counts in its own (real) clock, as does the storage's expiry check.
        expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null,
        consumedAt: null,
      });
    },
    async find(id) {
      return payloadOf(await ctx.storage.oidcRecords.find(model, storedId(id)), keepsJti ? undefined : id);
    },
    async findByUid(uid) {
      return payloadOf(await ctx.storage.oidcRecords.findByUid(model, uid));
    },
    async findByUserCode(userCode) {
      return payloadOf(await ctx.storage.oidcRecords.findByUserCode(model, userCode));
    },
    async consume(id) {
      await ctx.storage.oidcRecords.consume(model, storedId(id), Date.now());
    },
    async destroy(id) {
      await ctx.storage.oidcRecords.destroy(model, storedId(id));
    },
    async revokeByGrantId(grantId) {
      await ctx.storage.oidcRecords.revokeByGrantId(grantId);
    },
  };
}

/** Clients are read fresh on every use, so a deleted client stops working at once. */
function clientAdapter(ctx: RelayContext, tenant: Tenant): Adapter {
  const readOnly = async () => {
    throw new Error('clients are registered through the admin API');
  };
  return {
    async find(id) {
      const client = await ctx.storage.oidcClients.get(tenant.id, id);
      if (!client) return undefined;
      return { ...client.metadata, client_id: client.clientId, client_name: client.displayName } as AdapterPayload;
    },
    upsert: readOnly,
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
    consume: readOnly,
    destroy: readOnly,
    revokeByGrantId: async () => undefined,
  };
}
