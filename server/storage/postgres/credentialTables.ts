import type { Storage } from '../Storage';
import type { Device, Registration } from '../model';
import { type PostgresDatabase, statement } from './database';
import { json, joinedColumns, joinedRow, maybe, toCode, toDevice, toPass, toRegistration, toSession } from './rows';

const deviceColumns = 'id, tenant_id, kind, name, public_key, thumbprint, push_subscription, push_state, created_at, last_seen_at';

/** A push reached the device (`devices.recordReceipt`; sign-in deliveries store it in their own statement): $id, $at. */
export const deviceReceiptSql = (id: number, at: number) =>
  `UPDATE devices SET last_receipt_at = greatest(coalesce(last_receipt_at, 0), $${at}::bigint), health_check_sent_at = NULL,
     push_state = CASE WHEN push_state = 'unreachable' AND push_subscription IS NOT NULL THEN 'subscribed' ELSE push_state END
   WHERE id = $${id}::text`;

/** Every column of a device, as `registrations.byIdWithDevice` (and a request read for an answer) reads them beside the registration's. */
export const joinedDeviceColumns = [...deviceColumns.split(', '), 'last_receipt_at', 'health_check_sent_at'];

/** A registration read with its device's columns (`device__<column>`), as the joins below read them. */
const withDevice = (r: Record<string, unknown>) => {
  const device = joinedRow(r, 'device', joinedDeviceColumns);
  return { registration: toRegistration(r), device: device && toDevice(device) };
};

const q = {
  // Two passes issued at once for one user: the second waits, then revokes the first.
  passLockUser: statement('pass_lock_user', `SELECT pg_advisory_xact_lock(hashtextextended('nod pass ' || $1::text, 0))`),
  passRevokeAll: statement(
    'pass_revoke_all',
    'UPDATE temporary_access_passes SET revoked_at = $1 WHERE tenant_id = $2 AND user_id = $3 AND revoked_at IS NULL',
  ),
  passInsert: statement(
    'pass_insert',
    `INSERT INTO temporary_access_passes (id, tenant_id, user_id, secret_hash, one_time, created_at, expires_at, used_at, revoked_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL)`,
  ),
  passUsable: statement(
    'pass_usable',
    `SELECT * FROM temporary_access_passes WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL
     AND used_at IS NULL AND expires_at > $3 ORDER BY created_at DESC LIMIT 1`,
  ),
  passMarkUsed: statement(
    'pass_mark_used',
    'UPDATE temporary_access_passes SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND revoked_at IS NULL',
  ),
  sessionInsert: statement(
    'session_insert',
    `INSERT INTO enrollment_sessions (id, tenant_id, user_id, challenge, via, pass_id, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  ),
  sessionTake: statement('session_take', 'DELETE FROM enrollment_sessions WHERE id = $1 RETURNING *'),
  sessionPurge: statement('session_purge', 'DELETE FROM enrollment_sessions WHERE expires_at < $1'),
  codeInsert: statement(
    'code_insert',
    `INSERT INTO enrollment_codes (id, tenant_id, user_id, secret_hash, expires_at, used_at)
     VALUES ($1, $2, $3, $4, $5, NULL)`,
  ),
  codeTake: statement(
    'code_take',
    'UPDATE enrollment_codes SET used_at = $1 WHERE secret_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING *',
  ),
  // Enrolling again with a known device key refreshes that device; the row lock it takes orders
  // concurrent enrollments of one device, so each sees the registration the one before stored.
  deviceUpsert: statement(
    'device_upsert',
    `INSERT INTO devices (${deviceColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (tenant_id, thumbprint) DO UPDATE SET
       name = excluded.name,
       push_subscription = coalesce(excluded.push_subscription, devices.push_subscription),
       push_state = CASE WHEN excluded.push_subscription IS NULL THEN devices.push_state ELSE 'subscribed' END,
       last_seen_at = excluded.created_at
     RETURNING *`,
  ),
  deviceInsertOnce: statement(
    'device_insert_once',
    `INSERT INTO devices (${deviceColumns}) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9)
     ON CONFLICT (tenant_id, thumbprint) DO NOTHING RETURNING *`,
  ),
  deviceByThumbprint: statement('device_by_thumbprint', 'SELECT * FROM devices WHERE tenant_id = $1 AND thumbprint = $2'),
  deviceById: statement('device_by_id', 'SELECT * FROM devices WHERE id = $1'),
  deviceSetPush: statement(
    'device_set_push',
    'UPDATE devices SET push_subscription = $1, push_state = $2, health_check_sent_at = NULL WHERE id = $3',
  ),
  deviceReceipt: statement('device_receipt', deviceReceiptSql(1, 2)),
  deviceDueForHealthCheck: statement(
    'device_due_for_health_check',
    `SELECT * FROM devices WHERE kind = 'phone' AND push_state = 'subscribed' AND push_subscription IS NOT NULL
       AND health_check_sent_at IS NULL AND coalesce(last_receipt_at, 0) < $1 ORDER BY coalesce(last_receipt_at, 0) LIMIT $2`,
  ),
  deviceStartHealthCheck: statement(
    'device_start_health_check',
    'UPDATE devices SET health_check_sent_at = $2 WHERE id = $1 AND health_check_sent_at IS NULL',
  ),
  deviceFlagUnanswered: statement(
    'device_flag_unanswered',
    `UPDATE devices SET push_state = 'unreachable'
     WHERE push_state = 'subscribed' AND health_check_sent_at IS NOT NULL AND health_check_sent_at <= $1 RETURNING *`,
  ),
  deviceTouch: statement('device_touch', 'UPDATE devices SET last_seen_at = $1 WHERE id = $2'),
  browserUserGet: statement('browser_user_get', 'SELECT 1 FROM browser_users WHERE device_id = $1 AND user_id = $2'),
  browserUserAdd: statement(
    'browser_user_add',
    'INSERT INTO browser_users (device_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
  ),
  browsersOfUser: statement(
    'browsers_of_user',
    `SELECT d.*, b.created_at AS registered_at FROM browser_users b JOIN devices d ON d.id = b.device_id
     WHERE d.tenant_id = $1 AND b.user_id = $2 AND d.kind = 'browser' ORDER BY b.created_at, d.id`,
  ),
  browserUserUnregister: statement(
    'browser_user_unregister',
    'DELETE FROM browser_users WHERE device_id = $1 AND user_id = $2 AND device_id IN (SELECT id FROM devices WHERE tenant_id = $3) RETURNING 1',
  ),
  registrationInsert: statement(
    'registration_insert',
    `INSERT INTO registrations (id, tenant_id, user_id, device_id, credential_id, credential_public_key, sign_count, transports,
       backup_eligible, backup_state, phone_sign_in_enabled, totp_secret, totp_last_step, created_at, last_used_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
  ),
  registrationRemoveSameUserDevice: statement(
    'registration_remove_same_user_device',
    'DELETE FROM registrations WHERE user_id = $1 AND device_id = $2',
  ),
  registrationById: statement('registration_by_id', 'SELECT * FROM registrations WHERE id = $1'),
  registrationWithDevice: statement(
    'registration_with_device',
    `SELECT r.*, ${joinedColumns('d', 'device', joinedDeviceColumns)}
     FROM registrations r LEFT JOIN devices d ON d.id = r.device_id WHERE r.id = $1`,
  ),
  registrationsWithDevicesOfUser: statement(
    'registrations_with_devices_of_user',
    `SELECT r.*, ${joinedColumns('d', 'device', joinedDeviceColumns)}
     FROM registrations r LEFT JOIN devices d ON d.id = r.device_id WHERE r.tenant_id = $1 AND r.user_id = $2 ORDER BY r.created_at`,
  ),
  registrationByCredential: statement(
    'registration_by_credential',
    'SELECT * FROM registrations WHERE tenant_id = $1 AND credential_id = $2',
  ),
  registrationsOfUser: statement(
    'registrations_of_user',
    'SELECT * FROM registrations WHERE tenant_id = $1 AND user_id = $2 ORDER BY created_at',
  ),
  registrationsOfDevice: statement('registrations_of_device', 'SELECT * FROM registrations WHERE device_id = $1 ORDER BY created_at'),
  registrationsOnDeviceForUser: statement(
    'registrations_on_device_for_user',
    'SELECT * FROM registrations WHERE device_id = $1 AND user_id = $2 ORDER BY created_at',
  ),
  registrationPhoneSignIn: statement('registration_phone_sign_in', 'UPDATE registrations SET phone_sign_in_enabled = $1 WHERE id = $2'),
  registrationCounter: statement(
    'registration_counter',
    'UPDATE registrations SET sign_count = $1, last_used_at = $2 WHERE id = $3 AND sign_count = $4',
  ),
  registrationTotp: statement(
    'registration_totp',
    'UPDATE registrations SET totp_last_step = $1, last_used_at = $2 WHERE id = $3 AND totp_last_step < $1',
  ),
  registrationDelete: statement('registration_delete', 'DELETE FROM registrations WHERE id = $1'),
  passesOfUser: statement(
    'passes_of_user',
    'SELECT * FROM temporary_access_passes WHERE tenant_id = $1 AND user_id = $2 ORDER BY created_at DESC, id',
  ),
  passRevoke: statement(
    'pass_revoke',
    'UPDATE temporary_access_passes SET revoked_at = $1 WHERE tenant_id = $2 AND id = $3 AND revoked_at IS NULL AND used_at IS NULL',
  ),
  devicesOfUser: statement(
    'devices_of_user',
    `SELECT * FROM devices WHERE tenant_id = $1 AND id IN (
       SELECT device_id FROM registrations WHERE tenant_id = $1 AND user_id = $2
       UNION SELECT device_id FROM browser_users WHERE user_id = $2)
     ORDER BY created_at, id`,
  ),
  registrationsRemoveUserDevice: statement(
    'registrations_remove_user_device',
    'DELETE FROM registrations WHERE tenant_id = $1 AND user_id = $2 AND device_id = $3',
  ),
  browserUserRemove: statement(
    'browser_user_remove',
    'DELETE FROM browser_users WHERE user_id = $2 AND device_id IN (SELECT id FROM devices WHERE tenant_id = $1 AND id = $3)',
  ),
};

const deviceValues = (d: Device) => [
  d.id,
  d.tenantId,
  d.kind,
  d.name,
  json(d.publicKey),
  d.thumbprint,
  json(d.pushSubscription),
  d.pushState,
  d.createdAt,
  d.lastSeenAt,
];

const registrationValues = (r: Registration) => [
  r.id,
  r.tenantId,
  r.userId,
  r.deviceId,
  r.credentialId,
  r.credentialPublicKey,
  r.signCount,
  json(r.transports),
  r.backupEligible,
  r.backupState,
  r.phoneSignInEnabled,
  r.totpSecret,
  r.totpLastStep,
  r.createdAt,
  r.lastUsedAt,
];

/** Temporary Access Passes, enrollment, devices and registrations on PostgreSQL. */
export function credentialTables(
  db: PostgresDatabase,
): Pick<Storage, 'temporaryAccessPasses' | 'enrollment' | 'devices' | 'registrations'> {
  return {
    temporaryAccessPasses: {
      async replace(pass) {
        await db.transaction(async (sql) => {
          await sql.one(q.passLockUser, [pass.userId]);
          await sql.run(q.passRevokeAll, [pass.createdAt, pass.tenantId, pass.userId]);
          await sql.run(q.passInsert, [pass.id, pass.tenantId, pass.userId, pass.secretHash, pass.oneTime, pass.createdAt, pass.expiresAt]);
        });
      },
      async usableFor(tenantId, userId, now) {
        return maybe(await db.one(q.passUsable, [tenantId, userId, now]), toPass);
      },
      async markUsed(id, at) {
        return (await db.run(q.passMarkUsed, [at, id])) === 1;
      },
      async revokeAll(tenantId, userId, at) {
        await db.run(q.passRevokeAll, [at, tenantId, userId]);
      },
      async listForUser(tenantId, userId) {
        return (await db.rows(q.passesOfUser, [tenantId, userId])).map(toPass);
      },
      async revoke(tenantId, id, at) {
        return (await db.run(q.passRevoke, [at, tenantId, id])) === 1;
      },
    },
    enrollment: {
      async createSession(session) {
        // Sessions live ten minutes; anything a day past its expiry is surely abandoned.
        await db.run(q.sessionPurge, [session.expiresAt - 24 * 3600_000]);
        await db.run(q.sessionInsert, [
          session.id,
          session.tenantId,
          session.userId,
          session.challenge,
          session.via,
          session.passId,
          session.expiresAt,
        ]);
      },
      async takeSession(id) {
        return maybe(await db.one(q.sessionTake, [id]), toSession);
      },
      async createCode(code) {
        await db.run(q.codeInsert, [code.id, code.tenantId, code.userId, code.secretHash, code.expiresAt]);
      },
      async takeCode(secretHash, now) {
        return maybe(await db.one(q.codeTake, [now, secretHash]), toCode);
      },
      async complete(device, registration) {
        return db.transaction(async (sql) => {
          const stored = toDevice((await sql.one(q.deviceUpsert, deviceValues(device)))!);
          // One registration per account per device: enrolling again replaces the old credential.
          await sql.run(q.registrationRemoveSameUserDevice, [registration.userId, stored.id]);
          const saved: Registration = { ...registration, deviceId: stored.id };
          await sql.run(q.registrationInsert, registrationValues(saved));
          return { device: stored, registration: saved };
        });
      },
    },
    devices: {
      async byId(id) {
        return maybe(await db.one(q.deviceById, [id]), toDevice);
      },
      async registerBrowser(device) {
        const inserted = await db.one(q.deviceInsertOnce, [
          device.id,
          device.tenantId,
          device.kind,
          device.name,
          json(device.publicKey),
          device.thumbprint,
          device.pushState,
          device.createdAt,
          device.lastSeenAt,
        ]);
        if (inserted) return toDevice(inserted);
        // The key is known (or a concurrent call stored it first, and that row is committed now).
        return toDevice((await db.one(q.deviceByThumbprint, [device.tenantId, device.thumbprint]))!);
      },
      async browserRegisteredFor(deviceId, userId) {
        return (await db.one(q.browserUserGet, [deviceId, userId])) !== undefined;
      },
      async addBrowserUser(deviceId, userId, at) {
        await db.run(q.browserUserAdd, [deviceId, userId, at]);
      },
      async browsersOfUser(tenantId, userId) {
        return (await db.rows(q.browsersOfUser, [tenantId, userId])).map((r) => ({
          device: toDevice(r),
          registeredAt: Number(r.registered_at),
        }));
      },
      async removeBrowserUser(tenantId, deviceId, userId) {
        return (await db.one(q.browserUserUnregister, [deviceId, userId, tenantId])) !== undefined;
      },
      async setPush(id, subscription, state) {
        await db.run(q.deviceSetPush, [json(subscription), state, id]);
      },
      async touch(id, at) {
        await db.run(q.deviceTouch, [at, id]);
      },
      async listForUser(tenantId, userId) {
        return (await db.rows(q.devicesOfUser, [tenantId, userId])).map(toDevice);
      },
      async removeForUser(tenantId, deviceId, userId) {
        return db.transaction(async (sql) => {
          const registrations = await sql.run(q.registrationsRemoveUserDevice, [tenantId, userId, deviceId]);
          const browsers = await sql.run(q.browserUserRemove, [tenantId, userId, deviceId]);
          return registrations + browsers > 0;
        });
      },
      async recordReceipt(id, at) {
        await db.run(q.deviceReceipt, [id, at]);
      },
      async dueForHealthCheck(receivedBefore, limit) {
        return (await db.rows(q.deviceDueForHealthCheck, [receivedBefore, limit])).map(toDevice);
      },
      async startHealthCheck(id, at) {
        return (await db.run(q.deviceStartHealthCheck, [id, at])) === 1;
      },
      async flagUnansweredHealthChecks(sentBefore) {
        return (await db.rows(q.deviceFlagUnanswered, [sentBefore])).map(toDevice);
      },
    },
    registrations: {
      async byId(id) {
        return maybe(await db.one(q.registrationById, [id]), toRegistration);
      },
      async byCredentialId(tenantId, credentialId) {
        return maybe(await db.one(q.registrationByCredential, [tenantId, credentialId]), toRegistration);
      },
      async listForUser(tenantId, userId) {
        return (await db.rows(q.registrationsOfUser, [tenantId, userId])).map(toRegistration);
      },
      async listForDevice(deviceId) {
        return (await db.rows(q.registrationsOfDevice, [deviceId])).map(toRegistration);
      },
      async onDeviceForUser(deviceId, userId) {
        return (await db.rows(q.registrationsOnDeviceForUser, [deviceId, userId])).map(toRegistration);
      },
      async setPhoneSignIn(id, enabled) {
        await db.run(q.registrationPhoneSignIn, [enabled, id]);
      },
      async updateCounter(id, expected, next, usedAt) {
        return (await db.run(q.registrationCounter, [next, usedAt, id, expected])) === 1;
      },
      async useTotpStep(id, step, usedAt) {
        return (await db.run(q.registrationTotp, [step, usedAt, id])) === 1;
      },
      async delete(id) {
        await db.run(q.registrationDelete, [id]);
      },
      async byIdWithDevice(id) {
        return maybe(await db.one(q.registrationWithDevice, [id]), withDevice);
      },
      async listForUserWithDevices(tenantId, userId) {
        return (await db.rows(q.registrationsWithDevicesOfUser, [tenantId, userId])).map(withDevice);
      },
    },
  };
}
