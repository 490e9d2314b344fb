import type { AdminToken, AuditEvent, Device, Group, Registration, TemporaryAccessPass, Tenant, User } from '../model';
import { registrationColumns } from '../registrationColumns';

/** Row shapes as SQLite returns them, and their mapping to the model. */
type Row = Record<string, unknown>;

const bool = (value: unknown) => value === 1;
const json = <T>(value: unknown): T => JSON.parse(String(value)) as T;
const nullableNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value));

export const toTenant = (r: Row): Tenant => ({
  id: String(r.id),
  name: String(r.name),
  displayName: String(r.display_name),
  signInOrigins: json<string[]>(r.sign_in_origins),
  createdAt: Number(r.created_at),
});

export const toUser = (r: Row): User => ({
  id: String(r.id),
  tenantId: String(r.tenant_id),
  username: String(r.username),
  displayName: String(r.display_name),
  kind: r.kind === 'guest' ? 'guest' : 'member',
  blockedAt: nullableNumber(r.blocked_at),
  disabledAt: nullableNumber(r.disabled_at),
  passwordHash: r.password_hash === null ? null : String(r.password_hash),
  lastMethod: r.last_method === null || r.last_method === undefined ? null : String(r.last_method),
  createdAt: Number(r.created_at),
});

export const toGroup = (r: Row): Group => ({
  id: String(r.id),
  tenantId: String(r.tenant_id),
  name: String(r.name),
  displayName: String(r.display_name),
  createdAt: Number(r.created_at),
});

export const toAdminToken = (r: Row): AdminToken => ({
  id: String(r.id),
  tenantId: String(r.tenant_id),
  role: r.role === 'global_administrator' || r.role === 'helpdesk_administrator' ? r.role : 'authentication_policy_administrator',
  secretHash: String(r.secret_hash),
  label: String(r.label),
  createdAt: Number(r.created_at),
  revokedAt: nullableNumber(r.revoked_at),
});

export const toPass = (r: Row): TemporaryAccessPass => ({
  id: String(r.id),
  tenantId: String(r.tenant_id),
  userId: String(r.user_id),
  secretHash: String(r.secret_hash),
  oneTime: bool(r.one_time),
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  usedAt: nullableNumber(r.used_at),
  revokedAt: nullableNumber(r.revoked_at),
});

/** A device's columns in the order `deviceSelect` returns them, for statements read as arrays (raw rows). */
const deviceColumns = [
  'id',
  'tenant_id',
  'kind',
  'name',
  'public_key',
  'thumbprint',
  'push_subscription',
  'push_state',
  'created_at',
  'last_seen_at',
  'last_receipt_at',
  'health_check_sent_at',
] as const;
export const deviceSelect = deviceColumns.join(', ');
export const deviceColumnCount = deviceColumns.length;

/** toDevice for a row read as an array of `deviceSelect`'s columns (a device is read four times per sign-in). */
export const toDeviceFromArray = (r: unknown[]): Device => ({
  id: String(r[0]),
  tenantId: String(r[1]),
  kind: r[2] === 'browser' ? 'browser' : 'phone',
  name: String(r[3]),
  publicKey: json(r[4]),
  thumbprint: String(r[5]),
  pushSubscription: r[6] === null ? null : json(r[6]),
  pushState: (String(r[7]) as Device['pushState']) ?? 'none',
  createdAt: Number(r[8]),
  lastSeenAt: nullableNumber(r[9]),
  lastReceiptAt: nullableNumber(r[10]),
  healthCheckSentAt: nullableNumber(r[11]),
});

/** A device read as an object keyed by column name (the statements that read whole rows). */
export const toDevice = (r: Row): Device => toDeviceFromArray(deviceColumns.map((name) => r[name]));

/** A registration read as an object keyed by column name (the statements that read whole rows). */
export const toRegistration = (r: Row): Registration =>
  toRegistrationAt(
    registrationColumns.map((name) => r[name]),
    0,
  )!;

export const toAuditEvent = (r: Row): AuditEvent => ({
  id: String(r.id),
  tenantId: String(r.tenant_id),
  at: Number(r.at),
  type: String(r.type),
  outcome: String(r.outcome),
  reason: r.reason === null ? null : String(r.reason),
  userId: r.user_id === null ? null : String(r.user_id),
  username: r.username === null ? null : String(r.username),
  deviceId: r.device_id === null ? null : String(r.device_id),
  method: r.method === null ? null : String(r.method),
  origin: r.origin === null ? null : String(r.origin),
  ip: r.ip === null ? null : String(r.ip),
  userAgent: r.user_agent === null ? null : String(r.user_agent),
  detail: r.detail === null ? null : json(r.detail),
  location: r.location === null || r.location === undefined ? null : String(r.location),
});

/** A device's columns for a join, read as an array row after the other table's (raw rows): `toDeviceAt`. */
export const deviceSelectOf = (table: string) => deviceColumns.map((name) => `${table}.${name}`).join(', ');

/** The device of an array row read with `deviceSelectOf` from `offset` on, or undefined when a left join found none. */
export const toDeviceAt = (r: unknown[], offset: number): Device | undefined =>
  r[offset] === null ? undefined : toDeviceFromArray(offset === 0 ? r : r.slice(offset, offset + deviceColumns.length));

export const registrationSelectOf = (table: string) => registrationColumns.map((name) => `${table}.${name}`).join(', ');
export const registrationColumnCount = registrationColumns.length;

/** The registration of an array row read with `registrationSelectOf` from `offset` on, or undefined when a left join found none. */
export const toRegistrationAt = (r: unknown[], offset: number): Registration | undefined =>
  r[offset] === null
    ? undefined
    : {
        id: String(r[offset]),
        tenantId: String(r[offset + 1]),
        userId: String(r[offset + 2]),
        deviceId: String(r[offset + 3]),
        credentialId: String(r[offset + 4]),
        credentialPublicKey: String(r[offset + 5]),
        signCount: Number(r[offset + 6]),
        transports: json<string[]>(r[offset + 7]),
        backupEligible: bool(r[offset + 8]),
        backupState: bool(r[offset + 9]),
        phoneSignInEnabled: bool(r[offset + 10]),
        totpSecret: String(r[offset + 11]),
        totpLastStep: Number(r[offset + 12]),
        createdAt: Number(r[offset + 13]),
        lastUsedAt: nullableNumber(r[offset + 14]),
      };
