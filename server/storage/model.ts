import type { P256PublicJwk } from '../../shared/schemas/common';
import type { PushSubscriptionJson } from '../../shared/schemas/devices';
import type { Mode } from '../../shared/constants';
import type { FatigueLimits } from '../../shared/schemas/policy';
import type { RequestStatus, SignInDescription } from '../../shared/schemas/signInRequests';

/** Times are milliseconds since the epoch throughout the relay's storage. */
export type Millis = number;

export interface Tenant {
  id: string;
  name: string;
  displayName: string;
  signInOrigins: string[];
  createdAt: Millis;
}

export type UserKind = 'member' | 'guest';

export interface User {
  id: string;
  tenantId: string;
  username: string;
  displayName: string;
  kind: UserKind;
  /**
   * Set when the user reported a request as not theirs ("at risk"): pushes from browsers that never
   * signed this user in are held until the user signs in from a known browser or an admin clears it.
   */
  blockedAt: Millis | null;
  /** Set when an admin disabled the account: no sign-in, no enrollment, no session until enabled again. */
  disabledAt: Millis | null;
  /** scrypt hash with its parameters, or null for a user without a password. */
  passwordHash: string | null;
  /** The sign-in method this user used last: the hosted page offers it first next time. */
  lastMethod: string | null;
  createdAt: Millis;
}

export interface Group {
  id: string;
  tenantId: string;
  name: string;
  displayName: string;
  createdAt: Millis;
}

/** Policy targets as stored: by id, so a renamed or re-created user never inherits a target. */
export type StoredIncludeTarget = { kind: 'all_users'; mode: Mode } | { kind: 'group' | 'user'; id: string; mode: Mode };
export type StoredExcludeTarget = { kind: 'group' | 'user'; id: string };

export interface StoredPolicy {
  enabled: boolean;
  includeTargets: StoredIncludeTarget[];
  excludeTargets: StoredExcludeTarget[];
  showApplicationName: boolean;
  showLocation: boolean;
  requireRegisteredBrowser: boolean;
  limits: FatigueLimits;
  updatedAt: Millis;
}

/** The seed's roles: Global Administrator (everything), Authentication Policy Administrator, Helpdesk Administrator. */
export type AdminRole = 'global_administrator' | 'authentication_policy_administrator' | 'helpdesk_administrator';

/** The admin center's roles, as the seed names them: a tenant user holds any of them (assigned from the CLI first). */
export type AdminCenterRole = AdminRole;

export interface AdminRoleAssignment {
  tenantId: string;
  userId: string;
  role: AdminCenterRole;
  createdAt: Millis;
}

export interface AdminToken {
  id: string;
  tenantId: string;
  role: AdminRole;
  secretHash: string;
  label: string;
  createdAt: Millis;
  revokedAt: Millis | null;
}

export interface TemporaryAccessPass {
  id: string;
  tenantId: string;
  userId: string;
  secretHash: string;
  oneTime: boolean;
  createdAt: Millis;
  expiresAt: Millis;
  usedAt: Millis | null;
  revokedAt: Millis | null;
}

export interface EnrollmentSession {
  id: string;
  tenantId: string;
  userId: string;
  challenge: string;
  via: 'temporary_access_pass' | 'enrollment_code';
  /** The pass the enrollment started with: checked again when it finishes, and used up then if it is one-time. */
  passId: string | null;
  expiresAt: Millis;
}

export interface EnrollmentCode {
  id: string;
  tenantId: string;
  userId: string;
  secretHash: string;
  expiresAt: Millis;
  usedAt: Millis | null;
}

export type PushState = 'none' | 'subscribed' | 'unreachable';

/** One phone installation (or one browser) as registered with one tenant. */
export interface Device {
  id: string;
  tenantId: string;
  kind: 'phone' | 'browser';
  name: string;
  publicKey: P256PublicJwk;
  /** RFC 7638 thumbprint of the public key: one device row per key per tenant. */
  thumbprint: string;
  pushSubscription: PushSubscriptionJson | null;
  pushState: PushState;
  createdAt: Millis;
  lastSeenAt: Millis | null;
  /** When a push last reached it (a receipt or a health check's answer); null before the first. */
  lastReceiptAt: Millis | null;
  /** When the health check still waiting for its answer was sent; null when none waits. */
  healthCheckSentAt: Millis | null;
}

/** An account's Authenticator registration on one device. */
export interface Registration {
  id: string;
  tenantId: string;
  userId: string;
  deviceId: string;
  credentialId: string;
  /** COSE public key, base64url. */
  credentialPublicKey: string;
  signCount: number;
  transports: string[];
  backupEligible: boolean;
  backupState: boolean;
  phoneSignInEnabled: boolean;
  /** Base32 TOTP secret for offline verification codes. */
  totpSecret: string;
  /** The last TOTP time step accepted, so each code works once. */
  totpLastStep: number;
  createdAt: Millis;
  lastUsedAt: Millis | null;
}

export interface AuditEvent {
  id: string;
  tenantId: string;
  at: Millis;
  type: string;
  outcome: string;
  reason: string | null;
  userId: string | null;
  username: string | null;
  deviceId: string | null;
  method: string | null;
  origin: string | null;
  ip: string | null;
  userAgent: string | null;
  /** Where `ip` is, in words, as the relay located it then ("United States", "This network"); null without an address. */
  location: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditFilter {
  tenantId: string;
  username?: string;
  outcome?: string;
  type?: string;
  /** Any of these types (the sign-in log's). */
  types?: string[];
  method?: string;
  since?: Millis;
  until?: Millis;
  limit?: number;
}

/** A page of the user list: users whose username or display name contains `search`, after `after`, by username. */
export interface UserQuery {
  search?: string;
  /** The last username of the page before. */
  after?: string;
  limit: number;
}

export type SignInKind = 'passwordless' | 'mfa';

export interface SignInRequest {
  id: string;
  tenantId: string;
  /** Null for a decoy: an unknown user's request that looks real but is never delivered. */
  userId: string | null;
  username: string;
  kind: SignInKind;
  origin: string;
  context: SignInDescription;
  number: number;
  /** The relay's nonce in the approval binding. */
  nonce: string;
  collectorHash: string;
  /** Identifies the collecting browser so a new request supersedes its older pending one. */
  collectorKey: string | null;
  /** The registered browser (extension) device that created the request, if any. */
  browserDeviceId: string | null;
  status: RequestStatus;
  reason: string | null;
  /** False for decoys and for users who may not use the phone: nothing is pushed. */
  deliverable: boolean;
  /**
   * The browser that created the request may learn its delivery stage ("delivered" once a phone
   * acknowledged it): decided once at creation, true only when the browser already knew the user
   * is real — a first factor was given, or it is a known browser of the user (the hosted pages'
   * cookie, a registered extension key). Otherwise a real user's request and a decoy look alike.
   */
  collectorKnown: boolean;
  createdAt: Millis;
  expiresAt: Millis;
  answeredAt: Millis | null;
  /** The registration that answered. */
  answeredBy: string | null;
  ip: string | null;
  userAgent: string | null;
  /** Push MFA: the first factor the user gave before the push (for the grant's `amr`); null for phone sign-in. */
  firstFactor?: 'password' | 'temporary_access_pass' | null;
}

/** A one-time grant that finishes a sign-in. */
export interface Grant {
  id: string;
  secretHash: string;
  tenantId: string;
  userId: string;
  requestId: string | null;
  method: string;
  amr: string[];
  createdAt: Millis;
  expiresAt: Millis;
  usedAt: Millis | null;
}

/** An OpenID Connect client (relying party) registered by an admin. */
export interface OidcClient {
  tenantId: string;
  clientId: string;
  /** The name the phone shows as the application. */
  displayName: string;
  /** The oidc-provider client metadata (redirect_uris, …). */
  metadata: Record<string, unknown>;
  createdAt: Millis;
}

/** One record of oidc-provider's adapter (sessions, interactions, codes, grants, …). */
export interface OidcRecord {
  model: string;
  id: string;
  payload: Record<string, unknown>;
  grantId: string | null;
  userCode: string | null;
  uid: string | null;
  expiresAt: Millis | null;
  consumedAt: Millis | null;
}

/**
 * What a limit counter or window event belongs to (server/limits): `kind` says which limit, the
 * tenant and (when the limit is about one account) the username, so an admin can see and reset a
 * user's limits. Unknown usernames get counters like real ones: limits are no oracle.
 */
export interface LimitSubject {
  /** Unique per counter: the kind, the tenant, the account and the source it counts. */
  key: string;
  kind: string;
  tenantId: string;
  username: string | null;
}

/** Consecutive failures (or marks) under one key, since the last success or reset. */
export interface LimitCounter extends LimitSubject {
  count: number;
  firstAt: Millis;
  lastAt: Millis;
}

/** One sliding window of events under a key: at most `limit` since `since`. */
export interface LimitWindow {
  subject: LimitSubject;
  limit: number;
  since: Millis;
}

/** A secret as stored in its row: sealed (see server/secrets) or, from before sealing, in clear. */
export type StoredSecret =
  | { kind: 'totp_seed'; registrationId: string; value: string }
  | { kind: 'client_secret'; tenantId: string; clientId: string; value: string };
