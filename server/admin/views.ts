import type { AdminTokenView, AuditEventView, GroupView, TenantView, UserView } from '../../shared/schemas/directory';
import type { RegistrationView, UserDeviceView } from '../../shared/schemas/devices';
import type { TemporaryAccessPassView } from '../../shared/schemas/enrollment';
import type { AdminToken, AuditEvent, Device, Group, Millis, Registration, TemporaryAccessPass, Tenant, User } from '../storage/model';

/** What the admin API shows of each thing (the answer schemas in shared/schemas): never hashes, secrets or keys. */
const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export const showTenant = (t: Tenant): TenantView => ({
  name: t.name,
  displayName: t.displayName,
  signInOrigins: t.signInOrigins,
  createdAt: iso(t.createdAt),
});

export const showUser = (u: User): UserView => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  kind: u.kind,
  blocked: u.blockedAt !== null,
  blockedAt: isoOrNull(u.blockedAt),
  disabled: u.disabledAt !== null,
  disabledAt: isoOrNull(u.disabledAt),
  hasPassword: u.passwordHash !== null,
  createdAt: iso(u.createdAt),
});

export const showGroup = (g: Group): GroupView => ({ id: g.id, name: g.name, displayName: g.displayName, createdAt: iso(g.createdAt) });

export const showRegistration = (r: Registration, device?: Device): RegistrationView => ({
  id: r.id,
  deviceId: r.deviceId,
  deviceName: device?.name ?? null,
  pushState: device?.pushState ?? null,
  credentialId: r.credentialId,
  phoneSignInEnabled: r.phoneSignInEnabled,
  backupEligible: r.backupEligible,
  backupState: r.backupState,
  createdAt: iso(r.createdAt),
  lastUsedAt: isoOrNull(r.lastUsedAt),
  lastReceiptAt: isoOrNull(device?.lastReceiptAt ?? null),
});

export const showToken = (t: AdminToken): AdminTokenView => ({
  id: t.id,
  role: t.role,
  label: t.label,
  createdAt: iso(t.createdAt),
  revokedAt: isoOrNull(t.revokedAt),
});

export const showAuditEvent = (e: AuditEvent): AuditEventView => ({ ...e, at: iso(e.at) });

export const showDevice = (d: Device, registrations: Registration[]): UserDeviceView => ({
  id: d.id,
  kind: d.kind,
  name: d.name,
  pushState: d.pushState,
  createdAt: iso(d.createdAt),
  lastSeenAt: isoOrNull(d.lastSeenAt),
  registrations: registrations.map((r) => showRegistration(r, d)),
});

export const showPass = (p: TemporaryAccessPass, now: Millis): TemporaryAccessPassView => ({
  id: p.id,
  oneTime: p.oneTime,
  state: p.revokedAt !== null ? 'revoked' : p.usedAt !== null ? 'used' : p.expiresAt <= now ? 'expired' : 'usable',
  createdAt: iso(p.createdAt),
  expiresAt: iso(p.expiresAt),
  usedAt: isoOrNull(p.usedAt),
  revokedAt: isoOrNull(p.revokedAt),
});
