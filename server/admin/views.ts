import type { AdminToken, AuditEvent, Device, Group, Registration, Tenant, User } from '../storage/model';

/** What the admin API shows of each thing: never hashes, secrets or keys. */
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const tenantView = (t: Tenant) => ({
  name: t.name,
  displayName: t.displayName,
  signInOrigins: t.signInOrigins,
  createdAt: iso(t.createdAt),
});

export const userView = (u: User) => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  kind: u.kind,
  blocked: u.blockedAt !== null,
  blockedAt: iso(u.blockedAt),
  hasPassword: u.passwordHash !== null,
  createdAt: iso(u.createdAt),
});

export const groupView = (g: Group) => ({ id: g.id, name: g.name, displayName: g.displayName, createdAt: iso(g.createdAt) });

export const registrationView = (r: Registration, device?: Device) => ({
  id: r.id,
  deviceId: r.deviceId,
  deviceName: device?.name ?? null,
  pushState: device?.pushState ?? null,
  credentialId: r.credentialId,
  phoneSignInEnabled: r.phoneSignInEnabled,
  backupEligible: r.backupEligible,
  backupState: r.backupState,
  createdAt: iso(r.createdAt),
  lastUsedAt: iso(r.lastUsedAt),
});

export const tokenView = (t: AdminToken) => ({
  id: t.id,
  role: t.role,
  label: t.label,
  createdAt: iso(t.createdAt),
  revokedAt: iso(t.revokedAt),
});

export const auditView = (e: AuditEvent) => ({ ...e, at: iso(e.at) });
