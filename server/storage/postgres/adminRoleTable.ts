import type { Storage } from '../Storage';
import type { AdminCenterRole, AdminRoleAssignment } from '../model';
import { type PostgresDatabase, type Row, statement } from './database';

const q = {
  assign: statement(
    'admin_role_assign',
    `INSERT INTO admin_role_assignments (tenant_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id, user_id, role) DO NOTHING`,
  ),
  remove: statement('admin_role_remove', 'DELETE FROM admin_role_assignments WHERE tenant_id = $1 AND user_id = $2 AND role = $3'),
  forUser: statement(
    'admin_role_for_user',
    'SELECT * FROM admin_role_assignments WHERE tenant_id = $1 AND user_id = $2 ORDER BY role COLLATE "C"',
  ),
};

const toAssignment = (r: Row): AdminRoleAssignment => ({
  tenantId: String(r.tenant_id),
  userId: String(r.user_id),
  role: String(r.role) as AdminCenterRole,
  createdAt: Number(r.created_at),
});

export function adminRoleTable(db: PostgresDatabase): Pick<Storage, 'adminRoles'> {
  return {
    adminRoles: {
      async assign(a) {
        await db.run(q.assign, [a.tenantId, a.userId, a.role, a.createdAt]);
      },
      async remove(tenantId, userId, role) {
        await db.run(q.remove, [tenantId, userId, role]);
      },
      async forUser(tenantId, userId) {
        return (await db.rows(q.forUser, [tenantId, userId])).map(toAssignment);
      },
    },
  };
}
