import type Database from 'better-sqlite3';
import type { SignatureUse, Storage, TransitionEffects } from '../Storage';
import type { AuditEvent, Grant, SignInRequest, StoredPolicy } from '../model';
import { auditAppender } from './auditTable';
import { changedRow } from './changedRow';
import { deviceReceiptSql } from './credentialTables';
import { userResetter } from './limitTables';
import { signatureRecorder } from './trustTables';
import { tenantColumns } from '../tenantColumns';
import { userColumns } from '../userColumns';
import {
  deviceColumnCount,
  deviceSelectOf,
  registrationColumnCount,
  registrationSelectOf,
  toDeviceAt,
  toRegistrationAt,
  toTenant,
  toUser,
} from './rows';

type Row = Record<string, unknown>;

/**
 * A request's columns, in the order its statements return them: those read it as an array
 * (better-sqlite3's raw mode), which costs far less than building an object keyed by column name
 * for every row — a request is read about five times per sign-in.
 */
const requestColumns = [
  'id',
  'tenant_id',
  'user_id',
  'username',
  'kind',
  'origin',
  'context',
  'number',
  'nonce',
  'collector_hash',
  'collector_key',
  'browser_device_id',
  'status',
  'reason',
  'deliverable',
  'collector_known',
  'created_at',
  'expires_at',
  'answered_at',
  'answered_by',
  'ip',
  'user_agent',
  'first_factor',
] as const;
const requestSelect = requestColumns.join(', ');
const c = Object.fromEntries(requestColumns.map((name, index) => [name, index])) as Record<(typeof requestColumns)[number], number>;
const text = (value: unknown) => (value === null ? null : String(value));

const firstFactor = (value: unknown): SignInRequest['firstFactor'] =>
  value === 'password' || value === 'temporary_access_pass' ? value : null;

const toRequest = (r: unknown[]): SignInRequest => ({
  id: String(r[c.id]),
  tenantId: String(r[c.tenant_id]),
  userId: text(r[c.user_id]),
  username: String(r[c.username]),
  kind: r[c.kind] === 'mfa' ? 'mfa' : 'passwordless',
  origin: String(r[c.origin]),
  context: JSON.parse(String(r[c.context])),
  number: Number(r[c.number]),
  nonce: String(r[c.nonce]),
  collectorHash: String(r[c.collector_hash]),
  collectorKey: text(r[c.collector_key]),
  browserDeviceId: text(r[c.browser_device_id]),
  status: String(r[c.status]) as SignInRequest['status'],
  reason: text(r[c.reason]),
  deliverable: r[c.deliverable] === 1,
  collectorKnown: r[c.collector_known] === 1,
  createdAt: Number(r[c.created_at]),
  expiresAt: Number(r[c.expires_at]),
  answeredAt: r[c.answered_at] === null ? null : Number(r[c.answered_at]),
  answeredBy: text(r[c.answered_by]),
  ip: text(r[c.ip]),
  userAgent: text(r[c.user_agent]),
  firstFactor: firstFactor(r[c.first_factor]),
});

const toGrant = (r: Row): Grant => ({
  id: String(r.id),
  secretHash: String(r.secret_hash),
  tenantId: String(r.tenant_id),
  userId: String(r.user_id),
  requestId: r.request_id === null ? null : String(r.request_id),
  method: String(r.method),
  amr: JSON.parse(String(r.amr)),
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  usedAt: r.used_at === null ? null : Number(r.used_at),
});

/** Sign-in requests and one-time grants on SQLite. */
export function signInTables(db: Database.Database): Pick<Storage, 'signInRequests' | 'grants'> {
  const q = {
    insert: db.prepare(
      `INSERT INTO sign_in_requests (id, tenant_id, user_id, username, kind, origin, context, number, nonce, collector_hash,
         collector_key, browser_device_id, status, reason, deliverable, created_at, expires_at, answered_at, answered_by, ip, user_agent,
         first_factor, collector_known)
       VALUES (@id, @tenantId, @userId, @username, @kind, @origin, @context, @number, @nonce, @collectorHash,
         @collectorKey, @browserDeviceId, @status, @reason, @deliverable, @createdAt, @expiresAt, NULL, NULL, @ip, @userAgent,
         @firstFactor, @collectorKnown)`,
    ),
    byId: db.prepare(`SELECT ${requestSelect} FROM sign_in_requests WHERE id = ?`).raw(true),
    // The device (its key checks the call's signature) beside the request: one row per registration, one row without.
    forDevice: db
      .prepare(
        `SELECT ${requestColumns.map((name) => `s.${name}`).join(', ')}, ${registrationSelectOf('g')},
         ${tenantColumns.map((name) => `t.${name}`).join(', ')}, ${deviceSelectOf('d')}
       FROM (SELECT 1) AS one LEFT JOIN devices d ON d.id = @deviceId LEFT JOIN sign_in_requests s ON s.id = @id
         LEFT JOIN registrations g ON g.device_id = @deviceId AND g.user_id = s.user_id
         LEFT JOIN tenants t ON t.id = s.tenant_id
       ORDER BY g.created_at`,
      )
      .raw(true),
    // The request, the registration an answer names with its device, and the request's user: one row.
    forAnswer: db
      .prepare(
        `SELECT ${requestColumns.map((name) => `s.${name}`).join(', ')}, ${registrationSelectOf('g')}, ${deviceSelectOf('d')},
         ${userColumns.map((name) => `u.${name}`).join(', ')}
       FROM sign_in_requests s LEFT JOIN registrations g ON g.id = @registrationId LEFT JOIN devices d ON d.id = g.device_id
         LEFT JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
       WHERE s.id = @id`,
      )
      .raw(true),
    // The request, its user and the user's tenant: one row.
    forRedeem: db
      .prepare(
        `SELECT ${requestColumns.map((name) => `s.${name}`).join(', ')}, ${userColumns.map((name) => `u.${name}`).join(', ')},
         ${tenantColumns.map((name) => `t.${name}`).join(', ')}
       FROM sign_in_requests s LEFT JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
         LEFT JOIN tenants t ON t.id = u.tenant_id
       WHERE s.id = ?`,
      )
      .raw(true),
    // What a new request needs of its username: one row per registration of the user (one row without).
    subject: db
      .prepare(
        `SELECT ${userColumns.map((name) => `u.${name}`).join(', ')}, (SELECT body FROM policies WHERE tenant_id = t.id),
         (SELECT json_group_array(m.group_id) FROM group_members m WHERE m.user_id = u.id), ${registrationSelectOf('r')}, ${deviceSelectOf('d')},
         ${tenantColumns.map((name) => `t.${name}`).join(', ')}
       FROM (SELECT 1) AS one LEFT JOIN tenants t ON t.name = @tenantName LEFT JOIN users u ON u.tenant_id = t.id AND u.username = @username
         LEFT JOIN registrations r ON r.tenant_id = t.id AND r.user_id = u.id LEFT JOIN devices d ON d.id = r.device_id
       ORDER BY r.created_at`,
      )
      .raw(true),
    countPending: db.prepare(
      // "+expires_at": look the user up by their own index; the expiry index would walk every pending request.
      `SELECT count(*) AS n FROM sign_in_requests WHERE tenant_id = ? AND username = ? AND status = 'pending' AND +expires_at > ?`,
    ),
    denials: db.prepare(
      `SELECT answered_at FROM sign_in_requests WHERE tenant_id = ? AND user_id = ? AND status IN ('denied', 'reported')
       AND answered_at >= ? ORDER BY answered_at DESC`,
    ),
    pendingForUser: db
      .prepare(
        `SELECT ${requestSelect} FROM sign_in_requests WHERE tenant_id = ? AND user_id = ? AND status = 'pending' AND +expires_at > ?
       AND deliverable = 1 ORDER BY created_at`,
      )
      .raw(true),
    pendingForCollector: db
      .prepare(`SELECT ${requestSelect} FROM sign_in_requests WHERE collector_key = ? AND status = 'pending' ORDER BY created_at`)
      .raw(true),
    // The expiry condition is part of the compare-and-set: an answer never beats the clock, expiry never beats an answer.
    answerPending: db
      .prepare(
        `UPDATE sign_in_requests SET status = @status, reason = @reason, answered_at = @answeredAt, answered_by = @answeredBy
       WHERE id = @id AND status = 'pending' AND expires_at > @now RETURNING ${requestSelect}`,
      )
      .raw(true),
    expirePending: db
      .prepare(
        `UPDATE sign_in_requests SET status = 'expired', reason = @reason, answered_at = @answeredAt, answered_by = @answeredBy
       WHERE id = @id AND status = 'pending' AND expires_at <= @now RETURNING ${requestSelect}`,
      )
      .raw(true),
    transition: db
      .prepare(
        `UPDATE sign_in_requests SET status = @status, reason = @reason,
         answered_at = coalesce(@answeredAt, answered_at), answered_by = coalesce(@answeredBy, answered_by)
       WHERE id = @id AND status = @from RETURNING ${requestSelect}`,
      )
      .raw(true),
    nextExpiry: db.prepare(`SELECT min(expires_at) AS due FROM sign_in_requests WHERE status = 'pending'`),
    dueForExpiry: db
      .prepare(`SELECT ${requestSelect} FROM sign_in_requests WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at LIMIT ?`)
      .raw(true),
    deliveryInsert: db.prepare(
      'INSERT INTO sign_in_deliveries (request_id, device_id, delivered_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    deliveries: db.prepare('SELECT device_id, delivered_at FROM sign_in_deliveries WHERE request_id = ? ORDER BY delivered_at, device_id'),
    grantInsert: db.prepare(
      `INSERT INTO grants (id, secret_hash, tenant_id, user_id, request_id, method, amr, created_at, expires_at, used_at)
       VALUES (@id, @secretHash, @tenantId, @userId, @requestId, @method, @amr, @createdAt, @expiresAt, NULL)`,
    ),
    deviceReceipt: db.prepare(deviceReceiptSql),
    registrationCounter: db.prepare('UPDATE registrations SET sign_count = ?, last_used_at = ? WHERE id = ? AND sign_count = ?'),
    grantTake: db.prepare('UPDATE grants SET used_at = ? WHERE secret_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING *'),
  };
  const appendAudit = auditAppender(db);
  const resetCounters = userResetter(db, ['limit_counters']);
  const insertGrant = (grant: Grant) => q.grantInsert.run({ ...grant, amr: JSON.stringify(grant.amr) });
  const transition = db.transaction(
    (
      params: {
        id: string;
        from: string;
        status: string;
        reason: string | null;
        answeredAt: number | null;
        answeredBy: string | null;
        now: number;
      },
      audit?: AuditEvent,
      effects?: TransitionEffects,
    ) => {
      const statement = params.from !== 'pending' ? q.transition : params.status === 'expired' ? q.expirePending : q.answerPending;
      // The changed row as stored (run to its end: see changedRow); the transaction's COMMIT reports a failed write.
      const row = changedRow(statement, params) as unknown[] | undefined;
      if (!row) return undefined;
      if (audit) appendAudit(audit);
      const counter = effects?.signCount;
      if (counter) q.registrationCounter.run(counter.next, params.now, counter.registrationId, counter.expected);
      if (effects?.grant) insertGrant(effects.grant);
      const reset = effects?.resetCounters;
      if (reset) resetCounters(reset.tenantId, reset.username, reset.kinds);
      return row;
    },
  );
  const create = db.transaction((request: SignInRequest, audit?: AuditEvent) => {
    q.insert.run({
      ...request,
      context: JSON.stringify(request.context),
      deliverable: request.deliverable ? 1 : 0,
      firstFactor: request.firstFactor ?? null,
      collectorKnown: request.collectorKnown ? 1 : 0,
    });
    if (audit) appendAudit(audit);
  });
  const useSignature = signatureRecorder(db);
  const recordDelivery = db.transaction(
    (requestId: string, deviceId: string, at: number, audit: AuditEvent, pushReceipt: boolean, signature?: SignatureUse) => {
      if (signature && !useSignature(signature)) return 'replayed';
      if (pushReceipt) q.deviceReceipt.run({ id: deviceId, at });
      if (q.deliveryInsert.run(requestId, deviceId, at).changes !== 1) return false;
      appendAudit(audit);
      return true;
    },
  );
  return {
    signInRequests: {
      async create(request, audit) {
        create(request, audit);
      },
      async byId(id) {
        const row = q.byId.get(id) as unknown[] | undefined;
        return row ? toRequest(row) : undefined;
      },
      async forDevice(id, deviceId) {
        const rows = q.forDevice.all({ id, deviceId }) as unknown[][];
        const first = rows[0];
        const registrations = rows.flatMap((row) => toRegistrationAt(row, requestColumns.length) ?? []);
        const tenantAt = requestColumns.length + registrationColumnCount;
        const tenant =
          first[tenantAt] === null ? undefined : toTenant(Object.fromEntries(tenantColumns.map((name, i) => [name, first[tenantAt + i]])));
        return {
          device: toDeviceAt(first, tenantAt + tenantColumns.length),
          request: first[c.id] === null ? undefined : toRequest(first),
          registrations,
          tenant,
        };
      },
      async forAnswer(id, registrationId) {
        const row = q.forAnswer.get({ id, registrationId }) as unknown[] | undefined;
        if (!row) return undefined;
        const registration = toRegistrationAt(row, requestColumns.length);
        const userAt = requestColumns.length + registrationColumnCount + deviceColumnCount;
        return {
          request: toRequest(row),
          ...(registration
            ? { registration: { registration, device: toDeviceAt(row, requestColumns.length + registrationColumnCount) } }
            : {}),
          ...(row[userAt] === null ? {} : { user: toUser(Object.fromEntries(userColumns.map((name, i) => [name, row[userAt + i]]))) }),
        };
      },
      async forRedeem(id) {
        const row = q.forRedeem.get(id) as unknown[] | undefined;
        if (!row) return undefined;
        const [userAt, tenantAt] = [requestColumns.length, requestColumns.length + userColumns.length];
        const columnsAt = (names: readonly string[], at: number) => Object.fromEntries(names.map((name, i) => [name, row[at + i]]));
        return {
          request: toRequest(row),
          owner:
            row[userAt] === null || row[tenantAt] === null
              ? undefined
              : { user: toUser(columnsAt(userColumns, userAt)), tenant: toTenant(columnsAt(tenantColumns, tenantAt)) },
        };
      },
      async subjectFor(tenantName, username) {
        const rows = q.subject.all({ tenantName, username }) as unknown[][];
        const first = rows[0];
        const [policyAt, groupsAt, registrationAt] = [userColumns.length, userColumns.length + 1, userColumns.length + 2];
        const tenantAt = registrationAt + registrationColumnCount + deviceColumnCount;
        return {
          tenant:
            first[tenantAt] === null
              ? undefined
              : toTenant(Object.fromEntries(tenantColumns.map((name, i) => [name, first[tenantAt + i]]))),
          user: first[0] === null ? undefined : toUser(Object.fromEntries(userColumns.map((name, i) => [name, first[i]]))),
          policy: first[policyAt] === null ? undefined : (JSON.parse(String(first[policyAt])) as StoredPolicy),
          groupIds: (JSON.parse(String(first[groupsAt])) as unknown[]).map(String),
          registrations: rows.flatMap((row) => {
            const registration = toRegistrationAt(row, registrationAt);
            return registration ? [{ registration, device: toDeviceAt(row, registrationAt + registrationColumnCount) }] : [];
          }),
        };
      },
      async countPending(tenantId, username, now) {
        return Number((q.countPending.get(tenantId, username, now) as Row).n);
      },
      async denialsSince(tenantId, userId, since) {
        return (q.denials.all(tenantId, userId, since) as Row[]).map((r) => Number(r.answered_at));
      },
      async pendingForUser(tenantId, userId, now) {
        return (q.pendingForUser.all(tenantId, userId, now) as unknown[][]).map(toRequest);
      },
      async pendingForCollector(collectorKey) {
        return (q.pendingForCollector.all(collectorKey) as unknown[][]).map(toRequest);
      },
      async transition(id, from, to, now, audit, effects) {
        const params = {
          id,
          from,
          now,
          status: to.status,
          reason: to.reason,
          answeredAt: to.answeredAt ?? null,
          answeredBy: to.answeredBy ?? null,
        };
        const row = transition(params, audit, effects);
        return row ? toRequest(row) : undefined;
      },
      async nextExpiry() {
        const due = (q.nextExpiry.get() as Row).due;
        return due === null ? undefined : Number(due);
      },
      async dueForExpiry(now, limit) {
        return (q.dueForExpiry.all(now, limit) as unknown[][]).map(toRequest);
      },
      async recordDelivery(requestId, deviceId, at, audit, pushReceipt, signature) {
        return recordDelivery(requestId, deviceId, at, audit, pushReceipt ?? false, signature);
      },
      async deliveries(requestId) {
        return (q.deliveries.all(requestId) as Row[]).map((r) => ({ deviceId: String(r.device_id), deliveredAt: Number(r.delivered_at) }));
      },
    },
    grants: {
      async create(grant) {
        insertGrant(grant);
      },
      async take(secretHash, now) {
        const row = changedRow(q.grantTake, now, secretHash, now);
        return row ? toGrant(row) : undefined;
      },
    },
  };
}
