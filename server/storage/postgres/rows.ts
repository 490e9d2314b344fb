import type {
  AdminToken,
  AuditEvent,
  Device,
  EnrollmentCode,
  EnrollmentSession,
  Grant,
  Group,
  OidcClient,
  OidcRecord,
  Registration,
  SignInRequest,
  TemporaryAccessPass,
  Tenant,
  User,
} from '../model';
import type { Row } from './database';

/**
 * Row shapes as PostgreSQL returns them, and their mapping to the model: BIGINT arrives as a
 * number (see openPool), BOOLEAN as a boolean and JSON already parsed.
 */
const text = (value: unknown) => String(value);
const nullableText = (value: unknown) => (value === null || value === undefined ? null : String(value));
const nullableNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value));

export const toTenant = (r: Row): Tenant => ({
  id: text(r.id),
  name: text(r.name),
  displayName: text(r.display_name),
  signInOrigins: r.sign_in_origins as string[],
  createdAt: Number(r.created_at),
});

export const toUser = (r: Row): User => ({
  id: text(r.id),
  tenantId: text(r.tenant_id),
  username: text(r.username),
  displayName: text(r.display_name),
  kind: r.kind === 'guest' ? 'guest' : 'member',
  blockedAt: nullableNumber(r.blocked_at),
  disabledAt: nullableNumber(r.disabled_at),
  passwordHash: nullableText(r.password_hash),
  lastMethod: nullableText(r.last_method),
  createdAt: Number(r.created_at),
});

export const toGroup = (r: Row): Group => ({
  id: text(r.id),
  tenantId: text(r.tenant_id),
  name: text(r.name),
  displayName: text(r.display_name),
  createdAt: Number(r.created_at),
});

export const toAdminToken = (r: Row): AdminToken => ({
  id: text(r.id),
  tenantId: text(r.tenant_id),
  role: r.role === 'global_administrator' || r.role === 'helpdesk_administrator' ? r.role : 'authentication_policy_administrator',
  secretHash: text(r.secret_hash),
  label: text(r.label),
  createdAt: Number(r.created_at),
  revokedAt: nullableNumber(r.revoked_at),
});

export const toPass = (r: Row): TemporaryAccessPass => ({
  id: text(r.id),
  tenantId: text(r.tenant_id),
  userId: text(r.user_id),
  secretHash: text(r.secret_hash),
  oneTime: r.one_time === true,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  usedAt: nullableNumber(r.used_at),
  revokedAt: nullableNumber(r.revoked_at),
});

export const toSession = (r: Row): EnrollmentSession => ({
  id: text(r.id),
  tenantId: text(r.tenant_id),
  userId: text(r.user_id),
  challenge: text(r.challenge),
  via: r.via === 'enrollment_code' ? 'enrollment_code' : 'temporary_access_pass',
  passId: nullableText(r.pass_id),
  expiresAt: Number(r.expires_at),
});

export const toCode = (r: Row): EnrollmentCode => ({
  id: text(r.id),
  tenantId: text(r.tenant_id),
  userId: text(r.user_id),
  secretHash: text(r.secret_hash),
  expiresAt: Number(r.expires_at),
  usedAt: nullableNumber(r.used_at),
});

export const toDevice = (r: Row): Device => ({
  id: text(r.id),
  tenantId: text(r.tenant_id),
  kind: r.kind === 'browser' ? 'browser' : 'phone',
  name: text(r.name),
  publicKey: r.public_key as Device['publicKey'],
  thumbprint: text(r.thumbprint),
  pushSubscription: (r.push_subscription ?? null) as Device['pushSubscription'],
  pushState: text(r.push_state) as Device['pushState'],
  createdAt: Number(r.created_at),
  lastSeenAt: nullableNumber(r.last_seen_at),
  lastReceiptAt: nullableNumber(r.last_receipt_at),
  healthCheckSentAt: nullableNumber(r.health_check_sent_at),
});

export const toRegistration = (r: Row): Registration => ({
  id: text(r.id),
  tenantId: text(r.tenant_id),
  userId: text(r.user_id),
  deviceId: text(r.device_id),
  credentialId: text(r.credential_id),
  credentialPublicKey: text(r.credential_public_key),
  signCount: Number(r.sign_count),
  transports: r.transports as string[],
  backupEligible: r.backup_eligible === true,
  backupState: r.backup_state === true,
  phoneSignInEnabled: r.phone_sign_in_enabled === true,
  totpSecret: text(r.totp_secret),
  totpLastStep: Number(r.totp_last_step),
  createdAt: Number(r.created_at),
  lastUsedAt: nullableNumber(r.last_used_at),
});

export const toRequest = (r: Row): SignInRequest => ({
  id: text(r.id),
  tenantId: text(r.tenant_id),
  userId: nullableText(r.user_id),
  username: text(r.username),
  kind: r.kind === 'mfa' ? 'mfa' : 'passwordless',
  origin: text(r.origin),
  context: r.context as SignInRequest['context'],
  number: Number(r.number),
  nonce: text(r.nonce),
  collectorHash: text(r.collector_hash),
  collectorKey: nullableText(r.collector_key),
  browserDeviceId: nullableText(r.browser_device_id),
  status: text(r.status) as SignInRequest['status'],
  reason: nullableText(r.reason),
  deliverable: r.deliverable === true,
  collectorKnown: r.collector_known === true,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  answeredAt: nullableNumber(r.answered_at),
  answeredBy: nullableText(r.answered_by),
  ip: nullableText(r.ip),
  userAgent: nullableText(r.user_agent),
  firstFactor: r.first_factor === 'password' || r.first_factor === 'temporary_access_pass' ? r.first_factor : null,
});

export const toGrant = (r: Row): Grant => ({
  id: text(r.id),
  secretHash: text(r.secret_hash),
  tenantId: text(r.tenant_id),
  userId: text(r.user_id),
  requestId: nullableText(r.request_id),
  method: text(r.method),
  amr: r.amr as string[],
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  usedAt: nullableNumber(r.used_at),
});

export const toClient = (r: Row): OidcClient => ({
  tenantId: text(r.tenant_id),
  clientId: text(r.client_id),
  displayName: text(r.display_name),
  metadata: r.metadata as OidcClient['metadata'],
  createdAt: Number(r.created_at),
});

export const toRecord = (r: Row): OidcRecord => ({
  model: text(r.model),
  id: text(r.id),
  payload: r.payload as OidcRecord['payload'],
  grantId: nullableText(r.grant_id),
  userCode: nullableText(r.user_code),
  uid: nullableText(r.uid),
  expiresAt: nullableNumber(r.expires_at),
  consumedAt: nullableNumber(r.consumed_at),
});

export const toAuditEvent = (r: Row): AuditEvent => ({
  id: text(r.id),
  tenantId: text(r.tenant_id),
  at: Number(r.at),
  type: text(r.type),
  outcome: text(r.outcome),
  reason: nullableText(r.reason),
  userId: nullableText(r.user_id),
  username: nullableText(r.username),
  deviceId: nullableText(r.device_id),
  method: nullableText(r.method),
  origin: nullableText(r.origin),
  ip: nullableText(r.ip),
  userAgent: nullableText(r.user_agent),
  detail: (r.detail ?? null) as AuditEvent['detail'],
  location: nullableText(r.location ?? null),
});

/** JSON parameters go as text: the driver would send a JavaScript array as a PostgreSQL array. */
export const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/** The mapped row, or undefined when the query found none. */
/** Another table's columns selected beside a row's own in a join, each as `<prefix>__<column>`. */
export const joinedColumns = (table: string, prefix: string, columns: readonly string[]) =>
  columns.map((name) => `${table}.${name} AS ${prefix}__${name}`).join(', ');

/** Those columns of a joined row as that table's own row; undefined when a left join found none (its id is null). */
export const joinedRow = (r: Row, prefix: string, columns: readonly string[]): Row | undefined =>
  r[`${prefix}__id`] === null || r[`${prefix}__id`] === undefined
    ? undefined
    : Object.fromEntries(columns.map((name) => [name, r[`${prefix}__${name}`]]));

export const maybe = <T>(row: Row | undefined, map: (r: Row) => T): T | undefined => (row ? map(row) : undefined);
