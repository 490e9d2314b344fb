import type Database from 'better-sqlite3';
import type { Storage } from '../Storage';
import type { Device, EnrollmentCode, EnrollmentSession, Registration } from '../model';
import { changedRow } from './changedRow';
import {
  deviceSelect,
  deviceSelectOf,
  registrationColumnCount,
  registrationSelectOf,
  toDevice,
  toDeviceAt,
  toDeviceFromArray,
  toPass,
  toRegistration,
  toRegistrationAt,
} from './rows';

type Row = Record<string, unknown>;

/** Temporary Access Passes, enrollment, devices and registrations on SQLite. */
/** A push reached the device (`devices.recordReceipt`; sign-in deliveries store it in their own transaction). */
export const deviceReceiptSql = `UPDATE devices SET last_receipt_at = max(coalesce(last_receipt_at, 0), @at), health_check_sent_at = NULL,
    push_state = CASE WHEN push_state = 'unreachable' AND push_subscription IS NOT NULL THEN 'subscribed' ELSE push_state END
  WHERE id = @id`;

export function credentialTables(
  db: Database.Database,
): Pick<Storage, 'temporaryAccessPasses' | 'enrollment' | 'devices' | 'registrations'> {
  const q = {
    passRevokeAll: db.prepare(
      'UPDATE temporary_access_passes SET revoked_at = ? WHERE tenant_id = ? AND user_id = ? AND revoked_at IS NULL',
    ),
    passInsert: db.prepare(
      `INSERT INTO temporary_access_passes (id, tenant_id, user_id, secret_hash, one_time, created_at, expires_at, used_at, revoked_at)
       VALUES (@id, @tenantId, @userId, @secretHash, @oneTime, @createdAt, @expiresAt, NULL, NULL)`,
    ),
    passUsable: db.prepare(
      `SELECT * FROM temporary_access_passes WHERE tenant_id = ? AND user_id = ? AND revoked_at IS NULL
       AND used_at IS NULL AND expires_at > ? ORDER BY created_at DESC LIMIT 1`,
    ),
    passMarkUsed: db.prepare('UPDATE temporary_access_passes SET used_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL'),
    sessionInsert: db.prepare(
      `INSERT INTO enrollment_sessions (id, tenant_id, user_id, challenge, via, pass_id, expires_at)
       VALUES (@id, @tenantId, @userId, @challenge, @via, @passId, @expiresAt)`,
    ),
    sessionTake: db.prepare('DELETE FROM enrollment_sessions WHERE id = ? RETURNING *'),
    sessionPurge: db.prepare('DELETE FROM enrollment_sessions WHERE expires_at < ?'),
    codeInsert: db.prepare(
      `INSERT INTO enrollment_codes (id, tenant_id, user_id, secret_hash, expires_at, used_at)
       VALUES (@id, @tenantId, @userId, @secretHash, @expiresAt, NULL)`,
    ),
    codeTake: db.prepare(
      'UPDATE enrollment_codes SET used_at = ? WHERE secret_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING *',
    ),
    deviceByThumbprint: db.prepare('SELECT * FROM devices WHERE tenant_id = ? AND thumbprint = ?'),
    deviceInsert: db.prepare(
      `INSERT INTO devices (id, tenant_id, kind, name, public_key, thumbprint, push_subscription, push_state, created_at, last_seen_at)
       VALUES (@id, @tenantId, @kind, @name, @publicKey, @thumbprint, @pushSubscription, @pushState, @createdAt, @lastSeenAt)`,
    ),
    deviceRefresh: db.prepare(
      'UPDATE devices SET name = @name, push_subscription = @pushSubscription, push_state = @pushState, last_seen_at = @lastSeenAt WHERE id = @id',
    ),
    deviceById: db.prepare(`SELECT ${deviceSelect} FROM devices WHERE id = ?`).raw(true),
    deviceSetPush: db.prepare('UPDATE devices SET push_subscription = ?, push_state = ?, health_check_sent_at = NULL WHERE id = ?'),
    deviceReceipt: db.prepare(deviceReceiptSql),
    deviceDueForHealthCheck: db.prepare(
      `SELECT * FROM devices WHERE kind = 'phone' AND push_state = 'subscribed' AND push_subscription IS NOT NULL
         AND health_check_sent_at IS NULL AND coalesce(last_receipt_at, 0) < ? ORDER BY coalesce(last_receipt_at, 0) LIMIT ?`,
    ),
    deviceStartHealthCheck: db.prepare('UPDATE devices SET health_check_sent_at = ? WHERE id = ? AND health_check_sent_at IS NULL'),
    deviceFlagUnanswered: db.prepare(
      `UPDATE devices SET push_state = 'unreachable'
       WHERE push_state = 'subscribed' AND health_check_sent_at IS NOT NULL AND health_check_sent_at <= ? RETURNING *`,
    ),
    deviceTouch: db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?'),
    browserUserGet: db.prepare('SELECT 1 FROM browser_users WHERE device_id = ? AND user_id = ?'),
    browserUserAdd: db.prepare('INSERT OR IGNORE INTO browser_users (device_id, user_id, created_at) VALUES (?, ?, ?)'),
    browsersOfUser: db.prepare(
      `SELECT d.*, b.created_at AS registered_at FROM browser_users b JOIN devices d ON d.id = b.device_id
       WHERE d.tenant_id = ? AND b.user_id = ? AND d.kind = 'browser' ORDER BY b.created_at, d.id`,
    ),
    browserUserUnregister: db.prepare(
      'DELETE FROM browser_users WHERE device_id = ? AND user_id = ? AND device_id IN (SELECT id FROM devices WHERE tenant_id = ?)',
    ),
    registrationInsert: db.prepare(
      `INSERT INTO registrations (id, tenant_id, user_id, device_id, credential_id, credential_public_key, sign_count, transports,
         backup_eligible, backup_state, phone_sign_in_enabled, totp_secret, totp_last_step, created_at, last_used_at)
       VALUES (@id, @tenantId, @userId, @deviceId, @credentialId, @credentialPublicKey, @signCount, @transports,
         @backupEligible, @backupState, @phoneSignInEnabled, @totpSecret, @totpLastStep, @createdAt, @lastUsedAt)`,
    ),
    registrationRemoveSameUserDevice: db.prepare('DELETE FROM registrations WHERE user_id = ? AND device_id = ?'),
    registrationById: db.prepare('SELECT * FROM registrations WHERE id = ?'),
    registrationByCredential: db.prepare('SELECT * FROM registrations WHERE tenant_id = ? AND credential_id = ?'),
    registrationsOfUser: db.prepare('SELECT * FROM registrations WHERE tenant_id = ? AND user_id = ? ORDER BY created_at'),
    registrationsOfDevice: db.prepare('SELECT * FROM registrations WHERE device_id = ? ORDER BY created_at'),
    registrationsOnDeviceForUser: db.prepare('SELECT * FROM registrations WHERE device_id = ? AND user_id = ? ORDER BY created_at'),
    registrationPhoneSignIn: db.prepare('UPDATE registrations SET phone_sign_in_enabled = ? WHERE id = ?'),
    registrationCounter: db.prepare('UPDATE registrations SET sign_count = ?, last_used_at = ? WHERE id = ? AND sign_count = ?'),
    registrationTotp: db.prepare('UPDATE registrations SET totp_last_step = ?, last_used_at = ? WHERE id = ? AND totp_last_step < ?'),
    registrationDelete: db.prepare('DELETE FROM registrations WHERE id = ?'),
    registrationWithDevice: db
      .prepare(
        `SELECT ${registrationSelectOf('r')}, ${deviceSelectOf('d')} FROM registrations r LEFT JOIN devices d ON d.id = r.device_id
       WHERE r.id = ?`,
      )
      .raw(true),
    registrationsWithDevicesOfUser: db
      .prepare(
        `SELECT ${registrationSelectOf('r')}, ${deviceSelectOf('d')} FROM registrations r LEFT JOIN devices d ON d.id = r.device_id
       WHERE r.tenant_id = ? AND r.user_id = ? ORDER BY r.created_at`,
      )
      .raw(true),
    passesOfUser: db.prepare('SELECT * FROM temporary_access_passes WHERE tenant_id = ? AND user_id = ? ORDER BY created_at DESC, id'),
    passRevoke: db.prepare(
      'UPDATE temporary_access_passes SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL AND used_at IS NULL',
    ),
    devicesOfUser: db.prepare(
      `SELECT * FROM devices WHERE tenant_id = @tenantId AND id IN (
         SELECT device_id FROM registrations WHERE tenant_id = @tenantId AND user_id = @userId
         UNION SELECT device_id FROM browser_users WHERE user_id = @userId)
       ORDER BY created_at, id`,
    ),
    registrationsRemoveUserDevice: db.prepare('DELETE FROM registrations WHERE tenant_id = ? AND user_id = ? AND device_id = ?'),
    browserUserRemove: db.prepare(
      'DELETE FROM browser_users WHERE user_id = ? AND device_id IN (SELECT id FROM devices WHERE tenant_id = ? AND id = ?)',
    ),
  };
  const removeDeviceForUser = db.transaction((tenantId: string, deviceId: string, userId: string): boolean => {
    const registrations = q.registrationsRemoveUserDevice.run(tenantId, userId, deviceId).changes;
    const browsers = q.browserUserRemove.run(userId, tenantId, deviceId).changes;
    return registrations + browsers > 0;
  });
  const one = <T>(row: unknown, map: (r: Row) => T) => (row ? map(row as Row) : undefined);
  /** A registration and its device read as one array row (`registrationSelectOf`, then `deviceSelectOf`). */
  const withDevice = (r: unknown[]) => ({ registration: toRegistrationAt(r, 0)!, device: toDeviceAt(r, registrationColumnCount) });

  const replacePass = db.transaction((pass: Parameters<Storage['temporaryAccessPasses']['replace']>[0]) => {
    q.passRevokeAll.run(pass.createdAt, pass.tenantId, pass.userId);
    q.passInsert.run({ ...pass, oneTime: pass.oneTime ? 1 : 0 });
  });

  const completeEnrollment = db.transaction((device: Device, registration: Registration) => {
    const existing = one(q.deviceByThumbprint.get(device.tenantId, device.thumbprint), toDevice);
    const stored: Device = existing
      ? {
          ...existing,
          name: device.name,
          pushSubscription: device.pushSubscription ?? existing.pushSubscription,
          pushState: device.pushSubscription ? 'subscribed' : existing.pushState,
          lastSeenAt: device.createdAt,
        }
      : device;
    const encoded = {
      ...stored,
      publicKey: JSON.stringify(stored.publicKey),
      pushSubscription: stored.pushSubscription ? JSON.stringify(stored.pushSubscription) : null,
    };
    if (existing) q.deviceRefresh.run(encoded);
    else q.deviceInsert.run(encoded);
    // One registration per account per device: enrolling again replaces the old credential.
    q.registrationRemoveSameUserDevice.run(registration.userId, stored.id);
    const saved: Registration = { ...registration, deviceId: stored.id };
    q.registrationInsert.run({
      ...saved,
      transports: JSON.stringify(saved.transports),
      backupEligible: saved.backupEligible ? 1 : 0,
      backupState: saved.backupState ? 1 : 0,
      phoneSignInEnabled: saved.phoneSignInEnabled ? 1 : 0,
    });
    return { device: stored, registration: saved };
  });

  const registerBrowser = db.transaction((device: Device): Device => {
    const existing = one(q.deviceByThumbprint.get(device.tenantId, device.thumbprint), toDevice);
    if (existing) return existing;
    q.deviceInsert.run({ ...device, publicKey: JSON.stringify(device.publicKey), pushSubscription: null });
    return device;
  });

  return {
    temporaryAccessPasses: {
      async replace(pass) {
        replacePass(pass);
      },
      async usableFor(tenantId, userId, now) {
        return one(q.passUsable.get(tenantId, userId, now), toPass);
      },
      async markUsed(id, at) {
        return q.passMarkUsed.run(at, id).changes === 1;
      },
      async revokeAll(tenantId, userId, at) {
        q.passRevokeAll.run(at, tenantId, userId);
      },
      async listForUser(tenantId, userId) {
        return (q.passesOfUser.all(tenantId, userId) as Row[]).map(toPass);
      },
      async revoke(tenantId, id, at) {
        return q.passRevoke.run(at, tenantId, id).changes === 1;
      },
    },
    enrollment: {
      async createSession(session) {
        // Sessions live ten minutes; anything a day past its expiry is surely abandoned.
        q.sessionPurge.run(session.expiresAt - 24 * 3600_000);
        q.sessionInsert.run(session);
      },
      async takeSession(id) {
        const row = changedRow(q.sessionTake, id);
        if (!row) return undefined;
        return {
          id: String(row.id),
          tenantId: String(row.tenant_id),
          userId: String(row.user_id),
          challenge: String(row.challenge),
          via: row.via === 'enrollment_code' ? 'enrollment_code' : 'temporary_access_pass',
          passId: row.pass_id === null || row.pass_id === undefined ? null : String(row.pass_id),
          expiresAt: Number(row.expires_at),
        } satisfies EnrollmentSession;
      },
      async createCode(code) {
        q.codeInsert.run(code);
      },
      async takeCode(secretHash, now) {
        const row = changedRow(q.codeTake, now, secretHash, now);
        if (!row) return undefined;
        return {
          id: String(row.id),
          tenantId: String(row.tenant_id),
          userId: String(row.user_id),
          secretHash: String(row.secret_hash),
          expiresAt: Number(row.expires_at),
          usedAt: Number(row.used_at),
        } satisfies EnrollmentCode;
      },
      async complete(device, registration) {
        return completeEnrollment(device, registration);
      },
    },
    devices: {
      async byId(id) {
        const row = q.deviceById.get(id) as unknown[] | undefined;
        return row ? toDeviceFromArray(row) : undefined;
      },
      async setPush(id, subscription, state) {
        q.deviceSetPush.run(subscription ? JSON.stringify(subscription) : null, state, id);
      },
      async touch(id, at) {
        q.deviceTouch.run(at, id);
      },
      async listForUser(tenantId, userId) {
        return (q.devicesOfUser.all({ tenantId, userId }) as Row[]).map(toDevice);
      },
      async removeForUser(tenantId, deviceId, userId) {
        return removeDeviceForUser(tenantId, deviceId, userId);
      },
      async recordReceipt(id, at) {
        q.deviceReceipt.run({ id, at });
      },
      async dueForHealthCheck(receivedBefore, limit) {
        return (q.deviceDueForHealthCheck.all(receivedBefore, limit) as Row[]).map(toDevice);
      },
      async startHealthCheck(id, at) {
        return q.deviceStartHealthCheck.run(at, id).changes === 1;
      },
      async flagUnansweredHealthChecks(sentBefore) {
        // `.all()` runs the statement to its end: a write that fails throws rather than returning rows.
        return (q.deviceFlagUnanswered.all(sentBefore) as Row[]).map(toDevice);
      },
      async registerBrowser(device) {
        return registerBrowser(device);
      },
      async browserRegisteredFor(deviceId, userId) {
        return q.browserUserGet.get(deviceId, userId) !== undefined;
      },
      async addBrowserUser(deviceId, userId, at) {
        q.browserUserAdd.run(deviceId, userId, at);
      },
      async browsersOfUser(tenantId, userId) {
        return (q.browsersOfUser.all(tenantId, userId) as Row[]).map((r) => ({
          device: toDevice(r),
          registeredAt: Number(r.registered_at),
        }));
      },
      async removeBrowserUser(tenantId, deviceId, userId) {
        return q.browserUserUnregister.run(deviceId, userId, tenantId).changes === 1;
      },
    },
    registrations: {
      async byId(id) {
        return one(q.registrationById.get(id), toRegistration);
      },
      async byCredentialId(tenantId, credentialId) {
        return one(q.registrationByCredential.get(tenantId, credentialId), toRegistration);
      },
      async listForUser(tenantId, userId) {
        return (q.registrationsOfUser.all(tenantId, userId) as Row[]).map(toRegistration);
      },
      async listForDevice(deviceId) {
        return (q.registrationsOfDevice.all(deviceId) as Row[]).map(toRegistration);
      },
      async onDeviceForUser(deviceId, userId) {
        return (q.registrationsOnDeviceForUser.all(deviceId, userId) as Row[]).map(toRegistration);
      },
      async setPhoneSignIn(id, enabled) {
        q.registrationPhoneSignIn.run(enabled ? 1 : 0, id);
      },
      async updateCounter(id, expected, next, usedAt) {
        return q.registrationCounter.run(next, usedAt, id, expected).changes === 1;
      },
      async useTotpStep(id, step, usedAt) {
        return q.registrationTotp.run(step, usedAt, id, step).changes === 1;
      },
      async delete(id) {
        q.registrationDelete.run(id);
      },
      async byIdWithDevice(id) {
        const row = q.registrationWithDevice.get(id) as unknown[] | undefined;
        return row && withDevice(row);
      },
      async listForUserWithDevices(tenantId, userId) {
        return (q.registrationsWithDevicesOfUser.all(tenantId, userId) as unknown[][]).map(withDevice);
      },
    },
  };
}
