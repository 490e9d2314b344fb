import type {
  AdminCenterRole,
  AdminRoleAssignment,
  AdminToken,
  AuditEvent,
  AuditFilter,
  Device,
  EnrollmentCode,
  EnrollmentSession,
  Grant,
  Group,
  LimitCounter,
  LimitSubject,
  LimitWindow,
  Millis,
  OidcClient,
  OidcRecord,
  SignInRequest,
  PushState,
  Registration,
  StoredPolicy,
  StoredSecret,
  TemporaryAccessPass,
  Tenant,
  User,
  UserQuery,
} from './model';
import type { PushSubscriptionJson } from '../../shared/schemas/devices';

/** A registration with its device as read together; `device` is undefined if the device row is gone. */
export interface RegistrationWithDevice {
  registration: Registration;
  device: Device | undefined;
}

/** `signInRequests.subjectFor`: what a new sign-in request needs to know of its username. */
export interface SignInSubject {
  /** The tenant of that name; undefined when there is none (and then nothing else is found). */
  tenant: Tenant | undefined;
  /** Undefined when the tenant has no user of that name. */
  user: User | undefined;
  /** The tenant's policy, undefined when it has none. */
  policy: StoredPolicy | undefined;
  /** The user's groups (none for no user). */
  groupIds: string[];
  /** As `registrations.listForUserWithDevices` (none for no user). */
  registrations: RegistrationWithDevice[];
}

/** `signInRequests.forAnswer`: a request with what an answer to it names and needs. */
export interface RequestForAnswer {
  request: SignInRequest;
  registration?: RegistrationWithDevice;
  user?: User;
}

/**
 * A device's signed input, checked but not yet used: what `usedDeviceSignatures.use` records (its
 * arguments). A step's own write may record it in its transaction (`signInRequests.recordDelivery`).
 */
export interface SignatureUse {
  deviceId: string;
  inputHash: string;
  expiresAt: Millis;
  now: Millis;
}

/** What a request's winning transition stores with it, in its transaction: one commit per step of a sign-in. */
export interface TransitionEffects {
  /**
   * The approving registration's new sign counter, at `now`: compare-and-set as
   * `registrations.updateCounter` (a counter that moved meanwhile is left as it is, and the
   * transition stands).
   */
  signCount?: { registrationId: string; expected: number; next: number };
  /** The one-time grant a redeemed request is exchanged for. */
  grant?: Grant;
  /**
   * The user's limit counters of these kinds start over (as `limits.resetUser` does to counters;
   * sliding windows are left alone): a sign-in succeeded.
   */
  resetCounters?: { tenantId: string; username: string; kinds: string[] };
}

/**
 * The relay's narrow storage interface. Everything is asynchronous so that a PostgreSQL
 * implementation can stand in for SQLite without touching callers. Each method is one
 * atomic unit: an implementation runs every multi-row write in one transaction.
 *
 * Failures are part of the contract, the same for every backend:
 * - A method that resolves has saved what it says. A write that the store did not keep throws;
 *   it never returns the row it would have written (check the statement's change count, or
 *   let the commit's error through, before returning).
 * - Storage trouble — a full or read-only disk, an I/O error, a store that cannot be opened or
 *   reached, a lock held past the wait limit — is thrown as `StorageUnavailableError` (see its
 *   table for how each backend's codes map), with nothing written. `mapStorageErrors` applies a
 *   backend's classifier to every method. Anything else thrown is a bug.
 */
export interface Storage {
  tenants: {
    create(tenant: Tenant): Promise<void>;
    byName(name: string): Promise<Tenant | undefined>;
    byId(id: string): Promise<Tenant | undefined>;
    list(): Promise<Tenant[]>;
    update(tenant: Tenant): Promise<void>;
    /**
     * Home realm discovery: registers a domain (lowercase, as given) for the tenant. False when any
     * tenant, this one included, holds it already: a domain belongs to one tenant across the relay.
     */
    addDomain(tenantId: string, domain: string, at: Millis): Promise<boolean>;
    /** False when the tenant did not hold the domain. */
    removeDomain(tenantId: string, domain: string): Promise<boolean>;
    /** The tenant's domains, sorted. */
    domains(tenantId: string): Promise<string[]>;
    /** The tenant that registered the domain, if any. */
    byDomain(domain: string): Promise<Tenant | undefined>;
  };
  users: {
    create(user: User): Promise<void>;
    byName(tenantId: string, username: string): Promise<User | undefined>;
    byId(tenantId: string, id: string): Promise<User | undefined>;
    list(tenantId: string): Promise<User[]>;
    update(user: User): Promise<void>;
    /** Deletes the user with its memberships, passes, registrations and enrollment state. */
    delete(tenantId: string, id: string): Promise<void>;
    /**
     * One page of the tenant's users, by username byte by byte: those after `after` whose username
     * or display name contains `search` (case-insensitive for ASCII), at most `limit`.
     */
    search(tenantId: string, query: UserQuery): Promise<User[]>;
    /** The user (as `byId`) with the tenant, in one read (a redeem issues the grant for both). */
    byIdWithTenant(tenantId: string, id: string): Promise<{ user: User; tenant: Tenant } | undefined>;
  };
  groups: {
    create(group: Group): Promise<void>;
    byName(tenantId: string, name: string): Promise<Group | undefined>;
    byId(tenantId: string, id: string): Promise<Group | undefined>;
    list(tenantId: string): Promise<Group[]>;
    delete(tenantId: string, id: string): Promise<void>;
    /** Stores a new name and display name (policy targets hold the id, so they follow a rename). */
    update(group: Group): Promise<void>;
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
    /** False when the tenant has no such live token. */
    revoke(tenantId: string, id: string, at: Millis): Promise<boolean>;
  };
  /** Which tenant users may use the admin center, in which roles. */
  adminRoles: {
    /** Idempotent: assigning a held role again changes nothing. */
    assign(assignment: AdminRoleAssignment): Promise<void>;
    remove(tenantId: string, userId: string, role: AdminCenterRole): Promise<void>;
    forUser(tenantId: string, userId: string): Promise<AdminRoleAssignment[]>;
  };
  temporaryAccessPasses: {
    /** Revokes every other pass of the user and stores this one, atomically. */
    replace(pass: TemporaryAccessPass): Promise<void>;
    usableFor(tenantId: string, userId: string, now: Millis): Promise<TemporaryAccessPass | undefined>;
    /** Marks a one-time pass used; false when it was used or revoked meanwhile. */
    markUsed(id: string, at: Millis): Promise<boolean>;
    revokeAll(tenantId: string, userId: string, at: Millis): Promise<void>;
    /** Every pass of the user, usable or not, newest first. */
    listForUser(tenantId: string, userId: string): Promise<TemporaryAccessPass[]>;
    /** Revokes one pass of the tenant; false when there is none that is still unused and unrevoked. */
    revoke(tenantId: string, id: string, at: Millis): Promise<boolean>;
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
    /** A browser (extension) key: stored once per key per tenant, reused after. */
    registerBrowser(device: Device): Promise<Device>;
    /** Is this browser registered for this user (the user trusted it on the phone, or added it with a TAP)? */
    browserRegisteredFor(deviceId: string, userId: string): Promise<boolean>;
    addBrowserUser(deviceId: string, userId: string, at: Millis): Promise<void>;
    /** The browsers registered for a user of the tenant, oldest registration first. */
    browsersOfUser(tenantId: string, userId: string): Promise<Array<{ device: Device; registeredAt: Millis }>>;
    /** Ends the browser's registration for the user; false when it was not registered for them in this tenant. */
    removeBrowserUser(tenantId: string, deviceId: string, userId: string): Promise<boolean>;
    /** Also forgets an outstanding health check: a new subscription starts afresh. */
    setPush(id: string, subscription: PushSubscriptionJson | null, state: PushState): Promise<void>;
    touch(id: string, at: Millis): Promise<void>;
    /** The phones with a registration of the user and the browsers registered for the user, oldest first. */
    listForUser(tenantId: string, userId: string): Promise<Device[]>;
    /**
     * A lost phone or browser: removes the user's registrations on the device and the browser's
     * registration for the user, atomically (other accounts on the device keep theirs). False when
     * the device had nothing of the user's.
     */
    removeForUser(tenantId: string, deviceId: string, userId: string): Promise<boolean>;
    /**
     * A push reached the phone (a sign-in request's receipt or a health check's answer): the last
     * receipt moves forward to `at` (never back), an outstanding health check is answered, and a
     * device flagged `unreachable` that still has a subscription is `subscribed` again.
     */
    recordReceipt(id: string, at: Millis): Promise<void>;
    /**
     * Phones in push state `subscribed` with no health check outstanding whose last receipt is
     * before `receivedBefore` (or that never sent one), oldest receipt first, up to `limit`.
     */
    dueForHealthCheck(receivedBefore: Millis, limit: number): Promise<Device[]>;
    /** Marks a health check sent at `at`, only if none is outstanding (of several relays, one sends). */
    startHealthCheck(id: string, at: Millis): Promise<boolean>;
    /**
     * Every `subscribed` device whose health check, sent at or before `sentBefore`, got no answer
     * is set `unreachable` (its subscription kept: a later receipt clears the flag). Returns them.
     */
    flagUnansweredHealthChecks(sentBefore: Millis): Promise<Device[]>;
  };
  registrations: {
    byId(id: string): Promise<Registration | undefined>;
    byCredentialId(tenantId: string, credentialId: string): Promise<Registration | undefined>;
    listForUser(tenantId: string, userId: string): Promise<Registration[]>;
    listForDevice(deviceId: string): Promise<Registration[]>;
    /** The user's registrations on the device (normally one), oldest first: a keyed read, not the device's whole list. */
    onDeviceForUser(deviceId: string, userId: string): Promise<Registration[]>;
    setPhoneSignIn(id: string, enabled: boolean): Promise<void>;
    /** Stores a new sign counter only if it is still the one read (compare-and-set). */
    updateCounter(id: string, expected: number, next: number, usedAt: Millis): Promise<boolean>;
    /** Records a TOTP step as used only if it is newer than the last one (each code works once). */
    useTotpStep(id: string, step: number, usedAt: Millis): Promise<boolean>;
    delete(id: string): Promise<void>;
    /**
     * The registration with its device, in one read (an answer checks the device's signature on the
     * registration it names); `device` is undefined if the device row is gone.
     */
    byIdWithDevice(id: string): Promise<RegistrationWithDevice | undefined>;
    /** `listForUser`, each registration with its device, in one read (a new request's phones, and their push subscriptions). */
    listForUserWithDevices(tenantId: string, userId: string): Promise<RegistrationWithDevice[]>;
  };
  signInRequests: {
    /**
     * Stores a new request as it is (status `pending` or `cool_down`), with its audit record (if
     * given) in the same transaction; nothing else changes.
     */
    create(request: SignInRequest, audit?: AuditEvent): Promise<void>;
    byId(id: string): Promise<SignInRequest | undefined>;
    /**
     * What a phone's signed call about one request reads, in one read: the device (as
     * `devices.byId`, undefined when there is none: the call's signature is checked on its key),
     * the request (undefined when there is none), this device's registrations of the request's
     * user (as `registrations.onDeviceForUser`: oldest first; none for a request without a user
     * or no request), and the request's tenant (undefined if it is gone or there is no request).
     */
    forDevice(
      requestId: string,
      deviceId: string,
    ): Promise<{
      device: Device | undefined;
      request: SignInRequest | undefined;
      registrations: Registration[];
      tenant: Tenant | undefined;
    }>;
    /**
     * What a phone's answer checks, in one read: the request, the registration the answer names
     * with its device (undefined when there is no registration of that id, whoever's it is; its
     * `device` undefined when the device row is gone, as `registrations.byIdWithDevice`), and the
     * request's user as stored now (undefined for a request without a user, or a user gone).
     * Undefined when there is no such request.
     */
    forAnswer(requestId: string, registrationId: string): Promise<RequestForAnswer | undefined>;
    /**
     * What a redeem checks, in one read: the request, and its user as stored now with the user's
     * tenant (as `users.byIdWithTenant`; undefined for a request without a user, or a user or
     * tenant gone). Undefined when there is no such request.
     */
    forRedeem(requestId: string): Promise<{ request: SignInRequest; owner: { user: User; tenant: Tenant } | undefined } | undefined>;
    /**
     * What a new request for `username` in the tenant named `tenantName` needs, in one read, the
     * same work for a name that is no user: the tenant (as `tenants.byName`), the user, the
     * tenant's policy, and the user's groups and registrations with devices (as `users.byName`,
     * `policies.get`, `groups.groupIdsOf` and `registrations.listForUserWithDevices`).
     */
    subjectFor(tenantName: string, username: string): Promise<SignInSubject>;
    /** Pending requests for a username (decoys included, so the cap looks the same for unknown users). */
    countPending(tenantId: string, username: string, now: Millis): Promise<number>;
    /** Denials and reports of the user since a moment, newest first (their answer times). */
    denialsSince(tenantId: string, userId: string, since: Millis): Promise<Millis[]>;
    /** Deliverable requests of the user still pending and unexpired at `now`, oldest first. */
    pendingForUser(tenantId: string, userId: string, now: Millis): Promise<SignInRequest[]>;
    /**
     * Every request of this collector key still in status `pending`, whatever its expiry, oldest
     * first: what a newer request from the same browser supersedes. A read only; each is then
     * closed through `transition`.
     */
    pendingForCollector(collectorKey: string): Promise<SignInRequest[]>;
    /**
     * The single-winner step of a request's lifecycle (compare-and-set), with its audit record.
     * It changes the request only when its status is still `from` and, when `from` is `pending`:
     *  - to any status but `expired`, only while it is unexpired (`expiresAt > now`);
     *  - to `expired`, only once it is due (`expiresAt <= now`).
     * The change sets `status` and `reason`, and `answeredAt`/`answeredBy` where given (others
     * keep their value). When it changes the request, `audit` (if given) is appended in the same
     * transaction: the transition and its record are stored together or not at all. Of any
     * number of concurrent calls for one request, from any number of relay processes, at most
     * one wins. Returns the request as stored after the change, or undefined when nothing
     * changed (it was no longer in `from`, or the expiry condition did not hold). A write that
     * fails throws; it is never reported as a win. `effects` are stored in the same transaction, only
     * when the request changed (see TransitionEffects).
     */
    transition(
      id: string,
      from: SignInRequest['status'],
      to: Pick<SignInRequest, 'status' | 'reason'> & { answeredAt?: Millis; answeredBy?: string },
      now: Millis,
      audit?: AuditEvent,
      effects?: TransitionEffects,
    ): Promise<SignInRequest | undefined>;
    /**
     * The earliest `expiresAt` of any request still in status `pending` (in every tenant), or
     * undefined when none is: when the expiry scheduler should next wake. Served by an index.
     */
    nextExpiry(): Promise<Millis | undefined>;
    /**
     * Up to `limit` requests still in status `pending` whose `expiresAt <= now`, earliest expiry
     * first. A read only: the scheduler expires each through `transition`, so several relays
     * reading the same due requests still expire each exactly once.
     */
    dueForExpiry(now: Millis, limit: number): Promise<SignInRequest[]>;
    /**
     * The request reached this device at `at` (its delivery receipt). Idempotent: only the first
     * receipt per device is kept, and only then is `audit` appended, in the same transaction.
     * With `pushReceipt`, the device's receipt (`devices.recordReceipt` at `at`) is stored in that
     * transaction too, first receipt or not. True when this call recorded the delivery.
     * With `signature`, the device's signed input is recorded first in that transaction (as
     * `usedDeviceSignatures.use`); when it was already used, nothing is stored and the answer is
     * `replayed`.
     */
    recordDelivery(
      requestId: string,
      deviceId: string,
      at: Millis,
      audit: AuditEvent,
      pushReceipt?: boolean,
      signature?: SignatureUse,
    ): Promise<boolean | 'replayed'>;
    /** The devices the request reached, first receipt first. */
    deliveries(requestId: string): Promise<Array<{ deviceId: string; deliveredAt: Millis }>>;
  };
  grants: {
    create(grant: Grant): Promise<void>;
    /** Uses the grant up and returns it, if it was unused and unexpired. */
    take(secretHash: string, now: Millis): Promise<Grant | undefined>;
  };
  oidcClients: {
    upsert(client: OidcClient): Promise<void>;
    get(tenantId: string, clientId: string): Promise<OidcClient | undefined>;
    list(tenantId: string): Promise<OidcClient[]>;
    delete(tenantId: string, clientId: string): Promise<void>;
  };
  oidcRecords: {
    upsert(record: OidcRecord): Promise<void>;
    find(model: string, id: string): Promise<OidcRecord | undefined>;
    findByUid(model: string, uid: string): Promise<OidcRecord | undefined>;
    findByUserCode(model: string, userCode: string): Promise<OidcRecord | undefined>;
    consume(model: string, id: string, at: Millis): Promise<void>;
    destroy(model: string, id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
    /** Ends an account's sign-ins at every client: removes every record (session, grant, token, code) of it. */
    revokeAccount(accountId: string): Promise<void>;
    purgeExpired(now: Millis): Promise<void>;
  };
  /**
   * The limiters' counters (server/limits): consecutive failures per key, and sliding windows of
   * events per key. Kept in storage so they survive restarts and are shared by every relay.
   */
  limits: {
    counter(key: string): Promise<LimitCounter | undefined>;
    /** The counters under these keys, one read for all; a key with no counter is left out. In no particular order. */
    counters(keys: string[]): Promise<LimitCounter[]>;
    /**
     * One more under `subject.key`, only if its count is still `expected` (a missing counter
     * counts 0): compare-and-set, so of concurrent attempts that read the same count exactly one
     * wins. True when this call counted.
     */
    takeAttempt(subject: LimitSubject, expected: number, at: Millis): Promise<boolean>;
    /** One more under `subject.key`, whatever its count; returns the counter after. */
    add(subject: LimitSubject, at: Millis): Promise<LimitCounter>;
    /** These counters start over (a success). */
    clear(keys: string[]): Promise<void>;
    /**
     * Sliding-window admission, atomically over every window: when each has fewer than `limit`
     * events since `since`, one event at `at` is added to each and it answers `admitted` with each
     * window's count since its `since` after the addition (in the order of `windows`); else
     * nothing is added and it names the first full window and its oldest event in the window.
     * Events before a window's `since` are dropped. Of concurrent calls, on any relay, no window
     * ever ends up with more than `limit` events since `since`. With `bump`, an admission also
     * counts one more under that counter's key in the same transaction (as `add`) and answers the
     * counter after; a refusal leaves it alone.
     */
    admit(
      windows: LimitWindow[],
      at: Millis,
      bump?: LimitSubject,
    ): Promise<{ admitted: true; counts: number[]; bumped?: LimitCounter } | { admitted: false; key: string; oldest: Millis }>;
    /** How many events `key` has since `since`, and the oldest of them. */
    count(key: string, since: Millis): Promise<{ count: number; oldest: Millis | null }>;
    /** A user's counters and windows (events per key since `since`), for the admin. */
    forUser(
      tenantId: string,
      username: string,
      since: Millis,
    ): Promise<{ counters: LimitCounter[]; windows: { key: string; kind: string; count: number; oldest: Millis }[] }>;
    /** Removes the user's counters and events of these kinds (an admin reset). */
    resetUser(tenantId: string, username: string, kinds: string[]): Promise<void>;
  };
  /**
   * The replay guard of device-signed calls: each signed input (by device and the input's hash)
   * counts once until its entry expires, across restarts and across relays sharing the store.
   */
  usedDeviceSignatures: {
    /**
     * Records the input as used until `expiresAt`. True for the first use; false while an entry
     * for it is unexpired at `now` (`expiresAt >= now`). Of concurrent calls for one input, from
     * any number of relays, exactly one gets true.
     */
    use(deviceId: string, inputHash: string, expiresAt: Millis, now: Millis): Promise<boolean>;
    /** Removes the entries expired at `now` (`expiresAt < now`) and says how many. */
    prune(now: Millis): Promise<number>;
  };
  /**
   * The secrets the relay must read back (TOTP seeds, OIDC client secrets), as stored: what the
   * start re-seals when a row is in clear (from before sealing) or sealed under an older key.
   * Everyone else reads them through the ordinary methods, unsealed by the relay.
   */
  secretsAtRest: {
    /** Every stored TOTP seed and client secret, in no particular order. */
    list(): Promise<StoredSecret[]>;
    /** Writes `next` in place of the stored value if it is still `secret.value` (compare-and-set). */
    replace(secret: StoredSecret, next: string): Promise<boolean>;
  };
  audit: {
    append(event: AuditEvent): Promise<void>;
    list(filter: AuditFilter): Promise<AuditEvent[]>;
  };
  /**
   * Readiness: the store answers, is at the schema version this relay expects, and takes a
   * write. Throws StorageUnavailableError when it does not (`schema` for a version mismatch).
   */
  ready(now: Millis): Promise<void>;
  close(): Promise<void>;
}
