import type Database from 'better-sqlite3';
import type { Storage } from '../Storage';
import type { StoredPolicy } from '../model';
import { toAdminToken, toGroup, toTenant, toUser } from './rows';
import { tenantColumns } from '../tenantColumns';

type Row = Record<string, unknown>;

const withTenant = (r: Row) => ({
  user: toUser(r),
  tenant: toTenant(Object.fromEntries(tenantColumns.map((name) => [name, r[`tenant__${name}`]]))),
});

/** Tenants, users, groups, policies and admin tokens on SQLite. */
export function identityTables(db: Database.Database): Pick<Storage, 'tenants' | 'users' | 'groups' | 'policies' | 'adminTokens'> {
  const q = {
    tenantInsert: db.prepare(
      'INSERT INTO tenants (id, name, display_name, sign_in_origins, created_at) VALUES (@id, @name, @displayName, @signInOrigins, @createdAt)',
    ),
    tenantByName: db.prepare('SELECT * FROM tenants WHERE name = ?'),
    tenantById: db.prepare('SELECT * FROM tenants WHERE id = ?'),
    tenantList: db.prepare('SELECT * FROM tenants ORDER BY name'),
    tenantUpdate: db.prepare('UPDATE tenants SET display_name = @displayName, sign_in_origins = @signInOrigins WHERE id = @id'),
    domainInsert: db.prepare('INSERT INTO tenant_domains (domain, tenant_id, created_at) VALUES (?, ?, ?) ON CONFLICT (domain) DO NOTHING'),
    domainDelete: db.prepare('DELETE FROM tenant_domains WHERE tenant_id = ? AND domain = ?'),
    domainList: db.prepare('SELECT domain FROM tenant_domains WHERE tenant_id = ? ORDER BY domain'),
    tenantByDomain: db.prepare('SELECT t.* FROM tenants t JOIN tenant_domains d ON d.tenant_id = t.id WHERE d.domain = ?'),
    userInsert: db.prepare(
      `INSERT INTO users (id, tenant_id, username, display_name, kind, blocked_at, disabled_at, password_hash, last_method, created_at)
       VALUES (@id, @tenantId, @username, @displayName, @kind, @blockedAt, @disabledAt, @passwordHash, @lastMethod, @createdAt)`,
    ),
    userByName: db.prepare('SELECT * FROM users WHERE tenant_id = ? AND username = ?'),
    userById: db.prepare('SELECT * FROM users WHERE tenant_id = ? AND id = ?'),
    userWithTenant: db.prepare(
      `SELECT u.*, ${tenantColumns.map((name) => `t.${name} AS tenant__${name}`).join(', ')}
       FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.tenant_id = ? AND u.id = ?`,
    ),
    userList: db.prepare('SELECT * FROM users WHERE tenant_id = ? ORDER BY username'),
    userUpdate: db.prepare(
      `UPDATE users SET display_name = @displayName, kind = @kind, blocked_at = @blockedAt, disabled_at = @disabledAt,
       password_hash = @passwordHash, last_method = @lastMethod WHERE id = @id AND tenant_id = @tenantId`,
    ),
    // Case-insensitive containment by instr(), not LIKE: a search for "%" or "_" means those characters.
    userSearch: db.prepare(
      `SELECT * FROM users WHERE tenant_id = @tenantId AND username > @after
       AND (@search = '' OR instr(lower(username), @search) > 0 OR instr(lower(display_name), @search) > 0)
       ORDER BY username LIMIT @limit`,
    ),
    userDeleteRegistrations: db.prepare('DELETE FROM registrations WHERE tenant_id = ? AND user_id = ?'),
    userDelete: db.prepare('DELETE FROM users WHERE tenant_id = ? AND id = ?'),
    groupInsert: db.prepare(
      'INSERT INTO groups (id, tenant_id, name, display_name, created_at) VALUES (@id, @tenantId, @name, @displayName, @createdAt)',
    ),
    groupByName: db.prepare('SELECT * FROM groups WHERE tenant_id = ? AND name = ?'),
    groupById: db.prepare('SELECT * FROM groups WHERE tenant_id = ? AND id = ?'),
    groupList: db.prepare('SELECT * FROM groups WHERE tenant_id = ? ORDER BY name'),
    groupDelete: db.prepare('DELETE FROM groups WHERE tenant_id = ? AND id = ?'),
    groupUpdate: db.prepare('UPDATE groups SET name = @name, display_name = @displayName WHERE tenant_id = @tenantId AND id = @id'),
    memberAdd: db.prepare(
      `INSERT OR IGNORE INTO group_members (group_id, user_id)
       SELECT g.id, u.id FROM groups g, users u WHERE g.id = ? AND u.id = ? AND g.tenant_id = ? AND u.tenant_id = g.tenant_id`,
    ),
    memberRemove: db.prepare(
      'DELETE FROM group_members WHERE group_id = ? AND user_id = ? AND group_id IN (SELECT id FROM groups WHERE tenant_id = ?)',
    ),
    members: db.prepare(
      `SELECT u.* FROM users u JOIN group_members m ON m.user_id = u.id JOIN groups g ON g.id = m.group_id
       WHERE g.tenant_id = ? AND g.id = ? ORDER BY u.username`,
    ),
    groupIdsOf: db.prepare(
      'SELECT m.group_id AS id FROM group_members m JOIN users u ON u.id = m.user_id WHERE u.tenant_id = ? AND u.id = ?',
    ),
    policyGet: db.prepare('SELECT body FROM policies WHERE tenant_id = ?'),
    policySave: db.prepare(
      `INSERT INTO policies (tenant_id, body, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (tenant_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
    ),
    tokenInsert: db.prepare(
      `INSERT INTO admin_tokens (id, tenant_id, role, secret_hash, label, created_at, revoked_at)
       VALUES (@id, @tenantId, @role, @secretHash, @label, @createdAt, @revokedAt)`,
    ),
    tokenById: db.prepare('SELECT * FROM admin_tokens WHERE id = ?'),
    tokenList: db.prepare('SELECT * FROM admin_tokens WHERE tenant_id = ? ORDER BY created_at'),
    tokenRevoke: db.prepare('UPDATE admin_tokens SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL'),
  };
  const one = <T>(row: unknown, map: (r: Row) => T) => (row ? map(row as Row) : undefined);
  const deleteUser = db.transaction((tenantId: string, id: string) => {
    q.userDeleteRegistrations.run(tenantId, id);
    q.userDelete.run(tenantId, id);
  });

  return {
    tenants: {
      async create(t) {
        q.tenantInsert.run({ ...t, signInOrigins: JSON.stringify(t.signInOrigins) });
      },
      async byName(name) {
        return one(q.tenantByName.get(name), toTenant);
      },
      async byId(id) {
        return one(q.tenantById.get(id), toTenant);
      },
      async list() {
        return (q.tenantList.all() as Row[]).map(toTenant);
      },
      async update(t) {
        q.tenantUpdate.run({ id: t.id, displayName: t.displayName, signInOrigins: JSON.stringify(t.signInOrigins) });
      },
      async addDomain(tenantId, domain, at) {
        return q.domainInsert.run(domain, tenantId, at).changes === 1;
      },
      async removeDomain(tenantId, domain) {
        return q.domainDelete.run(tenantId, domain).changes === 1;
      },
      async domains(tenantId) {
        return (q.domainList.all(tenantId) as Row[]).map((row) => String(row.domain));
      },
      async byDomain(domain) {
        return one(q.tenantByDomain.get(domain), toTenant);
      },
    },
    users: {
      async create(u) {
        q.userInsert.run(u);
      },
      async byName(tenantId, username) {
        return one(q.userByName.get(tenantId, username), toUser);
      },
      async byId(tenantId, id) {
        return one(q.userById.get(tenantId, id), toUser);
      },
      async list(tenantId) {
        return (q.userList.all(tenantId) as Row[]).map(toUser);
      },
      async update(u) {
        q.userUpdate.run(u);
      },
      async delete(tenantId, id) {
        deleteUser(tenantId, id);
      },
      async search(tenantId, query) {
        const rows = q.userSearch.all({
          tenantId,
          after: query.after ?? '',
          search: (query.search ?? '').toLowerCase(),
          limit: query.limit,
        }) as Row[];
        return rows.map(toUser);
      },
      async byIdWithTenant(tenantId, id) {
        return one(q.userWithTenant.get(tenantId, id), withTenant);
      },
    },
    groups: {
      async create(g) {
        q.groupInsert.run(g);
      },
      async byName(tenantId, name) {
        return one(q.groupByName.get(tenantId, name), toGroup);
      },
      async byId(tenantId, id) {
        return one(q.groupById.get(tenantId, id), toGroup);
      },
      async list(tenantId) {
        return (q.groupList.all(tenantId) as Row[]).map(toGroup);
      },
      async delete(tenantId, id) {
        q.groupDelete.run(tenantId, id);
      },
      async update(g) {
        q.groupUpdate.run({ tenantId: g.tenantId, id: g.id, name: g.name, displayName: g.displayName });
      },
      async addMember(tenantId, groupId, userId) {
        q.memberAdd.run(groupId, userId, tenantId);
      },
      async removeMember(tenantId, groupId, userId) {
        q.memberRemove.run(groupId, userId, tenantId);
      },
      async members(tenantId, groupId) {
        return (q.members.all(tenantId, groupId) as Row[]).map(toUser);
      },
      async groupIdsOf(tenantId, userId) {
        return (q.groupIdsOf.all(tenantId, userId) as Row[]).map((r) => String(r.id));
      },
    },
    policies: {
      async get(tenantId) {
        const row = q.policyGet.get(tenantId) as Row | undefined;
        return row ? (JSON.parse(String(row.body)) as StoredPolicy) : undefined;
      },
      async save(tenantId, policy) {
        q.policySave.run(tenantId, JSON.stringify(policy), policy.updatedAt);
      },
    },
    adminTokens: {
      async create(t) {
        q.tokenInsert.run(t);
      },
      async byId(id) {
        return one(q.tokenById.get(id), toAdminToken);
      },
      async list(tenantId) {
        return (q.tokenList.all(tenantId) as Row[]).map(toAdminToken);
      },
      async revoke(tenantId, id, at) {
        return q.tokenRevoke.run(at, tenantId, id).changes === 1;
      },
    },
  };
}
