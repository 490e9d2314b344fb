import type Database from 'better-sqlite3';
import type { Storage } from '../Storage';
import type { AdminCenterRole, AdminRoleAssignment } from '../model';

type Row = Record<string, unknown>;

const toAssignment = (r: Row): AdminRoleAssignment => ({
  tenantId: String(r.tenant_id),
  userId: String(r.user_id),
  role: String(r.role) as AdminCenterRole,
  createdAt: Number(r.created_at),
});

export function adminRoleTable(db: Database.Database): Pick<Storage, 'adminRoles'> {
  const q = {
    assign: db.prepare(
      `INSERT INTO admin_role_assignments (tenant_id, user_id, role, created_at) VALUES (@tenantId, @userId, @role, @createdAt)
       ON CONFLICT (tenant_id, user_id, role) DO NOTHING`,
    ),
    remove: db.prepare('DELETE FROM admin_role_assignments WHERE tenant_id = ? AND user_id = ? AND role = ?'),
    forUser: db.prepare('SELECT * FROM admin_role_assignments WHERE tenant_id = ? AND user_id = ? ORDER BY role'),
  };
  return {
    adminRoles: {
      async assign(assignment) {
        q.assign.run(assignment);
      },
      async remove(tenantId, userId, role) {
        q.remove.run(tenantId, userId, role);
      },
      async forUser(tenantId, userId) {
        return (q.forUser.all(tenantId, userId) as Row[]).map(toAssignment);
      },
    },
  };
}
