import type { RegistrationWithDevice, Storage, TransitionEffects } from '../Storage';
import { registrationColumns } from '../registrationColumns';
import type { Grant, StoredPolicy } from '../model';
import { auditColumns, auditParameters, auditValues } from './auditTable';
import { type PostgresDatabase, type Row, type Statement, statement } from './database';
import { deviceReceiptSql, joinedDeviceColumns } from './credentialTables';
import { resetUserSql } from './limitTables';
import { signatureUseSql, signatureUseValues } from './trustTables';
import { json, joinedColumns, joinedRow, maybe, toDevice, toGrant, toRegistration, toRequest, toTenant, toUser } from './rows';
import { tenantColumns } from '../tenantColumns';
import { userColumns } from '../userColumns';

/**
 * The compare-and-set of a request's lifecycle, one UPDATE each, parameters alike:
 * $1 id, $2 status, $3 reason, $4 answered at, $5 answered by, $6 `from`, and $7 now (from pending).
 * The status it leaves is a parameter even when it is 'pending': written out, it would let a plan
 * made while the table has no statistics yet (a generic plan, kept by the connection) find the row
 * through the index of pending requests by expiry, reading every pending request, instead of by id.
 * A concurrent change of the row makes the UPDATE wait for its lock, then check the condition
 * again on what that change stored: of all callers, on any relay, at most one matches.
 */
const changes = {
  // The expiry condition is part of the compare-and-set: an answer never beats the clock, expiry never beats an answer.
  answer: `UPDATE sign_in_requests SET status = $2, reason = $3, answered_at = $4, answered_by = $5
    WHERE id = $1 AND status = $6 AND expires_at > $7`,
  expire: `UPDATE sign_in_requests SET status = $2, reason = $3, answered_at = $4, answered_by = $5
    WHERE id = $1 AND status = $6 AND expires_at <= $7`,
  other: `UPDATE sign_in_requests SET status = $2, reason = $3,
      answered_at = coalesce($4, answered_at), answered_by = coalesce($5, answered_by)
    WHERE id = $1 AND status = $6`,
};
type Change = keyof typeof changes;

/** The parameter types of a grant row (INSERT … SELECT cannot infer them). */
const grantTypes = ['text', 'text', 'text', 'text', 'text', 'text', 'json', 'bigint', 'bigint'];
const grantColumns = 'id, secret_hash, tenant_id, user_id, request_id, method, amr, created_at, expires_at, used_at';
const grantValues = (g: Grant) => [g.id, g.secretHash, g.tenantId, g.userId, g.requestId, g.method, json(g.amr), g.createdAt, g.expiresAt];

/**
 * A transition and what it stores with it, in one statement: each effect only when the change
 * matched (it selects from `changed`), so all of it is stored or none. Prepared per combination.
 */
const transitionStatements = new Map<string, Statement>();
export function transitionStatement(change: Change, audit: boolean, effects: TransitionEffects | undefined): Statement {
  const counter = effects?.signCount !== undefined;
  const grant = effects?.grant !== undefined;
  const reset = effects?.resetCounters !== undefined;
  const name = `request_${change}${audit ? '_audited' : ''}${counter ? '_counted' : ''}${grant ? '_granted' : ''}${reset ? '_reset' : ''}`;
  let found = transitionStatements.get(name);
  if (!found) {
    if (!audit && !counter && !grant && !reset) found = statement(name, `${changes[change]} RETURNING *`);
    else {
      let next = change === 'other' ? 7 : 8;
      const parts = [`changed AS (${changes[change]} RETURNING *)`];
      if (audit) {
        parts.push(`audited AS (INSERT INTO audit_events (${auditColumns}) SELECT ${auditParameters(next)} FROM changed)`);
        next += 15;
      }
      if (counter) {
        parts.push(
          `counted AS (UPDATE registrations SET sign_count = $${next + 2}::bigint, last_used_at = $${next + 3}::bigint
             WHERE id = $${next}::text AND sign_count = $${next + 1}::bigint AND EXISTS (SELECT 1 FROM changed))`,
        );
        next += 4;
      }
      if (grant) {
        const values = grantTypes.map((type, i) => `$${next + i}::${type}`).join(', ');
        parts.push(`granted AS (INSERT INTO grants (${grantColumns}) SELECT ${values}, NULL FROM changed)`);
        next += grantTypes.length;
      }
      if (reset) parts.push(`reset AS (${resetUserSql('limit_counters', next)} AND EXISTS (SELECT 1 FROM changed))`);
      found = statement(name, `WITH ${parts.join(',\n')} SELECT * FROM changed`);
    }
    transitionStatements.set(name, found);
  }
  return found;
}

/** The registration a join read as `registration__<column>`, with its device as `device__<column>`; undefined when it found none. */
function joinedRegistration(r: Row): RegistrationWithDevice | undefined {
  const registration = joinedRow(r, 'registration', registrationColumns);
  const device = joinedRow(r, 'device', joinedDeviceColumns);
  return registration && { registration: toRegistration(registration), device: device && toDevice(device) };
}

const insertRequest = `INSERT INTO sign_in_requests (id, tenant_id, user_id, username, kind, origin, context, number, nonce, collector_hash,
    collector_key, browser_device_id, status, reason, deliverable, created_at, expires_at, answered_at, answered_by, ip, user_agent,
    first_factor, collector_known)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, NULL, NULL, $18, $19, $20, $21)`;

/**
 * The receipt and its audit record in one statement: the record only when the receipt is the
 * device's first. Signed: the device's signed input is recorded first ($19–$22), and nothing else
 * is stored unless that is its first use.
 */
const insertDelivery = (pushReceipt: boolean, signed: boolean) => {
  const parts = [
    ...(signed ? [`used AS (${signatureUseSql(19)})`] : []),
    `added AS (
    INSERT INTO sign_in_deliveries (request_id, device_id, delivered_at) SELECT $1::text, $2::text, $3::bigint${signed ? ' FROM used' : ''}
    ON CONFLICT DO NOTHING RETURNING 1
  )`,
    `audited AS (INSERT INTO audit_events (${auditColumns}) SELECT ${auditParameters(4)} FROM added)`,
    ...(pushReceipt ? [`received AS (${deviceReceiptSql(2, 3)}${signed ? ' AND EXISTS (SELECT 1 FROM used)' : ''})`] : []),
  ];
  return `WITH ${parts.join(',\n  ')}
  SELECT (SELECT count(*) FROM added) AS n${signed ? ', (SELECT count(*) FROM used) AS used' : ''}`;
};

const q = {
  insert: statement('request_insert', insertRequest),
  // The request and its audit record in one statement.
  insertAudited: statement(
    'request_insert_audited',
    `WITH inserted AS (${insertRequest}) INSERT INTO audit_events (${auditColumns}) VALUES (${auditParameters(22)})`,
  ),
  byId: statement('request_by_id', 'SELECT * FROM sign_in_requests WHERE id = $1'),
  // The device (its key checks the call's signature) beside the request: one row per registration, one row without.
  forDevice: statement(
    'request_for_device',
    `SELECT s.*, ${joinedColumns('g', 'registration', registrationColumns)}, ${joinedColumns('t', 'tenant', tenantColumns)},
       ${joinedColumns('d', 'device', joinedDeviceColumns)}
     FROM (SELECT 1) AS one LEFT JOIN devices d ON d.id = $2 LEFT JOIN sign_in_requests s ON s.id = $1
       LEFT JOIN registrations g ON g.device_id = $2 AND g.user_id = s.user_id
       LEFT JOIN tenants t ON t.id = s.tenant_id
     ORDER BY g.created_at`,
  ),
  // The request, the registration an answer names with its device, and the request's user: one row.
  forAnswer: statement(
    'request_for_answer',
    `SELECT s.*, ${joinedColumns('g', 'registration', registrationColumns)}, ${joinedColumns('d', 'device', joinedDeviceColumns)},
       ${joinedColumns('u', 'user', userColumns)}
     FROM sign_in_requests s LEFT JOIN registrations g ON g.id = $2 LEFT JOIN devices d ON d.id = g.device_id
       LEFT JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
     WHERE s.id = $1`,
  ),
  // The request, its user and the user's tenant: one row.
  forRedeem: statement(
    'request_for_redeem',
    `SELECT s.*, ${joinedColumns('u', 'user', userColumns)}, ${joinedColumns('t', 'tenant', tenantColumns)}
     FROM sign_in_requests s LEFT JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
       LEFT JOIN tenants t ON t.id = u.tenant_id
     WHERE s.id = $1`,
  ),
  // What a new request needs of its username: one row per registration of the user (one row without).
  // Registrations by their user alone (the user is the tenant's): by tenant too, a plan read all the tenant's.
  subject: statement(
    'request_subject',
    `SELECT ${joinedColumns('t', 'tenant', tenantColumns)}, ${joinedColumns('u', 'user', userColumns)},
       (SELECT body FROM policies WHERE tenant_id = t.id) AS policy,
       ARRAY(SELECT m.group_id FROM group_members m WHERE m.user_id = u.id) AS group_ids,
       ${joinedColumns('r', 'registration', registrationColumns)}, ${joinedColumns('d', 'device', joinedDeviceColumns)}
     FROM (SELECT 1) AS one LEFT JOIN tenants t ON t.name = $1 LEFT JOIN users u ON u.tenant_id = t.id AND u.username = $2
       LEFT JOIN registrations r ON r.user_id = u.id LEFT JOIN devices d ON d.id = r.device_id
     ORDER BY r.created_at`,
  ),
  countPending: statement(
    'request_count_pending',
    `SELECT count(*) AS n FROM sign_in_requests WHERE tenant_id = $1 AND username = $2 AND status = 'pending' AND expires_at > $3`,
  ),
  denials: statement(
    'request_denials',
    `SELECT answered_at FROM sign_in_requests WHERE tenant_id = $1 AND user_id = $2 AND status IN ('denied', 'reported')
     AND answered_at >= $3 ORDER BY answered_at DESC`,
  ),
  // 'pending' as a parameter, as in the lifecycle's UPDATEs: a lookup by user, never through the expiry index.
  pendingForUser: statement(
    'request_pending_for_user',
    `SELECT * FROM sign_in_requests WHERE tenant_id = $1 AND user_id = $2 AND status = $4 AND expires_at > $3
     AND deliverable ORDER BY created_at`,
  ),
  pendingForCollector: statement(
    'request_pending_for_collector',
    `SELECT * FROM sign_in_requests WHERE collector_key = $1 AND status = 'pending' ORDER BY created_at`,
  ),
  // Both served by the partial index of pending requests by expiry.
  nextExpiry: statement('request_next_expiry', `SELECT min(expires_at) AS due FROM sign_in_requests WHERE status = 'pending'`),
  dueForExpiry: statement(
    'request_due_for_expiry',
    `SELECT * FROM sign_in_requests WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
  ),
  deliveryInsert: statement('delivery_insert', insertDelivery(false, false)),
  // With the device's push receipt (whether or not the delivery is its first).
  deliveryInsertReceived: statement('delivery_insert_received', insertDelivery(true, false)),
  deliveryInsertSigned: statement('delivery_insert_signed', insertDelivery(false, true)),
  deliveryInsertReceivedSigned: statement('delivery_insert_received_signed', insertDelivery(true, true)),
  deliveries: statement(
    'deliveries',
    'SELECT device_id, delivered_at FROM sign_in_deliveries WHERE request_id = $1 ORDER BY delivered_at, device_id',
  ),
  grantInsert: statement(
    'grant_insert',
    `INSERT INTO grants (id, secret_hash, tenant_id, user_id, request_id, method, amr, created_at, expires_at, used_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)`,
  ),
  grantTake: statement(
    'grant_take',
    'UPDATE grants SET used_at = $1 WHERE secret_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING *',
  ),
};

/** Sign-in requests and one-time grants on PostgreSQL. */
export function signInTables(db: PostgresDatabase): Pick<Storage, 'signInRequests' | 'grants'> {
  return {
    signInRequests: {
      async create(r, audit) {
        await db.run(audit ? q.insertAudited : q.insert, [
          r.id,
          r.tenantId,
          r.userId,
          r.username,
          r.kind,
          r.origin,
          json(r.context),
          r.number,
          r.nonce,
          r.collectorHash,
          r.collectorKey,
          r.browserDeviceId,
          r.status,
          r.reason,
          r.deliverable,
          r.createdAt,
          r.expiresAt,
          r.ip,
          r.userAgent,
          r.firstFactor ?? null,
          r.collectorKnown,
          ...(audit ? auditValues(audit) : []),
        ]);
      },
      async byId(id) {
        return maybe(await db.one(q.byId, [id]), toRequest);
      },
      async forDevice(id, deviceId) {
        // No id can hold U+0000 (see database.ts): such a one finds nothing, the other is still read.
        const key = (value: string) => (value.includes('\u0000') ? null : value);
        const rows = await db.rows(q.forDevice, [key(id), key(deviceId)]);
        const first = rows[0];
        const registrations = rows.flatMap((r) => {
          const registration = joinedRow(r, 'registration', registrationColumns);
          return registration ? [toRegistration(registration)] : [];
        });
        const device = joinedRow(first, 'device', joinedDeviceColumns);
        const tenant = joinedRow(first, 'tenant', tenantColumns);
        return {
          device: device && toDevice(device),
          request: first.id === null ? undefined : toRequest(first),
          registrations,
          tenant: tenant && toTenant(tenant),
        };
      },
      async forAnswer(id, registrationId) {
        const row = await db.one(q.forAnswer, [id, registrationId]);
        if (!row) return undefined;
        const registration = joinedRegistration(row);
        const user = joinedRow(row, 'user', userColumns);
        return {
          request: toRequest(row),
          ...(registration ? { registration } : {}),
          ...(user ? { user: toUser(user) } : {}),
        };
      },
      async forRedeem(id) {
        const row = await db.one(q.forRedeem, [id]);
        if (!row) return undefined;
        const user = joinedRow(row, 'user', userColumns);
        const tenant = joinedRow(row, 'tenant', tenantColumns);
        return { request: toRequest(row), owner: user && tenant ? { user: toUser(user), tenant: toTenant(tenant) } : undefined };
      },
      async subjectFor(tenantName, username) {
        // No name can hold U+0000 (see database.ts): asked for no user, the tenant and its policy are still read.
        const key = (value: string) => (value.includes('\u0000') ? null : value);
        const rows = await db.rows(q.subject, [key(tenantName), key(username)]);
        const first = rows[0];
        const tenant = joinedRow(first, 'tenant', tenantColumns);
        const user = joinedRow(first, 'user', userColumns);
        return {
          tenant: tenant && toTenant(tenant),
          user: user && toUser(user),
          policy: (first.policy ?? undefined) as StoredPolicy | undefined,
          groupIds: (first.group_ids as unknown[]).map(String),
          registrations: rows.flatMap((r) => joinedRegistration(r) ?? []),
        };
      },
      async countPending(tenantId, username, now) {
        // No row at all when the lookup could not match (see database.ts): a count of none.
        return Number((await db.one(q.countPending, [tenantId, username, now]))?.n ?? 0);
      },
      async denialsSince(tenantId, userId, since) {
        return (await db.rows(q.denials, [tenantId, userId, since])).map((row) => Number(row.answered_at));
      },
      async pendingForUser(tenantId, userId, now) {
        return (await db.rows(q.pendingForUser, [tenantId, userId, now, 'pending'])).map(toRequest);
      },
      async pendingForCollector(collectorKey) {
        return (await db.rows(q.pendingForCollector, [collectorKey])).map(toRequest);
      },
      async transition(id, from, to, now, audit, effects) {
        const change: Change = from !== 'pending' ? 'other' : to.status === 'expired' ? 'expire' : 'answer';
        const counter = effects?.signCount;
        const values = [
          id,
          to.status,
          to.reason,
          to.answeredAt ?? null,
          to.answeredBy ?? null,
          from,
          ...(change === 'other' ? [] : [now]),
          ...(audit ? auditValues(audit) : []),
          ...(counter ? [counter.registrationId, counter.expected, counter.next, now] : []),
          ...(effects?.grant ? grantValues(effects.grant) : []),
          ...(effects?.resetCounters ? [effects.resetCounters.tenantId, effects.resetCounters.username, effects.resetCounters.kinds] : []),
        ];
        return maybe(await db.one(transitionStatement(change, audit !== undefined, effects), values), toRequest);
      },
      async nextExpiry() {
        const due = (await db.one(q.nextExpiry, []))?.due;
        return due === null || due === undefined ? undefined : Number(due);
      },
      async recordDelivery(requestId, deviceId, at, audit, pushReceipt, signature) {
        const insert = signature
          ? pushReceipt
            ? q.deliveryInsertReceivedSigned
            : q.deliveryInsertSigned
          : pushReceipt
            ? q.deliveryInsertReceived
            : q.deliveryInsert;
        const values = [requestId, deviceId, at, ...auditValues(audit), ...(signature ? signatureUseValues(signature) : [])];
        const row = await db.one(insert, values);
        if (signature && Number(row?.used ?? 0) !== 1) return 'replayed';
        return Number(row?.n ?? 0) === 1;
      },
      async deliveries(requestId) {
        return (await db.rows(q.deliveries, [requestId])).map((r) => ({
          deviceId: String(r.device_id),
          deliveredAt: Number(r.delivered_at),
        }));
      },
      async dueForExpiry(now, limit) {
        return (await db.rows(q.dueForExpiry, [now, limit])).map(toRequest);
      },
    },
    grants: {
      async create(g) {
        await db.run(q.grantInsert, grantValues(g));
      },
      async take(secretHash, now) {
        return maybe(await db.one(q.grantTake, [now, secretHash]), toGrant);
      },
    },
  };
}
export { q as signInStatements };
