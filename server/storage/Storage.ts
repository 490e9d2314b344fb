import type {
  AdminToken,
  AuditEvent,
  AuditFilter,
  Device,
  EnrollmentCode,
  EnrollmentSession,
  Group,
  Millis,
  PushState,
  Registration,
  StoredPolicy,
  TemporaryAccessPass,
  Tenant,
  User,
} from './model';
import type { PushSubscriptionJson } from '../../shared/schemas/pushSubscription';

/**
 * The relay's narrow storage interface. Everything is asynchronous so that a PostgreSQL
 * implementation can stand in for SQLite without touching callers. Each method is one
 * atomic unit: an implementation runs every multi-row write in one transaction.
 */
export interface Storage {
  tenants: {
    create(tenant: Tenant): Promise<void>;
    byName(name: string): Promise<Tenant | undefined>;
    byId(id: string): Promise<Tenant | undefined>;
    list(): Promise<Tenant[]>;
    update(tenant: Tenant): Promise<void>;
  };
  users: {
    create(user: User): Promise<void>;
    byName(tenantId: string, username: string): Promise<User | undefined>;
    byId(tenantId: string, id: string): Promise<User | undefined>;
    list(tenantId: string): Promise<User[]>;
    update(user: User): Promise<void>;
    /** Deletes the user with its memberships, passes, registrations and enrollment state. */
    delete(tenantId: string, id: string): Promise<void>;
  };
  groups: {
    create(group: Group): Promise<void>;
    byName(tenantId: string, name: string): Promise<Group | undefined>;
    byId(tenantId: string, id: string): Promise<Group | undefined>;
    list(tenantId: string): Promise<Group[]>;
    delete(tenantId: string, id: string): Promise<void>;
    addMember(tenantId: string, groupId: string, userId: string): Promise<void>;
    removeMember(tenantId: string, groupId: string, userId: string): Promise<void>;
    members(tenantId: string, groupId: string): Promise<User[]>;
    groupIdsOf(tenantId: string, userId: string): Promise<string[]>;
  };
  policies: {
    get(tenantId: string): Promise<StoredPolicy | undefined>;
    save(tenantId: string, policy: StoredPolicy): Promise<void>;
  };
  adminTokens: {
    create(token: AdminToken): Promise<void>;
    byId(id: string): Promise<AdminToken | undefined>;
    list(tenantId: string): Promise<AdminToken[]>;
    revoke(tenantId: string, id: string, at: Millis): Promise<void>;
  };
  temporaryAccessPasses: {
    /** Revokes every other pass of the user and stores this one, atomically. */
    replace(pass: TemporaryAccessPass): Promise<void>;
    usableFor(tenantId: string, userId: string, now: Millis): Promise<TemporaryAccessPass | undefined>;
    /** Marks a one-time pass used; false when it was used or revoked meanwhile. */
    markUsed(id: string, at: Millis): Promise<boolean>;
    revokeAll(tenantId: string, userId: string, at: Millis): Promise<void>;
  };
  enrollment: {
    createSession(session: EnrollmentSession): Promise<void>;
    /** Removes and returns the session: it can be finished once. */
    takeSession(id: string): Promise<EnrollmentSession | undefined>;
    createCode(code: EnrollmentCode): Promise<void>;
    /** Marks the code used and returns it, if it was unused and unexpired. */
    takeCode(secretHash: string, now: Millis): Promise<EnrollmentCode | undefined>;
    /** Stores the device (or reuses the one with the same key) and the registration, atomically. */
    complete(device: Device, registration: Registration): Promise<{ device: Device; registration: Registration }>;
  };
  devices: {
    byId(id: string): Promise<Device | undefined>;
    setPush(id: string, subscription: PushSubscriptionJson | null, state: PushState): Promise<void>;
    touch(id: string, at: Millis): Promise<void>;
  };
  registrations: {
    byId(id: string): Promise<Registration | undefined>;
    byCredentialId(tenantId: string, credentialId: string): Promise<Registration | undefined>;
    listForUser(tenantId: string, userId: string): Promise<Registration[]>;
    listForDevice(deviceId: string): Promise<Registration[]>;
    setPhoneSignIn(id: string, enabled: boolean): Promise<void>;
    /** Stores a new sign counter only if it is still the one read (compare-and-set). */
    updateCounter(id: string, expected: number, next: number, usedAt: Millis): Promise<boolean>;
    /** Records a TOTP step as used only if it is newer than the last one (each code works once). */
    useTotpStep(id: string, step: number, usedAt: Millis): Promise<boolean>;
    delete(id: string): Promise<void>;
  };
  audit: {
    append(event: AuditEvent): Promise<void>;
    list(filter: AuditFilter): Promise<AuditEvent[]>;
  };
  close(): Promise<void>;
}
