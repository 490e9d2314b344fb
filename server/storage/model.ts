import type { P256PublicJwk } from '../../shared/schemas/common';
import type { PushSubscriptionJson } from '../../shared/schemas/pushSubscription';
import type { Mode } from '../../shared/constants';
import type { FatigueLimits } from '../../shared/schemas/authenticatorPolicy';

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
  /** Set when the user reported a request as fraudulent; push and phone sign-in stay off until an admin clears it. */
  blockedAt: Millis | null;
  /** scrypt hash with its parameters, or null for a user without a password. */
  passwordHash: string | null;
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
export type StoredIncludeTarget =
  | { kind: 'all_users'; mode: Mode }
  | { kind: 'group' | 'user'; id: string; mode: Mode };
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

export type AdminRole = 'global_administrator' | 'authentication_policy_administrator';

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
  detail: Record<string, unknown> | null;
}

export interface AuditFilter {
  tenantId: string;
  username?: string;
  outcome?: string;
  type?: string;
  since?: Millis;
  until?: Millis;
  limit?: number;
}
