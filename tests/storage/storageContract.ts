/**
 * The storage contract: what every backend of the relay's `Storage` interface must do, written
 * once and run against each (tests/storage/*Storage.test.ts). Each test gets an empty storage.
 * "At once" means the calls are all started before any is awaited: on PostgreSQL they run on
 * separate pooled connections, so exactly-one-winner is decided by the database, not by luck.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../server/storage/Storage';
import { fatigueLimits } from '../../shared/schemas/policy';
import { StorageUnavailableError } from '../../server/storage/StorageUnavailableError';
import type {
  AdminToken,
  AuditEvent,
  Device,
  EnrollmentCode,
  EnrollmentSession,
  Grant,
  Group,
  LimitSubject,
  OidcClient,
  OidcRecord,
  Registration,
  SignInRequest,
  StoredPolicy,
  TemporaryAccessPass,
  Tenant,
  User,
} from '../../server/storage/model';

export interface StorageBackend {
  name: string;
  /** An empty, migrated storage for one test; the suite closes it afterwards. */
  open(): Promise<Storage>;
}

/** How many callers race for one single-winner operation. */
const racers = 20;
const t0 = 1_700_000_000_000;
const minute = 60_000;
const id = () => randomUUID();
const all = <T>(n: number, call: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => call(i)));
const winners = (results: unknown[]) => results.filter((r) => r !== undefined && r !== false).length;

export const tenantFixture = (name: string, extra: Partial<Tenant> = {}): Tenant => ({
  id: id(),
  name,
  displayName: `${name} Ltd`,
  signInOrigins: [`https://${name}.example`],
  createdAt: t0,
  ...extra,
});

export const userFixture = (tenantId: string, username: string, extra: Partial<User> = {}): User => ({
  id: id(),
  tenantId,
  username,
  displayName: username.split('@')[0],
  kind: 'member',
  blockedAt: null,
  disabledAt: null,
  passwordHash: null,
  lastMethod: null,
  createdAt: t0,
  ...extra,
});

const groupFixture = (tenantId: string, name: string): Group => ({ id: id(), tenantId, name, displayName: name, createdAt: t0 });

const subscription = (n: number) => ({
  endpoint: `https://push.example/send/${n}`,
  expirationTime: null,
  keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) },
});

const deviceFixture = (tenantId: string, extra: Partial<Device> = {}): Device => ({
  id: id(),
  tenantId,
  kind: 'phone',
  name: 'Pixel 8',
  publicKey: { kty: 'EC', crv: 'P-256', x: 'x'.repeat(43), y: 'y'.repeat(43) },
  thumbprint: id(),
  pushSubscription: null,
  pushState: 'none',
  createdAt: t0,
  lastSeenAt: null,
  lastReceiptAt: null,
  healthCheckSentAt: null,
  ...extra,
});

const registrationFixture = (tenantId: string, userId: string, deviceId: string, extra: Partial<Registration> = {}): Registration => ({
  id: id(),
  tenantId,
  userId,
  deviceId,
  credentialId: id(),
  credentialPublicKey: 'pQECAyYgASFYIA',
  signCount: 0,
  transports: ['internal', 'hybrid'],
  backupEligible: true,
  backupState: false,
  phoneSignInEnabled: false,
  totpSecret: 'JBSWY3DPEHPK3PXP',
  totpLastStep: 0,
  createdAt: t0,
  lastUsedAt: null,
  ...extra,
});

export const requestFixture = (tenantId: string, userId: string | null, extra: Partial<SignInRequest> = {}): SignInRequest => ({
  id: id(),
  tenantId,
  userId,
  username: 'alice@contoso.example',
  kind: 'passwordless',
  origin: 'https://portal.contoso.example',
  context: {
    origin: 'https://portal.contoso.example',
    applicationName: 'Contoso Portal',
    browser: 'Chrome on Linux',
    siteCheck: 'unchecked',
  },
  number: 42,
  nonce: id(),
  collectorHash: id(),
  collectorKey: null,
  browserDeviceId: null,
  status: 'pending',
  reason: null,
  deliverable: true,
  collectorKnown: false,
  createdAt: t0,
  expiresAt: t0 + 2 * minute,
  answeredAt: null,
  answeredBy: null,
  ip: '192.0.2.7',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
  firstFactor: null,
  ...extra,
});

const grantFixture = (tenantId: string, userId: string, extra: Partial<Grant> = {}): Grant => ({
  id: id(),
  secretHash: id(),
  tenantId,
  userId,
  requestId: null,
  method: 'phone_sign_in',
  amr: ['pop', 'mfa'],
  createdAt: t0,
  expiresAt: t0 + minute,
  usedAt: null,
  ...extra,
});

const passFixture = (tenantId: string, userId: string, extra: Partial<TemporaryAccessPass> = {}): TemporaryAccessPass => ({
  id: id(),
  tenantId,
  userId,
  secretHash: id(),
  oneTime: true,
  createdAt: t0,
  expiresAt: t0 + 60 * minute,
  usedAt: null,
  revokedAt: null,
  ...extra,
});

const sessionFixture = (tenantId: string, userId: string, extra: Partial<EnrollmentSession> = {}): EnrollmentSession => ({
  id: id(),
  tenantId,
  userId,
  challenge: id(),
  via: 'temporary_access_pass',
  passId: null,
  expiresAt: t0 + 10 * minute,
  ...extra,
});
const codeFixture = (tenantId: string, userId: string, extra: Partial<EnrollmentCode> = {}): EnrollmentCode => ({
  id: id(),
  tenantId,
  userId,
  secretHash: id(),
  expiresAt: t0 + 10 * minute,
  usedAt: null,
  ...extra,
});

export const auditFixture = (tenantId: string, extra: Partial<AuditEvent> = {}): AuditEvent => ({
  id: id(),
  tenantId,
  at: t0,
  type: 'sign_in',
  outcome: 'success',
  reason: null,
  userId: null,
  username: 'alice@contoso.example',
  deviceId: null,
  method: 'phone_sign_in',
  origin: 'https://portal.contoso.example',
  ip: '192.0.2.7',
  userAgent: 'Mozilla/5.0',
  location: 'Seattle, Washington, United States',
  detail: null,
  ...extra,
});

const policyFixture = (updatedAt: number, extra: Partial<StoredPolicy> = {}): StoredPolicy => ({
  enabled: true,
  includeTargets: [{ kind: 'all_users', mode: 'any' }],
  excludeTargets: [],
  showApplicationName: true,
  showLocation: false,
  requireRegisteredBrowser: false,
  limits: { ...fatigueLimits.parse({}), pushesPerUser: 7, lockAfterFailures: 30 },
  updatedAt,
  ...extra,
});

export function storageContract(backend: StorageBackend): void {
  describe(`the ${backend.name} storage keeps the storage contract`, () => {
    let storage: Storage;
    let contoso: Tenant;
    let fabrikam: Tenant;
    let alice: User;
    let bob: User;

    beforeEach(async () => {
      storage = await backend.open();
      contoso = tenantFixture('contoso');
      fabrikam = tenantFixture('fabrikam');
      await storage.tenants.create(contoso);
      await storage.tenants.create(fabrikam);
      alice = userFixture(contoso.id, 'alice@contoso.example');
      bob = userFixture(contoso.id, 'bob@contoso.example');
      await storage.users.create(alice);
      await storage.users.create(bob);
    });
    afterEach(() => storage.close());

    /** A phone of `user` with one registration. */
    const enrolled = async (user: User, extra: Partial<Registration> = {}) =>
      storage.enrollment.complete(deviceFixture(user.tenantId), registrationFixture(user.tenantId, user.id, 'replaced', extra));

    describe('readiness', () => {
      it('a migrated store that takes a write is ready, again and again', async () => {
        await storage.ready(t0);
        await storage.ready(t0 + 1);
        expect(await storage.tenants.byName('contoso')).toEqual(contoso);
      });
    });

    describe('tenants', () => {
      it('are found by name and by id, listed by name, and updated', async () => {
        const adatum = tenantFixture('adatum', { signInOrigins: [] });
        await storage.tenants.create(adatum);
        expect(await storage.tenants.byName('contoso')).toEqual(contoso);
        expect(await storage.tenants.byId(fabrikam.id)).toEqual(fabrikam);
        expect(await storage.tenants.byName('Contoso')).toBeUndefined();
        expect(await storage.tenants.byId(id())).toBeUndefined();
        expect((await storage.tenants.list()).map((t) => t.name)).toEqual(['adatum', 'contoso', 'fabrikam']);
        await storage.tenants.update({
          ...contoso,
          displayName: 'Contoso Européenne ✓',
          signInOrigins: ['https://a.example', 'https://b.example'],
        });
        expect(await storage.tenants.byId(contoso.id)).toEqual({
          ...contoso,
          displayName: 'Contoso Européenne ✓',
          signInOrigins: ['https://a.example', 'https://b.example'],
        });
      });

      it('a second tenant with a name already taken is refused, as the constraint it breaks (not as storage trouble)', async () => {
        const refused = storage.tenants.create(tenantFixture('contoso'));
        await expect(refused).rejects.toThrow();
        await expect(refused).rejects.not.toBeInstanceOf(StorageUnavailableError);
        expect(await storage.tenants.list()).toHaveLength(2);
      });

      it('domains: each belongs to one tenant, found by domain, listed sorted, removed by its own tenant only', async () => {
        expect(await storage.tenants.addDomain(contoso.id, 'contoso.example', t0)).toBe(true);
        expect(await storage.tenants.addDomain(contoso.id, 'contoso-eu.example', t0)).toBe(true);
        expect(await storage.tenants.addDomain(contoso.id, 'contoso.example', t0)).toBe(false);
        expect(await storage.tenants.addDomain(fabrikam.id, 'contoso.example', t0)).toBe(false);
        expect(await storage.tenants.domains(contoso.id)).toEqual(['contoso-eu.example', 'contoso.example']);
        expect(await storage.tenants.domains(fabrikam.id)).toEqual([]);
        expect(await storage.tenants.byDomain('contoso.example')).toEqual(contoso);
        expect(await storage.tenants.byDomain('fabrikam.example')).toBeUndefined();
        expect(await storage.tenants.removeDomain(fabrikam.id, 'contoso.example')).toBe(false);
        expect(await storage.tenants.removeDomain(contoso.id, 'contoso.example')).toBe(true);
        expect(await storage.tenants.removeDomain(contoso.id, 'contoso.example')).toBe(false);
        expect(await storage.tenants.byDomain('contoso.example')).toBeUndefined();
        expect(await storage.tenants.addDomain(fabrikam.id, 'contoso.example', t0)).toBe(true);
        expect(await storage.tenants.byDomain('contoso.example')).toEqual(fabrikam);
      });

      it(`a domain claimed by ${racers} tenants at once goes to exactly one`, async () => {
        const tenants = await all(racers, async (i) => {
          const tenant = tenantFixture(`racer${i}`);
          await storage.tenants.create(tenant);
          return tenant;
        });
        const results = await all(racers, (i) => storage.tenants.addDomain(tenants[i].id, 'shared.example', t0));
        expect(winners(results)).toBe(1);
      });
    });

    describe('users', () => {
      it('are read with their tenant in one call, only within it', async () => {
        expect(await storage.users.byIdWithTenant(contoso.id, alice.id)).toEqual({ user: alice, tenant: contoso });
        const carol = userFixture(fabrikam.id, 'carol@fabrikam.example', { blockedAt: t0 + 5 });
        await storage.users.create(carol);
        expect(await storage.users.byIdWithTenant(fabrikam.id, carol.id)).toEqual({ user: carol, tenant: fabrikam });
        expect(await storage.users.byIdWithTenant(fabrikam.id, alice.id)).toBeUndefined();
        expect(await storage.users.byIdWithTenant(contoso.id, 'no such user')).toBeUndefined();
        expect(await storage.users.byIdWithTenant(contoso.id, '\u0000')).toBeUndefined();
      });

      it('are found by name and id within their tenant only, and listed by username', async () => {
        expect(await storage.users.byName(contoso.id, 'alice@contoso.example')).toEqual(alice);
        expect(await storage.users.byId(contoso.id, bob.id)).toEqual(bob);
        expect(await storage.users.byName(fabrikam.id, 'alice@contoso.example')).toBeUndefined();
        expect(await storage.users.byId(fabrikam.id, alice.id)).toBeUndefined();
        const aaron = userFixture(contoso.id, 'aaron@contoso.example', { kind: 'guest', passwordHash: 'scrypt$1$2', blockedAt: t0 + 5 });
        await storage.users.create(aaron);
        expect(await storage.users.byId(contoso.id, aaron.id)).toEqual(aaron);
        expect((await storage.users.list(contoso.id)).map((u) => u.username)).toEqual([
          'aaron@contoso.example',
          'alice@contoso.example',
          'bob@contoso.example',
        ]);
        expect(await storage.users.list(fabrikam.id)).toEqual([]);
      });

      it('a username is unique within a tenant, not across tenants', async () => {
        await expect(storage.users.create(userFixture(contoso.id, 'alice@contoso.example'))).rejects.toThrow();
        const other = userFixture(fabrikam.id, 'alice@contoso.example');
        await storage.users.create(other);
        expect(await storage.users.byName(fabrikam.id, 'alice@contoso.example')).toEqual(other);
      });

      it('an update changes what may change, and only in the user’s own tenant', async () => {
        const changed: User = { ...alice, displayName: 'Alice Q', kind: 'guest', blockedAt: t0 + 1, passwordHash: 'h', lastMethod: 'push' };
        await storage.users.update(changed);
        expect(await storage.users.byId(contoso.id, alice.id)).toEqual(changed);
        await storage.users.update({ ...changed, tenantId: fabrikam.id, displayName: 'Mallory' });
        expect((await storage.users.byId(contoso.id, alice.id))?.displayName).toBe('Alice Q');
        await storage.users.update({ ...changed, blockedAt: null, passwordHash: null, lastMethod: null });
        expect(await storage.users.byId(contoso.id, alice.id)).toMatchObject({ blockedAt: null, passwordHash: null, lastMethod: null });
      });

      it('deleting a user removes their memberships, passes, registrations and enrollment state, and nothing of others', async () => {
        const sales = groupFixture(contoso.id, 'Sales');
        await storage.groups.create(sales);
        await storage.groups.addMember(contoso.id, sales.id, alice.id);
        await storage.groups.addMember(contoso.id, sales.id, bob.id);
        await storage.temporaryAccessPasses.replace(passFixture(contoso.id, alice.id));
        await storage.temporaryAccessPasses.replace(passFixture(contoso.id, bob.id));
        const alicePhone = await enrolled(alice);
        const bobPhone = await enrolled(bob);
        const session = sessionFixture(contoso.id, alice.id);
        await storage.enrollment.createSession(session);
        const code = codeFixture(contoso.id, alice.id);
        await storage.enrollment.createCode(code);
        const browser = await storage.devices.registerBrowser(deviceFixture(contoso.id, { kind: 'browser' }));
        await storage.devices.addBrowserUser(browser.id, alice.id, t0);

        await storage.users.delete(fabrikam.id, alice.id);
        expect(await storage.users.byId(contoso.id, alice.id)).toEqual(alice);

        await storage.users.delete(contoso.id, alice.id);
        expect(await storage.users.byId(contoso.id, alice.id)).toBeUndefined();
        expect(await storage.groups.members(contoso.id, sales.id)).toEqual([bob]);
        expect(await storage.temporaryAccessPasses.usableFor(contoso.id, alice.id, t0)).toBeUndefined();
        expect(await storage.registrations.byId(alicePhone.registration.id)).toBeUndefined();
        expect(await storage.enrollment.takeSession(session.id)).toBeUndefined();
        expect(await storage.enrollment.takeCode(code.secretHash, t0)).toBeUndefined();
        expect(await storage.devices.browserRegisteredFor(browser.id, alice.id)).toBe(false);

        expect(await storage.temporaryAccessPasses.usableFor(contoso.id, bob.id, t0)).toBeDefined();
        expect(await storage.registrations.byId(bobPhone.registration.id)).toEqual(bobPhone.registration);
      });
    });

    describe('groups', () => {
      it('are found by name and id within their tenant, listed by name byte by byte, and deleted', async () => {
        const groups = ['sales', 'Sales-EU', 'Field', 'field.ops', 'Zeta'].map((name) => groupFixture(contoso.id, name));
        for (const group of groups) await storage.groups.create(group);
        expect(await storage.groups.byName(contoso.id, 'Sales-EU')).toEqual(groups[1]);
        expect(await storage.groups.byName(contoso.id, 'sales-eu')).toBeUndefined();
        expect(await storage.groups.byId(contoso.id, groups[0].id)).toEqual(groups[0]);
        expect(await storage.groups.byId(fabrikam.id, groups[0].id)).toBeUndefined();
        expect(await storage.groups.byName(fabrikam.id, 'sales')).toBeUndefined();
        // Upper case before lower case, as both backends compare bytes.
        expect((await storage.groups.list(contoso.id)).map((g) => g.name)).toEqual(['Field', 'Sales-EU', 'Zeta', 'field.ops', 'sales']);
        await expect(storage.groups.create(groupFixture(contoso.id, 'sales'))).rejects.toThrow();

        await storage.groups.delete(fabrikam.id, groups[0].id);
        expect(await storage.groups.byId(contoso.id, groups[0].id)).toBeDefined();
        await storage.groups.delete(contoso.id, groups[0].id);
        expect(await storage.groups.byId(contoso.id, groups[0].id)).toBeUndefined();
        expect(await storage.groups.list(fabrikam.id)).toEqual([]);
      });

      it('members: added once, listed by username, removed, and never across tenants', async () => {
        const sales = groupFixture(contoso.id, 'Sales');
        const field = groupFixture(contoso.id, 'Field');
        await storage.groups.create(sales);
        await storage.groups.create(field);
        const mallory = userFixture(fabrikam.id, 'mallory@fabrikam.example');
        await storage.users.create(mallory);

        await storage.groups.addMember(contoso.id, sales.id, bob.id);
        await storage.groups.addMember(contoso.id, sales.id, alice.id);
        await storage.groups.addMember(contoso.id, sales.id, alice.id);
        await storage.groups.addMember(contoso.id, field.id, alice.id);
        await storage.groups.addMember(contoso.id, sales.id, mallory.id);
        await storage.groups.addMember(fabrikam.id, sales.id, mallory.id);
        expect(await storage.groups.members(contoso.id, sales.id)).toEqual([alice, bob]);
        expect(await storage.groups.members(fabrikam.id, sales.id)).toEqual([]);
        expect((await storage.groups.groupIdsOf(contoso.id, alice.id)).sort()).toEqual([sales.id, field.id].sort());
        expect(await storage.groups.groupIdsOf(fabrikam.id, alice.id)).toEqual([]);
        expect(await storage.groups.groupIdsOf(fabrikam.id, mallory.id)).toEqual([]);

        await storage.groups.removeMember(fabrikam.id, sales.id, alice.id);
        expect(await storage.groups.members(contoso.id, sales.id)).toEqual([alice, bob]);
        await storage.groups.removeMember(contoso.id, sales.id, alice.id);
        expect(await storage.groups.members(contoso.id, sales.id)).toEqual([bob]);
        expect(await storage.groups.groupIdsOf(contoso.id, alice.id)).toEqual([field.id]);

        await storage.groups.delete(contoso.id, field.id);
        expect(await storage.groups.groupIdsOf(contoso.id, alice.id)).toEqual([]);
      });
    });

    describe('policies', () => {
      it('one per tenant: none at first, saved, replaced', async () => {
        expect(await storage.policies.get(contoso.id)).toBeUndefined();
        const first = policyFixture(t0, {
          includeTargets: [{ kind: 'group', id: id(), mode: 'push' }],
          excludeTargets: [{ kind: 'user', id: id() }],
        });
        await storage.policies.save(contoso.id, first);
        expect(await storage.policies.get(contoso.id)).toEqual(first);
        expect(await storage.policies.get(fabrikam.id)).toBeUndefined();
        const second = policyFixture(t0 + 1, { enabled: false, showLocation: true });
        await storage.policies.save(contoso.id, second);
        expect(await storage.policies.get(contoso.id)).toEqual(second);
      });
    });

    describe('admin tokens', () => {
      it('are found by id, listed per tenant by creation, and revoked once, in their tenant only', async () => {
        const token = (tenantId: string, createdAt: number): AdminToken => ({
          id: id(),
          tenantId,
          role: 'global_administrator',
          secretHash: id(),
          label: 'ops',
          createdAt,
          revokedAt: null,
        });
        const second = token(contoso.id, t0 + 2);
        const first = { ...token(contoso.id, t0 + 1), role: 'authentication_policy_administrator' as const };
        const theirs = token(fabrikam.id, t0);
        for (const t of [second, first, theirs]) await storage.adminTokens.create(t);
        expect(await storage.adminTokens.byId(first.id)).toEqual(first);
        expect(await storage.adminTokens.byId(id())).toBeUndefined();
        expect(await storage.adminTokens.list(contoso.id)).toEqual([first, second]);

        await storage.adminTokens.revoke(fabrikam.id, first.id, t0 + 5);
        expect((await storage.adminTokens.byId(first.id))?.revokedAt).toBeNull();
        await storage.adminTokens.revoke(contoso.id, first.id, t0 + 5);
        await storage.adminTokens.revoke(contoso.id, first.id, t0 + 9);
        expect((await storage.adminTokens.byId(first.id))?.revokedAt).toBe(t0 + 5);
      });
    });

    describe('admin roles', () => {
      it('are assigned once per user and role, listed by role, removed, and never across tenants', async () => {
        const global = { tenantId: contoso.id, userId: alice.id, role: 'global_administrator' as const, createdAt: t0 };
        const helpdesk = { tenantId: contoso.id, userId: alice.id, role: 'helpdesk_administrator' as const, createdAt: t0 + 1 };
        await storage.adminRoles.assign(helpdesk);
        await storage.adminRoles.assign(global);
        await storage.adminRoles.assign({ ...global, createdAt: t0 + 9 });
        expect(await storage.adminRoles.forUser(contoso.id, alice.id)).toEqual([global, helpdesk]);
        expect(await storage.adminRoles.forUser(fabrikam.id, alice.id)).toEqual([]);
        expect(await storage.adminRoles.forUser(contoso.id, bob.id)).toEqual([]);
        await storage.adminRoles.remove(fabrikam.id, alice.id, 'global_administrator');
        await storage.adminRoles.remove(contoso.id, alice.id, 'global_administrator');
        expect(await storage.adminRoles.forUser(contoso.id, alice.id)).toEqual([helpdesk]);
      });
    });

    describe('Temporary Access Passes', () => {
      it('a new pass revokes every other pass of the user; the usable one is unrevoked, unused and unexpired', async () => {
        const old = passFixture(contoso.id, alice.id, { oneTime: false });
        await storage.temporaryAccessPasses.replace(old);
        expect(await storage.temporaryAccessPasses.usableFor(contoso.id, alice.id, t0)).toEqual(old);
        const fresh = passFixture(contoso.id, alice.id, { createdAt: t0 + 1 });
        await storage.temporaryAccessPasses.replace(fresh);
        expect(await storage.temporaryAccessPasses.usableFor(contoso.id, alice.id, t0 + 2)).toEqual(fresh);
        expect(await storage.temporaryAccessPasses.markUsed(old.id, t0 + 2)).toBe(false);
        expect(await storage.temporaryAccessPasses.usableFor(fabrikam.id, alice.id, t0 + 2)).toBeUndefined();
        expect(await storage.temporaryAccessPasses.usableFor(contoso.id, alice.id, fresh.expiresAt)).toBeUndefined();

        await storage.temporaryAccessPasses.replace(passFixture(contoso.id, bob.id));
        await storage.temporaryAccessPasses.revokeAll(contoso.id, alice.id, t0 + 3);
        expect(await storage.temporaryAccessPasses.usableFor(contoso.id, alice.id, t0 + 3)).toBeUndefined();
        expect(await storage.temporaryAccessPasses.markUsed(fresh.id, t0 + 3)).toBe(false);
        expect(await storage.temporaryAccessPasses.usableFor(contoso.id, bob.id, t0 + 3)).toBeDefined();
      });

      it(`a pass is used once: ${racers} markUsed at once, one true`, async () => {
        const pass = passFixture(contoso.id, alice.id);
        await storage.temporaryAccessPasses.replace(pass);
        const results = await all(racers, (i) => storage.temporaryAccessPasses.markUsed(pass.id, t0 + i));
        expect(winners(results)).toBe(1);
        expect(await storage.temporaryAccessPasses.usableFor(contoso.id, alice.id, t0)).toBeUndefined();
        expect(await storage.temporaryAccessPasses.markUsed(pass.id, t0 + 100)).toBe(false);
      });

      it('passes issued at once for one user leave exactly one usable', async () => {
        const passes = Array.from({ length: 10 }, (_, i) => passFixture(contoso.id, alice.id, { createdAt: t0 + i }));
        await Promise.all(passes.map((pass) => storage.temporaryAccessPasses.replace(pass)));
        const usable = await storage.temporaryAccessPasses.usableFor(contoso.id, alice.id, t0 + 20);
        expect(usable).toBeDefined();
        const stillUsable = await all(passes.length, (i) => storage.temporaryAccessPasses.markUsed(passes[i].id, t0 + 30));
        expect(winners(stillUsable)).toBe(1);
      });
    });

    describe('enrollment', () => {
      it(`a session is finished once: ${racers} takeSession at once, one gets it`, async () => {
        const passId = id();
        const bySession = sessionFixture(contoso.id, alice.id, { passId });
        const byCode = sessionFixture(contoso.id, bob.id, { via: 'enrollment_code' });
        await storage.enrollment.createSession(bySession);
        await storage.enrollment.createSession(byCode);
        const results = await all(racers, () => storage.enrollment.takeSession(bySession.id));
        expect(winners(results)).toBe(1);
        expect(results.find(Boolean)).toEqual(bySession);
        expect(await storage.enrollment.takeSession(bySession.id)).toBeUndefined();
        expect(await storage.enrollment.takeSession(byCode.id)).toEqual(byCode);
        expect(await storage.enrollment.takeSession(id())).toBeUndefined();
      });

      it(`a code is used once and not after it expires: ${racers} takeCode at once, one gets it`, async () => {
        const code = codeFixture(contoso.id, alice.id);
        const expired = codeFixture(contoso.id, bob.id, { expiresAt: t0 });
        await storage.enrollment.createCode(code);
        await storage.enrollment.createCode(expired);
        expect(await storage.enrollment.takeCode(expired.secretHash, t0)).toBeUndefined();
        const results = await all(racers, (i) => storage.enrollment.takeCode(code.secretHash, t0 + i));
        expect(winners(results)).toBe(1);
        const taken = results.find(Boolean)!;
        expect(taken).toEqual({ ...code, usedAt: taken.usedAt });
        expect(taken.usedAt).toBeGreaterThanOrEqual(t0);
        expect(await storage.enrollment.takeCode(code.secretHash, t0 + 100)).toBeUndefined();
      });

      it('completing stores the device and the registration; the same key again reuses the device and replaces the registration', async () => {
        const phone = deviceFixture(contoso.id);
        const first = await storage.enrollment.complete(phone, registrationFixture(contoso.id, alice.id, phone.id));
        expect(first.device).toEqual(phone);
        expect(await storage.devices.byId(phone.id)).toEqual(phone);
        expect(await storage.registrations.byId(first.registration.id)).toEqual(first.registration);

        // Reinstalled app, same key: a new device id and registration arrive; the stored device stays.
        const again = deviceFixture(contoso.id, {
          thumbprint: phone.thumbprint,
          name: 'Pixel 8 Pro',
          pushSubscription: subscription(1),
          pushState: 'subscribed',
          createdAt: t0 + 5,
        });
        const second = await storage.enrollment.complete(again, registrationFixture(contoso.id, alice.id, again.id, { createdAt: t0 + 5 }));
        const refreshed: Device = {
          ...phone,
          name: 'Pixel 8 Pro',
          pushSubscription: subscription(1),
          pushState: 'subscribed',
          lastSeenAt: t0 + 5,
        };
        expect(second.device).toEqual(refreshed);
        expect(second.registration.deviceId).toBe(phone.id);
        expect(await storage.devices.byId(phone.id)).toEqual(refreshed);
        expect(await storage.devices.byId(again.id)).toBeUndefined();
        expect(await storage.registrations.byId(first.registration.id)).toBeUndefined();
        expect(await storage.registrations.listForUser(contoso.id, alice.id)).toEqual([second.registration]);

        // Without a subscription, the stored one stays; another account on the phone adds a registration.
        const third = await storage.enrollment.complete(
          deviceFixture(contoso.id, { thumbprint: phone.thumbprint, createdAt: t0 + 9 }),
          registrationFixture(contoso.id, bob.id, 'x', { createdAt: t0 + 9 }),
        );
        expect(third.device).toEqual({ ...refreshed, name: 'Pixel 8', lastSeenAt: t0 + 9 });
        expect((await storage.registrations.listForDevice(phone.id)).map((r) => r.userId)).toEqual([alice.id, bob.id]);
        // One account's registrations on the phone, by key: the other account's are not read.
        expect(await storage.registrations.onDeviceForUser(phone.id, bob.id)).toEqual([third.registration]);
        expect((await storage.registrations.onDeviceForUser(phone.id, alice.id)).map((r) => r.userId)).toEqual([alice.id]);
        expect(await storage.registrations.onDeviceForUser('no such device', alice.id)).toEqual([]);
      });

      it('enrolling one phone for one account several times at once leaves one device and one registration', async () => {
        const thumbprint = id();
        const results = await all(8, (i) =>
          storage.enrollment.complete(
            deviceFixture(contoso.id, { thumbprint, createdAt: t0 + i }),
            registrationFixture(contoso.id, alice.id, 'x', { createdAt: t0 + i }),
          ),
        );
        expect(new Set(results.map((r) => r.device.id)).size).toBe(1);
        expect(await storage.registrations.listForUser(contoso.id, alice.id)).toHaveLength(1);
      });
    });

    describe('devices', () => {
      it('a browser key is stored once per tenant; at once, every caller gets the same device', async () => {
        const key = deviceFixture(contoso.id, { kind: 'browser', name: 'Chrome on Linux' });
        const results = await all(racers, (i) => storage.devices.registerBrowser({ ...key, id: id(), createdAt: t0 + i }));
        expect(new Set(results.map((d) => d.id)).size).toBe(1);
        const stored = await storage.devices.byId(results[0].id);
        expect(stored).toEqual(results[0]);
        expect(stored).toMatchObject({ kind: 'browser', thumbprint: key.thumbprint, pushSubscription: null });
        expect(await storage.devices.registerBrowser({ ...key, id: id(), name: 'renamed' })).toEqual(stored);
        const elsewhere = await storage.devices.registerBrowser({ ...key, id: id(), tenantId: fabrikam.id });
        expect(elsewhere.id).not.toBe(stored!.id);
        expect(elsewhere.tenantId).toBe(fabrikam.id);
      });

      it('a browser is registered for the users added to it, once each', async () => {
        const browser = await storage.devices.registerBrowser(deviceFixture(contoso.id, { kind: 'browser' }));
        expect(await storage.devices.browserRegisteredFor(browser.id, alice.id)).toBe(false);
        await storage.devices.addBrowserUser(browser.id, alice.id, t0);
        await storage.devices.addBrowserUser(browser.id, alice.id, t0 + 1);
        expect(await storage.devices.browserRegisteredFor(browser.id, alice.id)).toBe(true);
        expect(await storage.devices.browserRegisteredFor(browser.id, bob.id)).toBe(false);
      });

      it('a user’s browsers are listed with when each was registered, and removed only within the tenant', async () => {
        const first = await storage.devices.registerBrowser(deviceFixture(contoso.id, { kind: 'browser', name: 'Chrome on Linux' }));
        const second = await storage.devices.registerBrowser(deviceFixture(contoso.id, { kind: 'browser', name: 'Firefox on Windows' }));
        await storage.devices.addBrowserUser(second.id, alice.id, t0 + 5);
        await storage.devices.addBrowserUser(first.id, alice.id, t0);
        await storage.devices.addBrowserUser(first.id, bob.id, t0);
        expect(await storage.devices.browsersOfUser(contoso.id, alice.id)).toEqual([
          { device: first, registeredAt: t0 },
          { device: second, registeredAt: t0 + 5 },
        ]);
        expect(await storage.devices.browsersOfUser(fabrikam.id, alice.id)).toEqual([]);
        expect(await storage.devices.removeBrowserUser(fabrikam.id, first.id, alice.id)).toBe(false);
        expect(await storage.devices.removeBrowserUser(contoso.id, first.id, alice.id)).toBe(true);
        expect(await storage.devices.removeBrowserUser(contoso.id, first.id, alice.id)).toBe(false);
        expect(await storage.devices.browserRegisteredFor(first.id, alice.id)).toBe(false);
        expect(await storage.devices.browserRegisteredFor(first.id, bob.id)).toBe(true);
        expect((await storage.devices.browsersOfUser(contoso.id, alice.id)).map((b) => b.device.id)).toEqual([second.id]);
      });

      it('push subscription and state are set and cleared; touch records when the device was last seen', async () => {
        const { device } = await enrolled(alice);
        await storage.devices.setPush(device.id, subscription(7), 'subscribed');
        expect(await storage.devices.byId(device.id)).toMatchObject({ pushSubscription: subscription(7), pushState: 'subscribed' });
        await storage.devices.setPush(device.id, null, 'unreachable');
        expect(await storage.devices.byId(device.id)).toMatchObject({ pushSubscription: null, pushState: 'unreachable' });
        await storage.devices.touch(device.id, t0 + 42);
        expect((await storage.devices.byId(device.id))?.lastSeenAt).toBe(t0 + 42);
        expect(await storage.devices.byId(id())).toBeUndefined();
      });

      it('a receipt moves the last receipt forward only, answers the health check and clears the unreachable flag', async () => {
        const { device } = await enrolled(alice);
        expect(await storage.devices.byId(device.id)).toMatchObject({ lastReceiptAt: null, healthCheckSentAt: null });
        await storage.devices.setPush(device.id, subscription(1), 'subscribed');
        expect(await storage.devices.startHealthCheck(device.id, t0 + 5)).toBe(true);
        expect(await storage.devices.flagUnansweredHealthChecks(t0 + 5)).toEqual([
          expect.objectContaining({ id: device.id, pushState: 'unreachable', pushSubscription: subscription(1) }),
        ]);
        await storage.devices.recordReceipt(device.id, t0 + 20);
        await storage.devices.recordReceipt(device.id, t0 + 10);
        expect(await storage.devices.byId(device.id)).toMatchObject({
          lastReceiptAt: t0 + 20,
          healthCheckSentAt: null,
          pushState: 'subscribed',
        });
        // Without a subscription a receipt cannot make a device reachable.
        await storage.devices.setPush(device.id, null, 'unreachable');
        await storage.devices.recordReceipt(device.id, t0 + 30);
        expect(await storage.devices.byId(device.id)).toMatchObject({ lastReceiptAt: t0 + 30, pushState: 'unreachable' });
      });

      it(`health checks go to subscribed phones without a recent receipt; ${racers} relays starting one at once, one sends`, async () => {
        const quiet = (await enrolled(alice)).device;
        const recent = (await enrolled(bob)).device;
        const unsubscribed = (await enrolled(alice)).device;
        const browser = await storage.devices.registerBrowser(deviceFixture(contoso.id, { kind: 'browser' }));
        for (const d of [quiet, recent]) await storage.devices.setPush(d.id, subscription(d === quiet ? 1 : 2), 'subscribed');
        await storage.devices.recordReceipt(recent.id, t0 + 100);
        expect((await storage.devices.dueForHealthCheck(t0 + 100, 10)).map((d) => d.id)).toEqual([quiet.id]);
        expect((await storage.devices.dueForHealthCheck(t0 + 101, 10)).map((d) => d.id)).toEqual([quiet.id, recent.id]);
        expect(await storage.devices.dueForHealthCheck(t0 + 101, 1)).toHaveLength(1);
        expect([unsubscribed.id, browser.id]).not.toContain((await storage.devices.dueForHealthCheck(t0 + 101, 10))[0].id);

        const results = await all(racers, (i) => storage.devices.startHealthCheck(quiet.id, t0 + 200 + i));
        expect(winners(results)).toBe(1);
        expect((await storage.devices.byId(quiet.id))?.healthCheckSentAt).toBe(t0 + 200 + results.indexOf(true));
        // One outstanding: not due again, and not flagged before its time.
        expect((await storage.devices.dueForHealthCheck(t0 + 500, 10)).map((d) => d.id)).toEqual([recent.id]);
        expect(await storage.devices.flagUnansweredHealthChecks(t0 + 199)).toEqual([]);
        expect((await storage.devices.byId(quiet.id))?.pushState).toBe('subscribed');
        expect((await storage.devices.flagUnansweredHealthChecks(t0 + 300)).map((d) => d.id)).toEqual([quiet.id]);
        expect(await storage.devices.flagUnansweredHealthChecks(t0 + 300)).toEqual([]);
        // A new subscription starts afresh.
        await storage.devices.setPush(quiet.id, subscription(3), 'subscribed');
        expect(await storage.devices.byId(quiet.id)).toMatchObject({ healthCheckSentAt: null, pushState: 'subscribed' });
      });
    });

    describe('registrations', () => {
      it('are found by id and by credential id within the tenant, listed per user and per device, switched and deleted', async () => {
        const a = await enrolled(alice, { createdAt: t0 + 1, signCount: 2 ** 32 - 1, totpLastStep: 60_000_000 });
        const b = await storage.enrollment.complete(
          deviceFixture(contoso.id),
          registrationFixture(contoso.id, alice.id, 'x', { createdAt: t0 + 2, transports: [] }),
        );
        expect(await storage.registrations.byId(a.registration.id)).toEqual(a.registration);
        expect(await storage.registrations.byCredentialId(contoso.id, b.registration.credentialId)).toEqual(b.registration);
        expect(await storage.registrations.byCredentialId(fabrikam.id, b.registration.credentialId)).toBeUndefined();
        expect(await storage.registrations.listForUser(contoso.id, alice.id)).toEqual([a.registration, b.registration]);
        expect(await storage.registrations.listForUser(fabrikam.id, alice.id)).toEqual([]);
        expect(await storage.registrations.listForDevice(a.device.id)).toEqual([a.registration]);

        await storage.registrations.setPhoneSignIn(a.registration.id, true);
        expect((await storage.registrations.byId(a.registration.id))?.phoneSignInEnabled).toBe(true);
        await storage.registrations.setPhoneSignIn(a.registration.id, false);
        expect((await storage.registrations.byId(a.registration.id))?.phoneSignInEnabled).toBe(false);

        await storage.registrations.delete(a.registration.id);
        expect(await storage.registrations.byId(a.registration.id)).toBeUndefined();
        expect(await storage.registrations.listForUser(contoso.id, alice.id)).toEqual([b.registration]);
      });

      it("are read with their devices in one call (one, or the user's), each device as devices.byId reads it", async () => {
        const a = await enrolled(alice, { createdAt: t0 + 1, signCount: 7 });
        const b = await storage.enrollment.complete(
          deviceFixture(contoso.id),
          registrationFixture(contoso.id, alice.id, 'x', { createdAt: t0 + 2, transports: [] }),
        );
        await storage.devices.setPush(a.device.id, subscription(1), 'subscribed');
        await storage.devices.recordReceipt(a.device.id, t0 + 5);
        await storage.devices.startHealthCheck(a.device.id, t0 + 6);
        const device = await storage.devices.byId(a.device.id);
        expect(device).toMatchObject({ lastReceiptAt: t0 + 5, healthCheckSentAt: t0 + 6, pushSubscription: subscription(1) });
        expect(await storage.registrations.byIdWithDevice(a.registration.id)).toEqual({ registration: a.registration, device });
        expect(await storage.registrations.byIdWithDevice(b.registration.id)).toEqual({
          registration: b.registration,
          device: await storage.devices.byId(b.device.id),
        });
        expect(await storage.registrations.byIdWithDevice('no such registration')).toBeUndefined();
        expect(await storage.registrations.byIdWithDevice('\u0000')).toBeUndefined();
        // The user's, as listForUser lists them, each with its device.
        const [deviceA, deviceB] = [device, await storage.devices.byId(b.device.id)];
        expect(await storage.registrations.listForUserWithDevices(contoso.id, alice.id)).toEqual([
          { registration: a.registration, device: deviceA },
          { registration: b.registration, device: deviceB },
        ]);
        expect(await storage.registrations.listForUserWithDevices(fabrikam.id, alice.id)).toEqual([]);
        expect(await storage.registrations.listForUserWithDevices(contoso.id, bob.id)).toEqual([]);
      });

      it(`the sign counter moves only from the value read: ${racers} updates from the same value at once, one wins`, async () => {
        const { registration } = await enrolled(alice, { signCount: 5 });
        expect(await storage.registrations.updateCounter(registration.id, 4, 9, t0)).toBe(false);
        const results = await all(racers, (i) => storage.registrations.updateCounter(registration.id, 5, 6 + i, t0 + i));
        expect(winners(results)).toBe(1);
        const winner = results.indexOf(true);
        expect(await storage.registrations.byId(registration.id)).toMatchObject({ signCount: 6 + winner, lastUsedAt: t0 + winner });
      });

      it(`a TOTP step is used once and only forward: ${racers} uses of one step at once, one wins`, async () => {
        const { registration } = await enrolled(alice, { totpLastStep: 100 });
        expect(await storage.registrations.useTotpStep(registration.id, 100, t0)).toBe(false);
        expect(await storage.registrations.useTotpStep(registration.id, 99, t0)).toBe(false);
        const results = await all(racers, (i) => storage.registrations.useTotpStep(registration.id, 101, t0 + i));
        expect(winners(results)).toBe(1);
        expect(await storage.registrations.byId(registration.id)).toMatchObject({ totpLastStep: 101 });
        expect(await storage.registrations.useTotpStep(registration.id, 103, t0 + 50)).toBe(true);
        expect(await storage.registrations.useTotpStep(registration.id, 102, t0 + 51)).toBe(false);
        expect(await storage.registrations.byId(registration.id)).toMatchObject({ totpLastStep: 103, lastUsedAt: t0 + 50 });
      });
    });

    describe('sign-in requests', () => {
      /** The pending request closed the way the relay closes it (status and answer time). */
      const answer = (r: SignInRequest, status: SignInRequest['status'], at: number, audit?: AuditEvent) =>
        storage.signInRequests.transition(r.id, 'pending', { status, reason: null, answeredAt: at }, at, audit);
      const auditsOf = async (requestId: string) =>
        (await storage.audit.list({ tenantId: contoso.id, limit: 1000 })).filter((e) => e.detail?.requestId === requestId);

      it('a request is stored with its audit record, or neither is', async () => {
        const r = requestFixture(contoso.id, alice.id);
        const record = auditFixture(contoso.id, { type: 'sign_in_request.created', detail: { requestId: r.id } });
        await storage.signInRequests.create(r, record);
        expect(await storage.signInRequests.byId(r.id)).toEqual(r);
        expect(await storage.audit.list({ tenantId: contoso.id, type: 'sign_in_request.created', limit: 10 })).toEqual([record]);
        // The record's id is taken: the request is not stored either.
        const clash = requestFixture(contoso.id, alice.id);
        await expect(storage.signInRequests.create(clash, { ...record, detail: { requestId: clash.id } })).rejects.toThrow();
        expect(await storage.signInRequests.byId(clash.id)).toBeUndefined();
      });

      it("are read with one device (the signed call's key), its registrations of their user (oldest first, only that device's and that user's) and their tenant", async () => {
        const phone = await enrolled(alice, { createdAt: t0 + 1 });
        // A second account of another user on the same phone, and another phone of alice's.
        const second = await storage.enrollment.complete(
          { ...deviceFixture(contoso.id), thumbprint: phone.device.thumbprint },
          registrationFixture(contoso.id, bob.id, 'b', { createdAt: t0 + 2 }),
        );
        expect(second.device.id).toBe(phone.device.id);
        const other = await enrolled(alice, { createdAt: t0 + 3 });
        const [phoneDevice, otherDevice] = [await storage.devices.byId(phone.device.id), await storage.devices.byId(other.device.id)];
        expect(phoneDevice).toMatchObject({ id: phone.device.id, publicKey: phone.device.publicKey });
        const r = requestFixture(contoso.id, alice.id);
        await storage.signInRequests.create(r);
        expect(await storage.signInRequests.forDevice(r.id, phone.device.id)).toEqual({
          device: phoneDevice,
          request: r,
          registrations: [phone.registration],
          tenant: contoso,
        });
        expect(await storage.signInRequests.forDevice(r.id, other.device.id)).toEqual({
          device: otherDevice,
          request: r,
          registrations: [other.registration],
          tenant: contoso,
        });
        const none = { device: undefined, request: undefined, registrations: [], tenant: undefined };
        expect(await storage.signInRequests.forDevice(r.id, 'no such device')).toEqual({ ...none, request: r, tenant: contoso });
        expect(await storage.signInRequests.forDevice(r.id, '\u0000')).toEqual({ ...none, request: r, tenant: contoso });
        const decoy = requestFixture(contoso.id, null);
        await storage.signInRequests.create(decoy);
        expect(await storage.signInRequests.forDevice(decoy.id, phone.device.id)).toEqual({
          device: phoneDevice,
          request: decoy,
          registrations: [],
          tenant: contoso,
        });
        // A request whose tenant is gone (no such row) is read without one.
        const orphan = requestFixture('no such tenant', alice.id);
        await storage.signInRequests.create(orphan);
        expect(await storage.signInRequests.forDevice(orphan.id, phone.device.id)).toEqual({
          device: phoneDevice,
          request: orphan,
          registrations: [phone.registration],
          tenant: undefined,
        });
        // No such request: the device alone.
        expect(await storage.signInRequests.forDevice('no such request', phone.device.id)).toEqual({ ...none, device: phoneDevice });
        expect(await storage.signInRequests.forDevice('\u0000', phone.device.id)).toEqual({ ...none, device: phoneDevice });
        expect(await storage.signInRequests.forDevice('no such request', 'no such device')).toEqual(none);
      });

      it("a new request's username is read in one call: the tenant by name, the user, the tenant's policy, the user's groups and registrations with devices", async () => {
        const policy = policyFixture(t0, { includeTargets: [{ kind: 'group', id: id(), mode: 'push' }] });
        await storage.policies.save(contoso.id, policy);
        const [sales, support] = [groupFixture(contoso.id, 'Sales'), groupFixture(contoso.id, 'Support')];
        await storage.groups.create(sales);
        await storage.groups.create(support);
        await storage.groups.addMember(contoso.id, sales.id, alice.id);
        await storage.groups.addMember(contoso.id, support.id, alice.id);
        await storage.groups.addMember(contoso.id, support.id, bob.id);
        await enrolled(alice, { createdAt: t0 + 2 });
        await enrolled(alice, { createdAt: t0 + 1 });
        await enrolled(bob, { createdAt: t0 + 3 });
        const subject = await storage.signInRequests.subjectFor(contoso.name, alice.username);
        expect(subject).toEqual({
          tenant: contoso,
          user: alice,
          policy,
          groupIds: expect.arrayContaining([sales.id, support.id]),
          registrations: await storage.registrations.listForUserWithDevices(contoso.id, alice.id),
        });
        expect(subject.groupIds).toHaveLength(2);
        expect(subject.registrations.map((r) => r.registration.createdAt)).toEqual([t0 + 1, t0 + 2]);
        // A name that is no user: the same read, the policy and nothing else; another tenant has its own (none).
        const none = { tenant: contoso, user: undefined, policy, groupIds: [], registrations: [] };
        expect(await storage.signInRequests.subjectFor(contoso.name, 'nobody@contoso.example')).toEqual(none);
        expect(await storage.signInRequests.subjectFor(contoso.name, 'alice\u0000@contoso.example')).toEqual(none);
        expect(await storage.signInRequests.subjectFor(fabrikam.name, alice.username)).toEqual({
          ...none,
          tenant: fabrikam,
          policy: undefined,
        });
        // No tenant of that name (its id is no name): nothing at all.
        const nothing = { ...none, tenant: undefined, policy: undefined };
        for (const name of ['no-such-tenant', contoso.id, 'contoso\u0000']) {
          expect(await storage.signInRequests.subjectFor(name, alice.username)).toEqual(nothing);
        }
      });

      it("are read for an answer with the registration it names (whoever's), that registration's device and the request's user as stored now", async () => {
        const phone = await enrolled(alice, { createdAt: t0 + 1 });
        const bobs = await enrolled(bob, { createdAt: t0 + 2 });
        await storage.devices.setPush(phone.device.id, subscription(1), 'subscribed');
        const r = requestFixture(contoso.id, alice.id);
        await storage.signInRequests.create(r);
        const device = await storage.devices.byId(phone.device.id);
        expect(device?.pushSubscription).toEqual(subscription(1));
        expect(await storage.signInRequests.forAnswer(r.id, phone.registration.id)).toEqual({
          request: r,
          registration: { registration: phone.registration, device },
          user: alice,
        });
        // Another user's registration is read all the same: the answer refuses it.
        expect(await storage.signInRequests.forAnswer(r.id, bobs.registration.id)).toEqual({
          request: r,
          registration: { registration: bobs.registration, device: await storage.devices.byId(bobs.device.id) },
          user: alice,
        });
        expect(await storage.signInRequests.forAnswer(r.id, 'no such registration')).toEqual({ request: r, user: alice });
        // The user as stored now: a report since is seen.
        await storage.users.update({ ...alice, blockedAt: t0 + 9 });
        expect((await storage.signInRequests.forAnswer(r.id, phone.registration.id))?.user).toEqual({ ...alice, blockedAt: t0 + 9 });
        // A decoy has no user; another tenant's user of the same id is not its user.
        const decoy = requestFixture(contoso.id, null);
        await storage.signInRequests.create(decoy);
        expect(await storage.signInRequests.forAnswer(decoy.id, phone.registration.id)).toEqual({
          request: decoy,
          registration: { registration: phone.registration, device },
        });
        const elsewhere = requestFixture(fabrikam.id, alice.id);
        await storage.signInRequests.create(elsewhere);
        expect((await storage.signInRequests.forAnswer(elsewhere.id, phone.registration.id))?.user).toBeUndefined();
        expect(await storage.signInRequests.forAnswer('no such request', phone.registration.id)).toBeUndefined();
        expect(await storage.signInRequests.forAnswer('\u0000', phone.registration.id)).toBeUndefined();
      });

      it('are read for a redeem with their user as stored now and the tenant, as users.byIdWithTenant', async () => {
        const r = requestFixture(contoso.id, alice.id);
        await storage.signInRequests.create(r);
        expect(await storage.signInRequests.forRedeem(r.id)).toEqual({ request: r, owner: { user: alice, tenant: contoso } });
        // The user as stored now: a report since is seen.
        await storage.users.update({ ...alice, blockedAt: t0 + 9 });
        expect(await storage.signInRequests.forRedeem(r.id)).toEqual({
          request: r,
          owner: await storage.users.byIdWithTenant(contoso.id, alice.id),
        });
        expect((await storage.signInRequests.forRedeem(r.id))?.owner?.user.blockedAt).toBe(t0 + 9);
        // A decoy has no user; another tenant's user of the same id is not its user; a user gone is none.
        const decoy = requestFixture(contoso.id, null);
        await storage.signInRequests.create(decoy);
        expect(await storage.signInRequests.forRedeem(decoy.id)).toEqual({ request: decoy, owner: undefined });
        const elsewhere = requestFixture(fabrikam.id, alice.id);
        await storage.signInRequests.create(elsewhere);
        expect(await storage.signInRequests.forRedeem(elsewhere.id)).toEqual({ request: elsewhere, owner: undefined });
        const orphan = requestFixture('no such tenant', alice.id);
        await storage.signInRequests.create(orphan);
        expect(await storage.signInRequests.forRedeem(orphan.id)).toEqual({ request: orphan, owner: undefined });
        await storage.users.delete(contoso.id, alice.id);
        expect(await storage.signInRequests.forRedeem(r.id)).toEqual({ request: r, owner: undefined });
        expect(await storage.signInRequests.forRedeem('no such request')).toBeUndefined();
        expect(await storage.signInRequests.forRedeem('\u0000')).toBeUndefined();
      });

      it('are stored as given, pending or cooling down, and found by id', async () => {
        const request = requestFixture(contoso.id, alice.id, {
          context: {
            origin: 'https://portal.contoso.example',
            location: 'Zürich, CH 🇨🇭',
            siteCheck: 'browser',
            signedBy: { id: 'b1', name: 'Chrome on Linux', registered: true },
          },
          collectorKey: id(),
          browserDeviceId: id(),
          ip: null,
          userAgent: null,
          kind: 'mfa',
          // Its browser knew the user (a first factor): it may learn the delivery stage. A decoy's never.
          firstFactor: 'password',
          collectorKnown: true,
        });
        await storage.signInRequests.create(request);
        expect(await storage.signInRequests.byId(request.id)).toEqual(request);
        expect((await answer(request, 'denied', t0 + 1))?.collectorKnown).toBe(true);
        const decoy = requestFixture(contoso.id, null, { username: 'nobody@contoso.example', deliverable: false });
        const coolingDown = requestFixture(contoso.id, alice.id, { status: 'cool_down', reason: 'too many denials' });
        await storage.signInRequests.create(decoy);
        await storage.signInRequests.create(coolingDown);
        expect(await storage.signInRequests.byId(decoy.id)).toEqual(decoy);
        expect(await storage.signInRequests.byId(coolingDown.id)).toEqual(coolingDown);
        expect(await storage.signInRequests.byId(id())).toBeUndefined();
        await expect(storage.signInRequests.create(request)).rejects.toThrow();
      });

      it('creating a request changes no other: the older pending ones of its browser are listed, oldest first, expired ones too', async () => {
        const key = id();
        const older = requestFixture(contoso.id, alice.id, { collectorKey: key, createdAt: t0 + 1 });
        const oldest = requestFixture(contoso.id, alice.id, { collectorKey: key, createdAt: t0, expiresAt: t0 + 5 });
        const answered = requestFixture(contoso.id, alice.id, { collectorKey: key, createdAt: t0 + 2 });
        const otherBrowser = requestFixture(contoso.id, alice.id, { collectorKey: id() });
        const noBrowser = requestFixture(contoso.id, alice.id);
        for (const r of [older, oldest, answered, otherBrowser, noBrowser]) await storage.signInRequests.create(r);
        await answer(answered, 'denied', t0 + 3);
        const newer = requestFixture(contoso.id, alice.id, { collectorKey: key, createdAt: t0 + 10 });
        await storage.signInRequests.create(newer);
        expect((await storage.signInRequests.byId(older.id))?.status).toBe('pending');
        expect((await storage.signInRequests.pendingForCollector(key)).map((r) => r.id)).toEqual([oldest.id, older.id, newer.id]);
        expect(await storage.signInRequests.pendingForCollector(id())).toEqual([]);
      });

      it('counts a username’s pending, unexpired requests, decoys included; lists a user’s deliverable ones by creation', async () => {
        const later = requestFixture(contoso.id, alice.id, { createdAt: t0 + 2 });
        const earlier = requestFixture(contoso.id, alice.id, { createdAt: t0 + 1 });
        const undeliverable = requestFixture(contoso.id, alice.id, { deliverable: false });
        const expired = requestFixture(contoso.id, alice.id, { expiresAt: t0 + 10 });
        const answered = requestFixture(contoso.id, alice.id);
        const coolingDown = requestFixture(contoso.id, alice.id, { status: 'cool_down' });
        const decoy = requestFixture(contoso.id, null, { username: 'ghost@contoso.example', deliverable: false });
        const elsewhere = requestFixture(fabrikam.id, alice.id);
        for (const r of [later, earlier, undeliverable, expired, answered, coolingDown, decoy, elsewhere]) {
          await storage.signInRequests.create(r);
        }
        await answer(answered, 'approved', t0 + 3);

        const now = t0 + 20;
        expect(await storage.signInRequests.countPending(contoso.id, 'alice@contoso.example', now)).toBe(3);
        expect(await storage.signInRequests.countPending(contoso.id, 'ghost@contoso.example', now)).toBe(1);
        expect(await storage.signInRequests.countPending(contoso.id, 'nobody@contoso.example', now)).toBe(0);
        expect(await storage.signInRequests.countPending(contoso.id, 'alice@contoso.example', t0 + 2 * minute)).toBe(0);
        expect((await storage.signInRequests.pendingForUser(contoso.id, alice.id, now)).map((r) => r.id)).toEqual([earlier.id, later.id]);
        expect(await storage.signInRequests.pendingForUser(contoso.id, alice.id, t0 + 2 * minute)).toEqual([]);
        expect((await storage.signInRequests.pendingForUser(fabrikam.id, alice.id, now)).map((r) => r.id)).toEqual([elsewhere.id]);
      });

      it('lists a user’s denials and reports since a moment, newest first', async () => {
        const answers: [SignInRequest['status'], number][] = [
          ['denied', t0 + 5],
          ['reported', t0 + 9],
          ['approved', t0 + 7],
          ['denied', t0 + 1],
          ['wrong_number', t0 + 8],
        ];
        for (const [status, at] of answers) {
          const r = requestFixture(contoso.id, alice.id);
          await storage.signInRequests.create(r);
          await answer(r, status, at);
        }
        const bobs = requestFixture(contoso.id, bob.id);
        await storage.signInRequests.create(bobs);
        await answer(bobs, 'denied', t0 + 6);

        expect(await storage.signInRequests.denialsSince(contoso.id, alice.id, t0 + 1)).toEqual([t0 + 9, t0 + 5, t0 + 1]);
        expect(await storage.signInRequests.denialsSince(contoso.id, alice.id, t0 + 2)).toEqual([t0 + 9, t0 + 5]);
        expect(await storage.signInRequests.denialsSince(fabrikam.id, alice.id, t0)).toEqual([]);
      });

      it('a transition happens only from the status it names; from pending, an answer only before expiry, expiry only once due', async () => {
        const r = requestFixture(contoso.id, alice.id);
        await storage.signInRequests.create(r);
        const registrationId = id();
        expect(await storage.signInRequests.transition(r.id, 'approved', { status: 'redeemed', reason: null }, t0)).toBeUndefined();
        expect(
          await storage.signInRequests.transition(r.id, 'pending', { status: 'expired', reason: 'late' }, r.expiresAt - 1),
        ).toBeUndefined();
        const approved = await storage.signInRequests.transition(
          r.id,
          'pending',
          { status: 'approved', reason: 'ok', answeredAt: t0 + 5, answeredBy: registrationId },
          t0 + 5,
        );
        expect(approved).toEqual({ ...r, status: 'approved', reason: 'ok', answeredAt: t0 + 5, answeredBy: registrationId });
        expect(await storage.signInRequests.byId(r.id)).toEqual(approved);
        expect(await storage.signInRequests.transition(r.id, 'pending', { status: 'denied', reason: null }, t0 + 6)).toBeUndefined();
        expect(await storage.signInRequests.transition(r.id, 'pending', { status: 'expired', reason: null }, r.expiresAt)).toBeUndefined();
        // Leaving a status other than pending keeps when and by whom it was answered unless told otherwise.
        const redeemed = await storage.signInRequests.transition(
          r.id,
          'approved',
          { status: 'redeemed', reason: null },
          r.expiresAt + minute,
        );
        expect(redeemed).toEqual({ ...approved, status: 'redeemed', reason: null });

        const late = requestFixture(contoso.id, alice.id);
        await storage.signInRequests.create(late);
        expect(await answer(late, 'approved', late.expiresAt)).toBeUndefined();
        expect((await storage.signInRequests.byId(late.id))?.status).toBe('pending');
        const expired = await storage.signInRequests.transition(
          late.id,
          'pending',
          { status: 'expired', reason: 'nobody answered in time', answeredAt: late.expiresAt },
          late.expiresAt,
        );
        expect(expired).toEqual({ ...late, status: 'expired', reason: 'nobody answered in time', answeredAt: late.expiresAt });
        expect(await storage.signInRequests.transition(id(), 'pending', { status: 'approved', reason: null }, t0)).toBeUndefined();
      });

      it(`${racers} answers to one request at once, each with its audit record: exactly one wins, and only its record is stored`, async () => {
        const r = requestFixture(contoso.id, alice.id);
        await storage.signInRequests.create(r);
        const statuses = ['approved', 'denied', 'reported', 'wrong_number', 'cancelled'] as const;
        const audits = Array.from({ length: racers }, (_, i) =>
          auditFixture(contoso.id, { outcome: statuses[i % 5], detail: { requestId: r.id, i } }),
        );
        const results = await all(racers, (i) =>
          storage.signInRequests.transition(
            r.id,
            'pending',
            { status: statuses[i % statuses.length], reason: `answer ${i}`, answeredAt: t0 + i, answeredBy: `registration ${i}` },
            t0 + 1,
            audits[i],
          ),
        );
        expect(winners(results)).toBe(1);
        const winner = results.find(Boolean)!;
        expect(await storage.signInRequests.byId(r.id)).toEqual(winner);
        expect(await auditsOf(r.id)).toEqual([audits[results.indexOf(winner)]]);
        const redeems = await all(racers, () =>
          storage.signInRequests.transition(r.id, winner.status, { status: 'redeemed', reason: null }, t0 + 2),
        );
        expect(winners(redeems)).toBe(1);
      });

      it('an answer and the expiry racing at the due moment: exactly one wins', async () => {
        const r = requestFixture(contoso.id, alice.id);
        await storage.signInRequests.create(r);
        const results = await all(racers, (i) =>
          i % 2 === 0
            ? answer(r, 'approved', r.expiresAt - 1)
            : storage.signInRequests.transition(r.id, 'pending', { status: 'expired', reason: null, answeredAt: r.expiresAt }, r.expiresAt),
        );
        expect(winners(results)).toBe(1);
        expect(await storage.signInRequests.byId(r.id)).toEqual(results.find(Boolean));
      });

      it('a transition whose audit record cannot be stored does not happen either', async () => {
        const r = requestFixture(contoso.id, alice.id);
        await storage.signInRequests.create(r);
        const taken = auditFixture(contoso.id, { detail: { requestId: r.id } });
        await storage.audit.append(taken);
        // The record's id is taken: storing it fails, so the change must roll back with it.
        await expect(answer(r, 'approved', t0 + 1, { ...taken, outcome: 'approved' })).rejects.toThrow();
        expect(await storage.signInRequests.byId(r.id)).toEqual(r);
        expect(await auditsOf(r.id)).toEqual([taken]);
        // Without the clash the same transition goes through, with its record.
        const record = auditFixture(contoso.id, { outcome: 'approved', detail: { requestId: r.id } });
        expect(await answer(r, 'approved', t0 + 1, record)).toMatchObject({ status: 'approved' });
        expect(await auditsOf(r.id)).toEqual([record, taken]);
      });

      it(`a transition stores its sign counter and grant with it, only when it wins: ${racers} approvals at once, one counter move`, async () => {
        const { registration } = await enrolled(alice, { signCount: 5 });
        const r = requestFixture(contoso.id, alice.id);
        await storage.signInRequests.create(r);
        const signCount = { registrationId: registration.id, expected: 5, next: 9 };
        const results = await all(racers, (i) =>
          storage.signInRequests.transition(
            r.id,
            'pending',
            { status: 'approved', reason: null, answeredAt: t0 + i, answeredBy: registration.id },
            t0 + i,
            auditFixture(contoso.id, { detail: { requestId: r.id, i } }),
            { signCount: { ...signCount, next: 9 + i } },
          ),
        );
        expect(winners(results)).toBe(1);
        const winner = results.findIndex(Boolean);
        expect(await storage.registrations.byId(registration.id)).toMatchObject({ signCount: 9 + winner, lastUsedAt: t0 + winner });
        // A counter that moved meanwhile stays as it is; the transition still stands.
        const other = requestFixture(contoso.id, alice.id);
        await storage.signInRequests.create(other);
        expect(
          await storage.signInRequests.transition(other.id, 'pending', { status: 'approved', reason: null }, t0 + 50, undefined, {
            signCount,
          }),
        ).toMatchObject({ status: 'approved' });
        expect((await storage.registrations.byId(registration.id))?.signCount).toBe(9 + winner);

        // Redeemed with its grant and the user's limits reset: of racing redeems one stores all of it, the others nothing.
        const unanswered = { key: 'unanswered|alice', kind: 'unanswered', tenantId: contoso.id, username: alice.username };
        await storage.limits.add(unanswered, t0);
        await storage.limits.add({ ...unanswered, key: 'reported-source|alice', kind: 'reported-source' }, t0);
        const resetCounters = { tenantId: contoso.id, username: alice.username, kinds: ['unanswered'] };
        const grants = Array.from({ length: racers }, () => grantFixture(contoso.id, alice.id, { requestId: r.id }));
        const redeems = await all(racers, (i) =>
          storage.signInRequests.transition(r.id, 'approved', { status: 'redeemed', reason: null }, t0 + 60, undefined, {
            grant: grants[i],
            resetCounters,
          }),
        );
        expect(await storage.limits.counter(unanswered.key)).toBeUndefined();
        expect(await storage.limits.counter('reported-source|alice')).toBeDefined();
        expect(winners(redeems)).toBe(1);
        const granted = redeems.findIndex(Boolean);
        for (const [i, grant] of grants.entries()) {
          const taken = await storage.grants.take(grant.secretHash, t0 + 70);
          if (i === granted) expect(taken).toEqual({ ...grant, usedAt: t0 + 70 });
          else expect(taken).toBeUndefined();
        }
        // A transition that does not happen stores no grant either.
        await storage.limits.add(unanswered, t0 + 75);
        const lost = grantFixture(contoso.id, alice.id, { requestId: r.id });
        expect(
          await storage.signInRequests.transition(r.id, 'approved', { status: 'redeemed', reason: null }, t0 + 80, undefined, {
            grant: lost,
            resetCounters,
          }),
        ).toBeUndefined();
        expect(await storage.grants.take(lost.secretHash, t0 + 90)).toBeUndefined();
        expect(await storage.limits.counter(unanswered.key)).toBeDefined();
      });

      it('the next expiry is the earliest of the pending requests, in every tenant', async () => {
        expect(await storage.signInRequests.nextExpiry()).toBeUndefined();
        const soonest = requestFixture(fabrikam.id, alice.id, { expiresAt: t0 + 30 });
        const answered = requestFixture(contoso.id, alice.id, { expiresAt: t0 + 10 });
        const coolingDown = requestFixture(contoso.id, alice.id, { status: 'cool_down', expiresAt: t0 + 5 });
        const later = requestFixture(contoso.id, alice.id, { expiresAt: t0 + 60 });
        for (const r of [later, soonest, answered, coolingDown]) await storage.signInRequests.create(r);
        expect(await storage.signInRequests.nextExpiry()).toBe(t0 + 10);
        await answer(answered, 'denied', t0 + 1);
        expect(await storage.signInRequests.nextExpiry()).toBe(t0 + 30);
        await storage.signInRequests.transition(soonest.id, 'pending', { status: 'expired', reason: null }, t0 + 30);
        expect(await storage.signInRequests.nextExpiry()).toBe(t0 + 60);
      });

      it('the due requests are read earliest first, up to a limit, and stay pending until each is expired', async () => {
        const due = [3, 1, 2].map((i) => requestFixture(i === 2 ? fabrikam.id : contoso.id, alice.id, { expiresAt: t0 + i }));
        const notYet = requestFixture(contoso.id, alice.id, { expiresAt: t0 + 4 });
        const answered = requestFixture(contoso.id, alice.id, { expiresAt: t0 });
        for (const r of [...due, notYet, answered]) await storage.signInRequests.create(r);
        await answer(answered, 'approved', t0 - 1);
        const byExpiry = [due[1], due[2], due[0]];
        expect(await storage.signInRequests.dueForExpiry(t0 + 3, 10)).toEqual(byExpiry);
        expect(await storage.signInRequests.dueForExpiry(t0 + 3, 2)).toEqual(byExpiry.slice(0, 2));
        expect(await storage.signInRequests.dueForExpiry(t0, 10)).toEqual([]);
        expect((await storage.signInRequests.byId(due[0].id))?.status).toBe('pending');
      });

      it('relays sweeping at once expire each due request exactly once, with one audit record each', async () => {
        const due = Array.from({ length: 12 }, (_, i) => requestFixture(contoso.id, alice.id, { expiresAt: t0 + i }));
        for (const r of due) await storage.signInRequests.create(r);
        const now = t0 + minute;
        const sweep = async () => {
          const won: string[] = [];
          for (const r of await storage.signInRequests.dueForExpiry(now, 100)) {
            const expired = await storage.signInRequests.transition(
              r.id,
              'pending',
              { status: 'expired', reason: 'nobody answered in time', answeredAt: r.expiresAt },
              now,
              auditFixture(contoso.id, { outcome: 'expired', detail: { requestId: r.id } }),
            );
            if (expired) won.push(expired.id);
          }
          return won;
        };
        const expired = (await all(6, sweep)).flat();
        expect(expired.slice().sort()).toEqual(due.map((r) => r.id).sort());
        for (const r of due) {
          expect(await storage.signInRequests.byId(r.id)).toEqual({
            ...r,
            status: 'expired',
            reason: 'nobody answered in time',
            answeredAt: r.expiresAt,
          });
          expect(await auditsOf(r.id)).toHaveLength(1);
        }
        expect(await storage.signInRequests.nextExpiry()).toBeUndefined();
      });
    });

    describe('limits', () => {
      const subject = (key: string, extra: Partial<LimitSubject> = {}): LimitSubject => ({
        key,
        kind: 'failures:code',
        tenantId: contoso.id,
        username: 'alice@contoso.example',
        ...extra,
      });

      it('count consecutive attempts by compare-and-set: of concurrent attempts that read one count, exactly one counts', async () => {
        const alicesCodes = subject('failures:code|alice');
        expect(await storage.limits.counter(alicesCodes.key)).toBeUndefined();
        expect(winners(await all(racers, () => storage.limits.takeAttempt(alicesCodes, 0, t0)))).toBe(1);
        expect(winners(await all(racers, () => storage.limits.takeAttempt(alicesCodes, 1, t0 + 1)))).toBe(1);
        expect(await storage.limits.takeAttempt(alicesCodes, 1, t0 + 2)).toBe(false);
        expect(await storage.limits.counter(alicesCodes.key)).toEqual({ ...alicesCodes, count: 2, firstAt: t0, lastAt: t0 + 1 });
        // Unconditional marks add up whoever calls, and say what they made.
        const marked = await all(5, (i) => storage.limits.add(subject('unanswered|alice', { kind: 'unanswered' }), t0 + i));
        expect(marked.map((c) => c.count).sort()).toEqual([1, 2, 3, 4, 5]);
        await storage.limits.clear([alicesCodes.key, 'no such key']);
        expect(await storage.limits.counter(alicesCodes.key)).toBeUndefined();
        expect((await storage.limits.counter('unanswered|alice'))?.count).toBe(5);
        expect(await storage.limits.takeAttempt(alicesCodes, 0, t0 + 10)).toBe(true);
        // Several counters in one read: only those that exist.
        const read = await storage.limits.counters(['unanswered|alice', 'no such key', alicesCodes.key]);
        expect(read.map((c) => [c.key, c.count]).sort()).toEqual([
          [alicesCodes.key, 1],
          ['unanswered|alice', 5],
        ]);
        expect(await storage.limits.counters([])).toEqual([]);
      });

      it('admit into sliding windows all at once or not at all, never past a limit, however many race', async () => {
        const user = { subject: subject('pushes|alice', { kind: 'pushes' }), limit: 5, since: t0 - minute };
        const source = { subject: subject('source-pushes|ip', { kind: 'source-pushes', username: null }), limit: 8, since: t0 - minute };
        const results = await all(racers, () => storage.limits.admit([user, source], t0));
        expect(results.filter((r) => r.admitted)).toHaveLength(5);
        // Each admission says how full it left each window: one of them filled the user's.
        const counts = results.flatMap((r) => (r.admitted ? [r.counts] : []));
        expect(counts.map(([mine]) => mine).sort()).toEqual([1, 2, 3, 4, 5]);
        expect(counts.every(([mine, theirs]) => mine === theirs)).toBe(true);
        expect(results.find((r) => !r.admitted)).toEqual({ admitted: false, key: user.subject.key, oldest: t0 });
        expect(await storage.limits.count(user.subject.key, t0 - minute)).toEqual({ count: 5, oldest: t0 });
        expect(await storage.limits.count(source.subject.key, t0 - minute)).toEqual({ count: 5, oldest: t0 });
        // Another user fills the source's window; then the source is what refuses.
        const other = { ...user, subject: subject('pushes|bob', { kind: 'pushes', username: 'bob@contoso.example' }) };
        for (let i = 0; i < 3; i++)
          expect(await storage.limits.admit([other, source], t0 + i)).toEqual({ admitted: true, counts: [i + 1, 6 + i] });
        expect(await storage.limits.admit([other, source], t0 + 5)).toEqual({ admitted: false, key: source.subject.key, oldest: t0 });
        expect((await storage.limits.count(other.subject.key, t0 - minute)).count).toBe(3);
        // A minute on, the old events are out of the window.
        const later = t0 + minute + 10;
        expect(await storage.limits.admit([{ ...user, since: later - minute }], later)).toEqual({ admitted: true, counts: [1] });
        // One key in two windows gets two events.
        expect(
          await storage.limits.admit(
            [
              { ...other, limit: 9 },
              { ...other, limit: 9 },
            ],
            t0 + 6,
          ),
        ).toEqual({
          admitted: true,
          counts: [5, 5],
        });
        expect(await storage.limits.count(user.subject.key, later - minute)).toEqual({ count: 1, oldest: later });
        expect(await storage.limits.count('nothing', t0)).toEqual({ count: 0, oldest: null });
      });

      it(`an admission counts its counter with it, only when admitted: ${racers} race for 5 places, the counter says 5`, async () => {
        const window = { subject: subject('pushes|alice', { kind: 'pushes' }), limit: 5, since: t0 - minute };
        const unanswered = subject('unanswered|alice', { kind: 'unanswered' });
        const results = await all(racers, (i) => storage.limits.admit([window], t0 + i, unanswered));
        const admitted = results.flatMap((r) => (r.admitted ? [r] : []));
        expect(admitted).toHaveLength(5);
        expect(admitted.map((r) => r.bumped?.count).sort()).toEqual([1, 2, 3, 4, 5]);
        expect(await storage.limits.counter(unanswered.key)).toMatchObject({ key: unanswered.key, kind: 'unanswered', count: 5 });
        // With no window at all, the counter still counts.
        const alone = await storage.limits.admit([], t0 + 50, unanswered);
        expect(alone).toMatchObject({ admitted: true, counts: [], bumped: { count: 6, lastAt: t0 + 50 } });
      });

      it('show and reset one user’s counters and windows by kind, and nobody else’s', async () => {
        await storage.limits.add(subject('failures:code|alice'), t0);
        await storage.limits.add(subject('reported-source|alice', { kind: 'reported-source' }), t0);
        await storage.limits.admit([{ subject: subject('pushes|alice', { kind: 'pushes' }), limit: 9, since: t0 - minute }], t0);
        await storage.limits.add(subject('failures:code|bob', { username: 'bob@contoso.example' }), t0);
        await storage.limits.add(subject('failures:code|alice-fabrikam', { tenantId: fabrikam.id }), t0);
        const seen = await storage.limits.forUser(contoso.id, 'alice@contoso.example', t0 - minute);
        expect(seen.counters.map((c) => c.key)).toEqual(['failures:code|alice', 'reported-source|alice']);
        expect(seen.windows).toEqual([{ key: 'pushes|alice', kind: 'pushes', count: 1, oldest: t0 }]);
        await storage.limits.resetUser(contoso.id, 'alice@contoso.example', ['failures:code', 'pushes']);
        const after = await storage.limits.forUser(contoso.id, 'alice@contoso.example', t0 - minute);
        expect(after.counters.map((c) => c.key)).toEqual(['reported-source|alice']);
        expect(after.windows).toEqual([]);
        expect(await storage.limits.counter('failures:code|bob')).toBeDefined();
        expect(await storage.limits.counter('failures:code|alice-fabrikam')).toBeDefined();
      });
    });

    describe('delivery receipts', () => {
      it('a receipt that came by push is stored with the delivery, first delivery or not', async () => {
        const { device } = await enrolled(alice);
        const request = requestFixture(contoso.id, alice.id);
        await storage.signInRequests.create(request);
        const record = (at: number) =>
          storage.signInRequests.recordDelivery(
            request.id,
            device.id,
            at,
            auditFixture(contoso.id, { type: 'sign_in_request.delivered', detail: { requestId: request.id, at } }),
            true,
          );
        expect(await record(t0 + 10)).toBe(true);
        expect(await storage.devices.byId(device.id)).toMatchObject({ lastReceiptAt: t0 + 10 });
        expect(await record(t0 + 20)).toBe(false);
        expect(await storage.devices.byId(device.id)).toMatchObject({ lastReceiptAt: t0 + 20 });
        expect(await storage.signInRequests.deliveries(request.id)).toEqual([{ deviceId: device.id, deliveredAt: t0 + 10 }]);
      });

      it(`the first receipt per device is kept with its audit record; ${racers} receipts at once, one records`, async () => {
        const request = requestFixture(contoso.id, alice.id);
        await storage.signInRequests.create(request);
        const phone = id();
        const other = id();
        const record = (deviceId: string, at: number) =>
          storage.signInRequests.recordDelivery(
            request.id,
            deviceId,
            at,
            auditFixture(contoso.id, { type: 'sign_in_request.delivered', detail: { requestId: request.id, deviceId, at } }),
          );
        const results = await all(racers, (i) => record(phone, t0 + 10 + i));
        expect(winners(results)).toBe(1);
        expect(await record(other, t0 + 5)).toBe(true);
        expect(await record(phone, t0 + 1)).toBe(false);
        expect(await storage.signInRequests.deliveries(request.id)).toEqual([
          { deviceId: other, deliveredAt: t0 + 5 },
          { deviceId: phone, deliveredAt: t0 + 10 + results.indexOf(true) },
        ]);
        const audits = (await storage.audit.list({ tenantId: contoso.id, type: 'sign_in_request.delivered', limit: 100 })).map(
          (e) => e.detail,
        );
        expect(audits).toHaveLength(2);
        expect(audits).toContainEqual({ requestId: request.id, deviceId: phone, at: t0 + 10 + results.indexOf(true) });
        expect(await storage.signInRequests.deliveries(id())).toEqual([]);
      });

      it(`a signed receipt stores its signed input with it: a used one stores nothing; ${racers} at once, one records`, async () => {
        const { device } = await enrolled(alice);
        const request = requestFixture(contoso.id, alice.id);
        await storage.signInRequests.create(request);
        const signature = (inputHash: string) => ({ deviceId: device.id, inputHash, expiresAt: t0 + minute, now: t0 });
        const record = (inputHash: string, at: number) =>
          storage.signInRequests.recordDelivery(
            request.id,
            device.id,
            at,
            auditFixture(contoso.id, { type: 'sign_in_request.delivered', detail: { requestId: request.id, at } }),
            true,
            signature(inputHash),
          );
        // Used already (by another call): the receipt is not stored, nor its push receipt, nor its record.
        expect(await storage.usedDeviceSignatures.use(device.id, 'used', t0 + minute, t0)).toBe(true);
        expect(await record('used', t0 + 5)).toBe('replayed');
        expect(await storage.signInRequests.deliveries(request.id)).toEqual([]);
        expect(await storage.devices.byId(device.id)).toMatchObject({ lastReceiptAt: null });
        const results = await all(racers, (i) => record('raced', t0 + 10 + i));
        expect(results.filter((r) => r === true)).toHaveLength(1);
        expect(results.filter((r) => r === 'replayed')).toHaveLength(racers - 1);
        const at = t0 + 10 + results.indexOf(true);
        expect(await storage.signInRequests.deliveries(request.id)).toEqual([{ deviceId: device.id, deliveredAt: at }]);
        expect(await storage.devices.byId(device.id)).toMatchObject({ lastReceiptAt: at });
        // Recorded as used: the replay guard refuses it too.
        expect(await storage.usedDeviceSignatures.use(device.id, 'raced', t0 + minute, t0 + 1)).toBe(false);
        // A fresh signed input: the push receipt is stored, the delivery was recorded already.
        expect(await record('fresh', t0 + 100)).toBe(false);
        expect(await storage.devices.byId(device.id)).toMatchObject({ lastReceiptAt: t0 + 100 });
        const audits = (await storage.audit.list({ tenantId: contoso.id, type: 'sign_in_request.delivered', limit: 100 })).filter(
          (e) => e.detail?.requestId === request.id,
        );
        expect(audits.map((e) => e.detail)).toEqual([{ requestId: request.id, at }]);
      });
    });

    describe('grants', () => {
      it(`a grant is used up once and not after it expires: ${racers} takes at once, one gets it`, async () => {
        const grant = grantFixture(contoso.id, alice.id, { requestId: id() });
        const expired = grantFixture(contoso.id, alice.id, { expiresAt: t0 });
        await storage.grants.create(grant);
        await storage.grants.create(expired);
        expect(await storage.grants.take(expired.secretHash, t0)).toBeUndefined();
        const results = await all(racers, (i) => storage.grants.take(grant.secretHash, t0 + i));
        expect(winners(results)).toBe(1);
        const taken = results.find(Boolean)!;
        expect(taken).toEqual({ ...grant, usedAt: taken.usedAt });
        expect(taken.usedAt).toBeGreaterThanOrEqual(t0);
        expect(await storage.grants.take(grant.secretHash, t0 + 100)).toBeUndefined();
        expect(await storage.grants.take(id(), t0)).toBeUndefined();
      });
    });

    describe('OIDC clients', () => {
      it('are stored per tenant, listed by client id, updated in place and deleted', async () => {
        const client = (tenantId: string, clientId: string): OidcClient => ({
          tenantId,
          clientId,
          displayName: 'Contoso Portal',
          metadata: {
            redirect_uris: ['https://portal.contoso.example/cb'],
            token_endpoint_auth_method: 'client_secret_basic',
            nested: { a: [1, null] },
          },
          createdAt: t0,
        });
        const portal = client(contoso.id, 'portal');
        const hr = client(contoso.id, 'Hr');
        const theirs = client(fabrikam.id, 'portal');
        for (const c of [portal, hr, theirs]) await storage.oidcClients.upsert(c);
        expect(await storage.oidcClients.get(contoso.id, 'portal')).toEqual(portal);
        expect(await storage.oidcClients.get(contoso.id, 'nope')).toBeUndefined();
        expect((await storage.oidcClients.list(contoso.id)).map((c) => c.clientId)).toEqual(['Hr', 'portal']);

        await storage.oidcClients.upsert({ ...portal, displayName: 'Portal 2', metadata: { redirect_uris: [] }, createdAt: t0 + 9 });
        expect(await storage.oidcClients.get(contoso.id, 'portal')).toEqual({
          ...portal,
          displayName: 'Portal 2',
          metadata: { redirect_uris: [] },
        });
        expect(await storage.oidcClients.get(fabrikam.id, 'portal')).toEqual(theirs);

        await storage.oidcClients.delete(contoso.id, 'portal');
        expect(await storage.oidcClients.get(contoso.id, 'portal')).toBeUndefined();
        expect(await storage.oidcClients.get(fabrikam.id, 'portal')).toEqual(theirs);
      });
    });

    describe('used device signatures (the replay guard)', () => {
      it('an input counts once per device until its entry expires, then once more', async () => {
        const use = (deviceId: string, hash: string, now: number) => storage.usedDeviceSignatures.use(deviceId, hash, t0 + minute, now);
        expect(await use('phone-1', 'h1', t0)).toBe(true);
        expect(await use('phone-1', 'h1', t0 + 1)).toBe(false);
        // Still unexpired at exactly its expiry.
        expect(await use('phone-1', 'h1', t0 + minute)).toBe(false);
        // Another device's input with the same hash, and another input of the same device, are their own.
        expect(await use('phone-2', 'h1', t0 + 1)).toBe(true);
        expect(await use('phone-1', 'h2', t0 + 1)).toBe(true);
        // Past its expiry (pruned or not) it may be recorded afresh, and then counts once again.
        expect(await storage.usedDeviceSignatures.use('phone-1', 'h1', t0 + 3 * minute, t0 + minute + 1)).toBe(true);
        expect(await storage.usedDeviceSignatures.use('phone-1', 'h1', t0 + 3 * minute, t0 + minute + 2)).toBe(false);
      });

      it('of many relays using one input at once, exactly one wins', async () => {
        const results = await all(racers, () => storage.usedDeviceSignatures.use('phone-1', 'raced', t0 + minute, t0));
        expect(winners(results)).toBe(1);
      });

      it('prune removes only what has expired', async () => {
        await storage.usedDeviceSignatures.use('phone-1', 'old', t0 + minute, t0);
        await storage.usedDeviceSignatures.use('phone-1', 'new', t0 + 5 * minute, t0);
        expect(await storage.usedDeviceSignatures.prune(t0 + 2 * minute)).toBe(1);
        expect(await storage.usedDeviceSignatures.prune(t0 + 2 * minute)).toBe(0);
        expect(await storage.usedDeviceSignatures.use('phone-1', 'new', t0 + 5 * minute, t0 + 2 * minute)).toBe(false);
      });
    });

    describe('secrets at rest', () => {
      const portal = (metadata: Record<string, unknown>): OidcClient => ({
        tenantId: contoso.id,
        clientId: 'portal',
        displayName: 'Contoso Portal',
        metadata: { redirect_uris: ['https://portal.contoso.example/cb'], ...metadata },
        createdAt: t0,
      });

      it('lists every TOTP seed and client secret as stored, and replaces one only while it is still what was read', async () => {
        const { registration } = await enrolled(alice, { totpSecret: 'SEEDALICE' });
        await storage.oidcClients.upsert(portal({ client_secret: 'shh' }));
        await storage.oidcClients.upsert({ ...portal({}), clientId: 'public-app' });
        const listed = await storage.secretsAtRest.list();
        expect(listed).toHaveLength(2);
        expect(listed).toContainEqual({ kind: 'totp_seed', registrationId: registration.id, value: 'SEEDALICE' });
        const client = { kind: 'client_secret', tenantId: contoso.id, clientId: 'portal', value: 'shh' } as const;
        expect(listed).toContainEqual(client);

        expect(await storage.secretsAtRest.replace(listed.find((s) => s.kind === 'totp_seed')!, 'sealed-seed')).toBe(true);
        expect((await storage.registrations.byId(registration.id))?.totpSecret).toBe('sealed-seed');
        expect(await storage.secretsAtRest.replace(client, 'sealed-secret')).toBe(true);
        // The rest of the client's metadata stays as it was.
        expect((await storage.oidcClients.get(contoso.id, 'portal'))?.metadata).toEqual(
          portal({ client_secret: 'sealed-secret' }).metadata,
        );

        // What changed since it was read is left alone.
        expect(await storage.secretsAtRest.replace(client, 'stale')).toBe(false);
        expect(await storage.secretsAtRest.replace({ kind: 'totp_seed', registrationId: registration.id, value: 'SEEDALICE' }, 'x')).toBe(
          false,
        );
        expect((await storage.oidcClients.get(contoso.id, 'portal'))?.metadata.client_secret).toBe('sealed-secret');
        expect(await storage.secretsAtRest.replace({ ...client, clientId: 'gone' }, 'x')).toBe(false);
      });

      it('of many relays replacing one secret at once, exactly one wins', async () => {
        await storage.oidcClients.upsert(portal({ client_secret: 'shh' }));
        const client = { kind: 'client_secret', tenantId: contoso.id, clientId: 'portal', value: 'shh' } as const;
        const results = await all(racers, (i) => storage.secretsAtRest.replace(client, `sealed-${i}`));
        expect(winners(results)).toBe(1);
        const { registration } = await enrolled(alice, { totpSecret: 'SEED' });
        const seed = { kind: 'totp_seed', registrationId: registration.id, value: 'SEED' } as const;
        expect(winners(await all(racers, (i) => storage.secretsAtRest.replace(seed, `sealed-${i}`)))).toBe(1);
      });
    });

    describe('OIDC records', () => {
      const record = (extra: Partial<OidcRecord> = {}): OidcRecord => ({
        model: 'Session',
        id: id(),
        payload: { accountId: 'alice', nested: { list: [1, 'two', null], flag: true }, text: 'ünïcødé \u0000 "quoted"' },
        grantId: null,
        userCode: null,
        uid: null,
        expiresAt: Date.now() + 10 * minute,
        consumedAt: null,
        ...extra,
      });

      it('are found by model and id, by uid and by user code; an upsert replaces the record but not its consumption', async () => {
        const interaction = record({ model: 'Interaction', uid: id() });
        const deviceCode = record({ model: 'DeviceCode', userCode: 'ABCD-EFGH', expiresAt: null });
        for (const r of [interaction, deviceCode]) await storage.oidcRecords.upsert(r);
        expect(await storage.oidcRecords.find('Interaction', interaction.id)).toEqual(interaction);
        expect(await storage.oidcRecords.find('Session', interaction.id)).toBeUndefined();
        expect(await storage.oidcRecords.findByUid('Interaction', interaction.uid!)).toEqual(interaction);
        expect(await storage.oidcRecords.findByUid('Session', interaction.uid!)).toBeUndefined();
        expect(await storage.oidcRecords.findByUserCode('DeviceCode', 'ABCD-EFGH')).toEqual(deviceCode);

        await storage.oidcRecords.consume('Interaction', interaction.id, t0 + 1);
        expect((await storage.oidcRecords.find('Interaction', interaction.id))?.consumedAt).toBe(t0 + 1);
        const replaced = { ...interaction, payload: { accountId: 'bob' }, uid: id() };
        await storage.oidcRecords.upsert(replaced);
        expect(await storage.oidcRecords.find('Interaction', interaction.id)).toEqual({ ...replaced, consumedAt: t0 + 1 });
        expect(await storage.oidcRecords.findByUid('Interaction', interaction.uid!)).toBeUndefined();

        await storage.oidcRecords.destroy('Interaction', interaction.id);
        expect(await storage.oidcRecords.find('Interaction', interaction.id)).toBeUndefined();
        expect(await storage.oidcRecords.find('DeviceCode', deviceCode.id)).toEqual(deviceCode);
      });

      it('an expired record is not found, and the purge removes what expired before the moment it is given', async () => {
        const gone = record({ expiresAt: Date.now() - 1 });
        const soon = record({ expiresAt: Date.now() + minute });
        const later = record({ expiresAt: Date.now() + 60 * minute });
        const forever = record({ expiresAt: null });
        for (const r of [gone, soon, later, forever]) await storage.oidcRecords.upsert(r);
        expect(await storage.oidcRecords.find('Session', gone.id)).toBeUndefined();
        expect(await storage.oidcRecords.find('Session', soon.id)).toEqual(soon);

        await storage.oidcRecords.purgeExpired(Date.now() + 2 * minute);
        expect(await storage.oidcRecords.find('Session', soon.id)).toBeUndefined();
        expect(await storage.oidcRecords.find('Session', later.id)).toEqual(later);
        expect(await storage.oidcRecords.find('Session', forever.id)).toEqual(forever);
      });

      it('revoking a grant removes every record of it, of every model', async () => {
        const grantId = id();
        const mine = [
          record({ model: 'AccessToken', grantId }),
          record({ model: 'RefreshToken', grantId }),
          record({ model: 'Grant', grantId }),
        ];
        const other = record({ model: 'AccessToken', grantId: id() });
        for (const r of [...mine, other]) await storage.oidcRecords.upsert(r);
        await storage.oidcRecords.revokeByGrantId(grantId);
        for (const r of mine) expect(await storage.oidcRecords.find(r.model, r.id)).toBeUndefined();
        expect(await storage.oidcRecords.find('AccessToken', other.id)).toEqual(other);
      });
    });

    describe('a lookup by a key holding U+0000 (which PostgreSQL text cannot store)', () => {
      it('finds nothing, and does not fail', async () => {
        const nul = 'alice\u0000@contoso.example';
        expect(await storage.tenants.byName('contoso\u0000')).toBeUndefined();
        expect(await storage.users.byName(contoso.id, nul)).toBeUndefined();
        expect(await storage.users.byId(contoso.id, `${alice.id}\u0000`)).toBeUndefined();
        expect(await storage.groups.byName(contoso.id, 'Sales\u0000')).toBeUndefined();
        expect(await storage.registrations.byCredentialId(contoso.id, '\u0000')).toBeUndefined();
        expect(await storage.signInRequests.byId('\u0000')).toBeUndefined();
        expect(await storage.signInRequests.countPending(contoso.id, nul, t0)).toBe(0);
        expect(await storage.oidcClients.get(contoso.id, 'portal\u0000')).toBeUndefined();
        expect(await storage.oidcRecords.find('Session', '\u0000')).toBeUndefined();
        expect(await storage.oidcRecords.findByUid('Interaction', '\u0000')).toBeUndefined();
        expect(await storage.oidcRecords.findByUserCode('DeviceCode', 'ABCD\u0000')).toBeUndefined();
        expect(await storage.audit.list({ tenantId: contoso.id, username: nul })).toEqual([]);
      });
    });

    describe('what the admin API reads and changes', () => {
      it('users are paged by username after a cursor, searched in username and display name without regard to case, per tenant', async () => {
        const more = ['carol@contoso.example', 'dave@contoso.example', 'Erin@contoso.example'].map((name) =>
          userFixture(contoso.id, name, { displayName: name === 'dave@contoso.example' ? 'Dave 100%_Sales' : 'Someone' }),
        );
        for (const u of more) await storage.users.create(u);
        await storage.users.create(userFixture(fabrikam.id, 'aaron@fabrikam.example'));
        const names = async (query: Parameters<Storage['users']['search']>[1]) =>
          (await storage.users.search(contoso.id, query)).map((u) => u.username);
        // Byte order: upper case first.
        expect(await names({ limit: 2 })).toEqual(['Erin@contoso.example', 'alice@contoso.example']);
        expect(await names({ limit: 2, after: 'alice@contoso.example' })).toEqual(['bob@contoso.example', 'carol@contoso.example']);
        expect(await names({ limit: 10, after: 'carol@contoso.example' })).toEqual(['dave@contoso.example']);
        expect(await names({ limit: 10, search: 'ERIN' })).toEqual(['Erin@contoso.example']);
        expect(await names({ limit: 10, search: 'sales' })).toEqual(['dave@contoso.example']);
        // "%" and "_" are characters to find, not patterns.
        expect(await names({ limit: 10, search: '%_' })).toEqual(['dave@contoso.example']);
        expect(await names({ limit: 10, search: '_' })).toEqual(['dave@contoso.example']);
        expect(await names({ limit: 10, search: 'o', after: 'bob@contoso.example' })).toEqual([
          'carol@contoso.example',
          'dave@contoso.example',
        ]);
        expect(await names({ limit: 10, search: 'fabrikam' })).toEqual([]);
      });

      it('a user is disabled and enabled again by an update, and created disabled as given', async () => {
        await storage.users.update({ ...alice, disabledAt: t0 + 7 });
        expect((await storage.users.byId(contoso.id, alice.id))?.disabledAt).toBe(t0 + 7);
        await storage.users.update({ ...alice, disabledAt: null });
        expect((await storage.users.byId(contoso.id, alice.id))?.disabledAt).toBeNull();
        const off = userFixture(contoso.id, 'off@contoso.example', { disabledAt: t0 });
        await storage.users.create(off);
        expect(await storage.users.byName(contoso.id, 'off@contoso.example')).toEqual(off);
      });

      it('a group is renamed in its own tenant only, and keeps its members', async () => {
        const sales = groupFixture(contoso.id, 'Sales');
        await storage.groups.create(sales);
        await storage.groups.addMember(contoso.id, sales.id, alice.id);
        await storage.groups.update({ ...sales, tenantId: fabrikam.id, name: 'Mallory' });
        expect(await storage.groups.byId(contoso.id, sales.id)).toEqual(sales);
        await storage.groups.update({ ...sales, name: 'Sales-EU', displayName: 'Sales Europe' });
        expect(await storage.groups.byName(contoso.id, 'Sales')).toBeUndefined();
        expect(await storage.groups.byName(contoso.id, 'Sales-EU')).toEqual({ ...sales, name: 'Sales-EU', displayName: 'Sales Europe' });
        expect(await storage.groups.members(contoso.id, sales.id)).toEqual([alice]);
      });

      it('revoking an admin token says whether there was a live one in the tenant', async () => {
        const token: AdminToken = {
          id: id(),
          tenantId: contoso.id,
          role: 'helpdesk_administrator',
          secretHash: id(),
          label: 'helpdesk',
          createdAt: t0,
          revokedAt: null,
        };
        await storage.adminTokens.create(token);
        expect(await storage.adminTokens.byId(token.id)).toEqual(token);
        expect(await storage.adminTokens.revoke(fabrikam.id, token.id, t0 + 1)).toBe(false);
        expect(await storage.adminTokens.revoke(contoso.id, token.id, t0 + 1)).toBe(true);
        expect(await storage.adminTokens.revoke(contoso.id, token.id, t0 + 2)).toBe(false);
        expect(await storage.adminTokens.revoke(contoso.id, id(), t0 + 2)).toBe(false);
      });

      it('a user’s passes are listed newest first; one is revoked by id once, never when used, never from another tenant', async () => {
        const used = passFixture(contoso.id, alice.id, { createdAt: t0 });
        await storage.temporaryAccessPasses.replace(used);
        expect(await storage.temporaryAccessPasses.markUsed(used.id, t0 + 1)).toBe(true);
        const live = passFixture(contoso.id, alice.id, { createdAt: t0 + 2, oneTime: false });
        await storage.temporaryAccessPasses.replace(live);
        await storage.temporaryAccessPasses.replace(passFixture(contoso.id, bob.id));
        const listed = await storage.temporaryAccessPasses.listForUser(contoso.id, alice.id);
        expect(listed.map((p) => p.id)).toEqual([live.id, used.id]);
        expect(listed[0]).toEqual(live);
        expect(listed[1]).toMatchObject({ usedAt: t0 + 1, revokedAt: t0 + 2 });
        expect(await storage.temporaryAccessPasses.listForUser(fabrikam.id, alice.id)).toEqual([]);

        expect(await storage.temporaryAccessPasses.revoke(fabrikam.id, live.id, t0 + 3)).toBe(false);
        expect(await storage.temporaryAccessPasses.revoke(contoso.id, live.id, t0 + 3)).toBe(true);
        expect(await storage.temporaryAccessPasses.revoke(contoso.id, live.id, t0 + 4)).toBe(false);
        expect(await storage.temporaryAccessPasses.usableFor(contoso.id, alice.id, t0 + 4)).toBeUndefined();
        const fresh = passFixture(contoso.id, alice.id, { createdAt: t0 + 5 });
        await storage.temporaryAccessPasses.replace(fresh);
        await storage.temporaryAccessPasses.markUsed(fresh.id, t0 + 6);
        expect(await storage.temporaryAccessPasses.revoke(contoso.id, fresh.id, t0 + 7)).toBe(false);
        expect(await storage.temporaryAccessPasses.usableFor(contoso.id, bob.id, t0 + 7)).toBeDefined();
      });

      it('a user’s devices are their phones and browsers; removing one takes only that user’s registrations on it', async () => {
        const phone = await enrolled(alice, { createdAt: t0 + 1 });
        // Bob's account on the same phone.
        const bobOnPhone = await storage.enrollment.complete(phone.device, registrationFixture(contoso.id, bob.id, phone.device.id));
        const browser = await storage.devices.registerBrowser(deviceFixture(contoso.id, { kind: 'browser', createdAt: t0 + 2 }));
        await storage.devices.addBrowserUser(browser.id, alice.id, t0);
        await storage.devices.addBrowserUser(browser.id, bob.id, t0);
        const bobsOwn = await enrolled(bob);
        expect((await storage.devices.listForUser(contoso.id, alice.id)).map((d) => d.id)).toEqual([phone.device.id, browser.id]);
        expect(await storage.devices.listForUser(fabrikam.id, alice.id)).toEqual([]);

        expect(await storage.devices.removeForUser(fabrikam.id, phone.device.id, alice.id)).toBe(false);
        expect(await storage.devices.removeForUser(contoso.id, bobsOwn.device.id, alice.id)).toBe(false);
        expect(await storage.devices.removeForUser(contoso.id, phone.device.id, alice.id)).toBe(true);
        expect(await storage.registrations.byId(phone.registration.id)).toBeUndefined();
        expect(await storage.registrations.byId(bobOnPhone.registration.id)).toEqual(bobOnPhone.registration);
        expect(await storage.devices.removeForUser(contoso.id, phone.device.id, alice.id)).toBe(false);

        expect(await storage.devices.removeForUser(contoso.id, browser.id, alice.id)).toBe(true);
        expect(await storage.devices.browserRegisteredFor(browser.id, alice.id)).toBe(false);
        expect(await storage.devices.browserRegisteredFor(browser.id, bob.id)).toBe(true);
        expect(await storage.devices.listForUser(contoso.id, alice.id)).toEqual([]);
        expect((await storage.devices.listForUser(contoso.id, bob.id)).map((d) => d.id).sort()).toEqual(
          [phone.device.id, browser.id, bobsOwn.device.id].sort(),
        );
      });

      it('revoking an account removes every OIDC record of it, of every model, and no other', async () => {
        const of = (accountId: string, model: string): OidcRecord => ({
          model,
          id: id(),
          payload: { accountId, note: 'a \u0000 in another field' },
          grantId: null,
          userCode: null,
          uid: null,
          expiresAt: Date.now() + 10 * minute,
          consumedAt: null,
        });
        const mine = [of(alice.id, 'Session'), of(alice.id, 'Grant'), of(alice.id, 'RefreshToken')];
        const others = [of(bob.id, 'Session'), of(`${alice.id}x`, 'Session'), of(alice.id.slice(0, -1), 'Grant')];
        for (const r of [...mine, ...others]) await storage.oidcRecords.upsert(r);
        await storage.oidcRecords.revokeAccount(alice.id);
        for (const r of mine) expect(await storage.oidcRecords.find(r.model, r.id)).toBeUndefined();
        for (const r of others) expect(await storage.oidcRecords.find(r.model, r.id)).toEqual(r);
      });

      it('the audit log filters by any of several types and by method', async () => {
        const events = [
          auditFixture(contoso.id, { at: t0 + 1, type: 'oidc.sign_in', method: 'phone_sign_in' }),
          auditFixture(contoso.id, { at: t0 + 2, type: 'code_sign_in', method: 'verification_code' }),
          auditFixture(contoso.id, { at: t0 + 3, type: 'policy.saved', method: null }),
          auditFixture(contoso.id, { at: t0 + 4, type: 'oidc.sign_in', method: 'temporary_access_pass' }),
        ];
        for (const e of events) await storage.audit.append(e);
        const ids = async (filter: Omit<Parameters<Storage['audit']['list']>[0], 'tenantId'>) =>
          (await storage.audit.list({ tenantId: contoso.id, ...filter })).map((e) => events.findIndex((x) => x.id === e.id));
        expect(await ids({ types: ['oidc.sign_in', 'code_sign_in'] })).toEqual([3, 1, 0]);
        expect(await ids({ types: [] })).toEqual([]);
        expect(await ids({ method: 'phone_sign_in' })).toEqual([0]);
        expect(await ids({ types: ['oidc.sign_in'], method: 'temporary_access_pass' })).toEqual([3]);
      });
    });

    describe('audit', () => {
      it('lists a tenant’s events newest first, ties in the order they were written, 100 unless told otherwise', async () => {
        const events = Array.from({ length: 105 }, (_, i) => auditFixture(contoso.id, { at: t0 + Math.floor(i / 3) }));
        for (const e of events) await storage.audit.append(e);
        await storage.audit.append(auditFixture(fabrikam.id, { at: t0 + 1000 }));
        const listed = await storage.audit.list({ tenantId: contoso.id });
        expect(listed).toHaveLength(100);
        expect(listed.map((e) => e.id)).toEqual(
          events
            .slice()
            .reverse()
            .slice(0, 100)
            .map((e) => e.id),
        );
        expect(await storage.audit.list({ tenantId: contoso.id, limit: 2 })).toEqual([events[104], events[103]]);
      });

      it('filters by username, outcome, type and an inclusive time range, together', async () => {
        const detail = { requestId: id(), nested: { reasons: ['a', 'b'], n: 1.5 } };
        const events = [
          auditFixture(contoso.id, { at: t0 + 1, username: 'alice@contoso.example', outcome: 'success', type: 'sign_in', detail }),
          auditFixture(contoso.id, {
            at: t0 + 2,
            username: 'alice@contoso.example',
            outcome: 'failure',
            type: 'sign_in',
            reason: 'denied',
          }),
          auditFixture(contoso.id, { at: t0 + 3, username: 'bob@contoso.example', outcome: 'failure', type: 'sign_in' }),
          auditFixture(contoso.id, {
            at: t0 + 4,
            username: 'alice@contoso.example',
            outcome: 'success',
            type: 'enrollment',
            userId: alice.id,
          }),
          auditFixture(contoso.id, {
            at: t0 + 5,
            username: null,
            outcome: 'success',
            type: 'admin',
            method: null,
            origin: null,
            ip: null,
            userAgent: null,
          }),
        ];
        for (const e of events) await storage.audit.append(e);
        const ids = async (filter: Omit<Parameters<Storage['audit']['list']>[0], 'tenantId'>) =>
          (await storage.audit.list({ tenantId: contoso.id, ...filter })).map((e) => events.findIndex((x) => x.id === e.id));
        expect(await ids({})).toEqual([4, 3, 2, 1, 0]);
        expect(await ids({ username: 'alice@contoso.example' })).toEqual([3, 1, 0]);
        expect(await ids({ outcome: 'failure' })).toEqual([2, 1]);
        expect(await ids({ type: 'sign_in' })).toEqual([2, 1, 0]);
        expect(await ids({ since: t0 + 2, until: t0 + 4 })).toEqual([3, 2, 1]);
        expect(await ids({ since: t0 + 5 })).toEqual([4]);
        expect(await ids({ until: t0 + 1 })).toEqual([0]);
        expect(await ids({ username: 'alice@contoso.example', outcome: 'success', type: 'sign_in', since: t0, until: t0 + 9 })).toEqual([
          0,
        ]);
        expect(await ids({ username: 'carol@contoso.example' })).toEqual([]);
        expect(await storage.audit.list({ tenantId: fabrikam.id })).toEqual([]);

        const listed = await storage.audit.list({ tenantId: contoso.id });
        expect(listed.slice().reverse()).toEqual(events);
      });
    });
  });
}
