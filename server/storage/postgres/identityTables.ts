import type { Storage } from '../Storage';
import type { StoredPolicy } from '../model';
import { type PostgresDatabase, type Row, statement } from './database';
import { json, maybe, toAdminToken, toGroup, toTenant, toUser } from './rows';
import { tenantColumns } from '../tenantColumns';

const withTenant = (r: Row) => ({
  user: toUser(r),
  tenant: toTenant(Object.fromEntries(tenantColumns.map((name) => [name, r[`tenant__${name}`]]))),
});

const q = {
  tenantInsert: statement(
    'tenant_insert',
    'INSERT INTO tenants (id, name, display_name, sign_in_origins, created_at) VALUES ($1, $2, $3, $4, $5)',
  ),
  tenantByName: statement('tenant_by_name', 'SELECT * FROM tenants WHERE name = $1'),
  tenantById: statement('tenant_by_id', 'SELECT * FROM tenants WHERE id = $1'),
  tenantList: statement('tenant_list', 'SELECT * FROM tenants ORDER BY name'),
  tenantUpdate: statement('tenant_update', 'UPDATE tenants SET display_name = $2, sign_in_origins = $3 WHERE id = $1'),
  domainInsert: statement(
    'tenant_domain_insert',
    'INSERT INTO tenant_domains (domain, tenant_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (domain) DO NOTHING',
  ),
  domainDelete: statement('tenant_domain_delete', 'DELETE FROM tenant_domains WHERE tenant_id = $1 AND domain = $2'),
  domainList: statement('tenant_domain_list', 'SELECT domain FROM tenant_domains WHERE tenant_id = $1 ORDER BY domain'),
  tenantByDomain: statement(
    'tenant_by_domain',
    'SELECT t.* FROM tenants t JOIN tenant_domains d ON d.tenant_id = t.id WHERE d.domain = $1',
  ),
  userInsert: statement(
    'user_insert',
    `INSERT INTO users (id, tenant_id, username, display_name, kind, blocked_at, password_hash, last_method, created_at, disabled_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
  ),
  userByName: statement('user_by_name', 'SELECT * FROM users WHERE tenant_id = $1 AND username = $2'),
  userById: statement('user_by_id', 'SELECT * FROM users WHERE tenant_id = $1 AND id = $2'),
  userWithTenant: statement(
    'user_with_tenant',
    `SELECT u.*, ${tenantColumns.map((name) => `t.${name} AS tenant__${name}`).join(', ')}
     FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.tenant_id = $1 AND u.id = $2`,
  ),
  userList: statement('user_list', 'SELECT * FROM users WHERE tenant_id = $1 ORDER BY username'),
  userUpdate: statement(
    'user_update',
    `UPDATE users SET display_name = $3, kind = $4, blocked_at = $5, password_hash = $6, last_method = $7, disabled_at = $8
     WHERE id = $1 AND tenant_id = $2`,
  ),
  // Case-insensitive containment by strpos(), not LIKE: a search for "%" or "_" means those characters.
  userSearch: statement(
    'user_search',
    `SELECT * FROM users WHERE tenant_id = $1 AND username > $2
     AND ($3::text = '' OR strpos(lower(username), $3::text) > 0 OR strpos(lower(display_name), $3::text) > 0)
     ORDER BY username LIMIT $4`,
  ),
  userDeleteRegistrations: statement('user_delete_registrations', 'DELETE FROM registrations WHERE tenant_id = $1 AND user_id = $2'),
  userDelete: statement('user_delete', 'DELETE FROM users WHERE tenant_id = $1 AND id = $2'),
  groupInsert: statement('group_insert', 'INSERT INTO groups (id, tenant_id, name, display_name, created_at) VALUES ($1, $2, $3, $4, $5)'),
  groupByName: statement('group_by_name', 'SELECT * FROM groups WHERE tenant_id = $1 AND name = $2'),
  groupById: statement('group_by_id', 'SELECT * FROM groups WHERE tenant_id = $1 AND id = $2'),
  groupList: statement('group_list', 'SELECT * FROM groups WHERE tenant_id = $1 ORDER BY name'),
  groupDelete: statement('group_delete', 'DELETE FROM groups WHERE tenant_id = $1 AND id = $2'),
  groupUpdate: statement('group_update', 'UPDATE groups SET name = $3, display_name = $4 WHERE tenant_id = $1 AND id = $2'),
  memberAdd: statement(
    'member_add',
    `INSERT INTO group_members (group_id, user_id)
     SELECT g.id, u.id FROM groups g, users u WHERE g.id = $1 AND u.id = $2 AND g.tenant_id = $3 AND u.tenant_id = g.tenant_id
     ON CONFLICT DO NOTHING`,
  ),
  memberRemove: statement(
    'member_remove',
    'DELETE FROM group_members WHERE group_id = $1 AND user_id = $2 AND group_id IN (SELECT id FROM groups WHERE tenant_id = $3)',
  ),
  members: statement(
    'members',
    `SELECT u.* FROM users u JOIN group_members m ON m.user_id = u.id JOIN groups g ON g.id = m.group_id
     WHERE g.tenant_id = $1 AND g.id = $2 ORDER BY u.username`,
  ),
  groupIdsOf: statement(
    'group_ids_of',
    'SELECT m.group_id AS id FROM group_members m JOIN users u ON u.id = m.user_id WHERE u.tenant_id = $1 AND u.id = $2',
  ),
  policyGet: statement('policy_get', 'SELECT body FROM policies WHERE tenant_id = $1'),
  policySave: statement(
    'policy_save',
    `INSERT INTO policies (tenant_id, body, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (tenant_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
  ),
  tokenInsert: statement(
    'token_insert',
    `INSERT INTO admin_tokens (id, tenant_id, role, secret_hash, label, created_at, revoked_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  ),
  tokenById: statement('token_by_id', 'SELECT * FROM admin_tokens WHERE id = $1'),
  tokenList: statement('token_list', 'SELECT * FROM admin_tokens WHERE tenant_id = $1 ORDER BY created_at'),
  tokenRevoke: statement('token_revoke', 'UPDATE admin_tokens SET revoked_at = $1 WHERE tenant_id = $2 AND id = $3 AND revoked_at IS NULL'),
};

/** Tenants, users, groups, policies and admin tokens on PostgreSQL. */
export function identityTables(db: PostgresDatabase): Pick<Storage, 'tenants' | 'users' | 'groups' | 'policies' | 'adminTokens'> {
  return {
    tenants: {
      async create(t) {
        await db.run(q.tenantInsert, [t.id, t.name, t.displayName, json(t.signInOrigins), t.createdAt]);
      },
      async byName(name) {
        return maybe(await db.one(q.tenantByName, [name]), toTenant);
      },
      async byId(id) {
        return maybe(await db.one(q.tenantById, [id]), toTenant);
      },
      async list() {
        return (await db.rows(q.tenantList, [])).map(toTenant);
      },
      async update(t) {
        await db.run(q.tenantUpdate, [t.id, t.displayName, json(t.signInOrigins)]);
      },
      async addDomain(tenantId, domain, at) {
        return (await db.run(q.domainInsert, [domain, tenantId, at])) === 1;
      },
      async removeDomain(tenantId, domain) {
        return (await db.run(q.domainDelete, [tenantId, domain])) === 1;
      },
      async domains(tenantId) {
        return (await db.rows(q.domainList, [tenantId])).map((row) => String(row.domain));
      },
      async byDomain(domain) {
        return maybe(await db.one(q.tenantByDomain, [domain]), toTenant);
      },
    },
    users: {
      async create(u) {
        await db.run(q.userInsert, [
          u.id,
          u.tenantId,
          u.username,
          u.displayName,
          u.kind,
          u.blockedAt,
          u.passwordHash,
          u.lastMethod,
          u.createdAt,
          u.disabledAt,
        ]);
      },
      async byName(tenantId, username) {
        return maybe(await db.one(q.userByName, [tenantId, username]), toUser);
      },
      async byId(tenantId, id) {
        return maybe(await db.one(q.userById, [tenantId, id]), toUser);
      },
      async list(tenantId) {
        return (await db.rows(q.userList, [tenantId])).map(toUser);
      },
      async update(u) {
        await db.run(q.userUpdate, [u.id, u.tenantId, u.displayName, u.kind, u.blockedAt, u.passwordHash, u.lastMethod, u.disabledAt]);
      },
      async delete(tenantId, id) {
        await db.transaction(async (sql) => {
          await sql.run(q.userDeleteRegistrations, [tenantId, id]);
          await sql.run(q.userDelete, [tenantId, id]);
        });
      },
      async search(tenantId, query) {
        const rows = await db.rows(q.userSearch, [tenantId, query.after ?? '', (query.search ?? '').toLowerCase(), query.limit]);
        return rows.map(toUser);
      },
      async byIdWithTenant(tenantId, id) {
        return maybe(await db.one(q.userWithTenant, [tenantId, id]), withTenant);
      },
    },
    groups: {
      async create(g) {
        await db.run(q.groupInsert, [g.id, g.tenantId, g.name, g.displayName, g.createdAt]);
      },
      async byName(tenantId, name) {
        return maybe(await db.one(q.groupByName, [tenantId, name]), toGroup);
      },
      async byId(tenantId, id) {
        return maybe(await db.one(q.groupById, [tenantId, id]), toGroup);
      },
      async list(tenantId) {
        return (await db.rows(q.groupList, [tenantId])).map(toGroup);
      },
      async delete(tenantId, id) {
        await db.run(q.groupDelete, [tenantId, id]);
      },
      async update(g) {
        await db.run(q.groupUpdate, [g.tenantId, g.id, g.name, g.displayName]);
      },
      async addMember(tenantId, groupId, userId) {
        await db.run(q.memberAdd, [groupId, userId, tenantId]);
      },
      async removeMember(tenantId, groupId, userId) {
        await db.run(q.memberRemove, [groupId, userId, tenantId]);
      },
      async members(tenantId, groupId) {
        return (await db.rows(q.members, [tenantId, groupId])).map(toUser);
      },
      async groupIdsOf(tenantId, userId) {
        return (await db.rows(q.groupIdsOf, [tenantId, userId])).map((r) => String(r.id));
      },
    },
    policies: {
      async get(tenantId) {
        const row = await db.one(q.policyGet, [tenantId]);
        return row ? (row.body as StoredPolicy) : undefined;
      },
      async save(tenantId, policy) {
        await db.run(q.policySave, [tenantId, json(policy), policy.updatedAt]);
      },
    },
    adminTokens: {
      async create(t) {
        await db.run(q.tokenInsert, [t.id, t.tenantId, t.role, t.secretHash, t.label, t.createdAt, t.revokedAt]);
      },
      async byId(id) {
        return maybe(await db.one(q.tokenById, [id]), toAdminToken);
      },
      async list(tenantId) {
        return (await db.rows(q.tokenList, [tenantId])).map(toAdminToken);
      },
      async revoke(tenantId, id, at) {
        return (await db.run(q.tokenRevoke, [at, tenantId, id])) === 1;
      },
    },
  };
}
