/**
 * Numbered migrations. Each runs once, in order, inside a transaction, and the database's
 * user_version records the last one applied. Never edit a migration that has shipped: add one.
 */
export const migrations: string[] = [
  // 1: identity core — tenants, users, groups, policy, admin tokens, passes, devices, registrations, audit.
  `
  CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    sign_in_origins TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('member', 'guest')),
    blocked_at INTEGER,
    password_hash TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, username)
  );
  CREATE TABLE groups (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, name)
  );
  CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
  );
  CREATE INDEX group_members_user ON group_members(user_id);
  CREATE TABLE policies (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE admin_tokens (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    role TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE TABLE temporary_access_passes (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL,
    one_time INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    revoked_at INTEGER
  );
  CREATE INDEX taps_user ON temporary_access_passes(user_id);
  CREATE TABLE enrollment_sessions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    challenge TEXT NOT NULL,
    via TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE enrollment_codes (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL UNIQUE,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  );
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    public_key TEXT NOT NULL,
    thumbprint TEXT NOT NULL,
    push_subscription TEXT,
    push_state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER,
    UNIQUE (tenant_id, thumbprint)
  );
  CREATE TABLE registrations (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    device_id TEXT NOT NULL REFERENCES devices(id),
    credential_id TEXT NOT NULL,
    credential_public_key TEXT NOT NULL,
    sign_count INTEGER NOT NULL,
    transports TEXT NOT NULL,
    backup_eligible INTEGER NOT NULL,
    backup_state INTEGER NOT NULL,
    phone_sign_in_enabled INTEGER NOT NULL,
    totp_secret TEXT NOT NULL,
    totp_last_step INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    UNIQUE (tenant_id, credential_id)
  );
  CREATE INDEX registrations_user ON registrations(user_id);
  CREATE INDEX registrations_device ON registrations(device_id);
  CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    user_id TEXT,
    username TEXT,
    device_id TEXT,
    method TEXT,
    origin TEXT,
    ip TEXT,
    user_agent TEXT,
    detail TEXT
  );
  CREATE INDEX audit_tenant_at ON audit_events(tenant_id, at);
  `,
  // 2: sign-in requests, one-time grants, OIDC clients and the OIDC provider's own records.
  `
  CREATE TABLE sign_in_requests (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    user_id TEXT,
    username TEXT NOT NULL,
    kind TEXT NOT NULL,
    origin TEXT NOT NULL,
    context TEXT NOT NULL,
    number INTEGER NOT NULL,
    nonce TEXT NOT NULL,
    collector_hash TEXT NOT NULL,
    collector_key TEXT,
    browser_device_id TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    deliverable INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    answered_at INTEGER,
    answered_by TEXT,
    ip TEXT,
    user_agent TEXT
  );
  CREATE INDEX sign_in_requests_user ON sign_in_requests(tenant_id, user_id, status);
  CREATE INDEX sign_in_requests_username ON sign_in_requests(tenant_id, username, status);
  CREATE INDEX sign_in_requests_due ON sign_in_requests(status, expires_at);
  CREATE TABLE browser_users (
    device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, user_id)
  );
  CREATE INDEX sign_in_requests_collector ON sign_in_requests(collector_key, status);
  CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    tenant_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    request_id TEXT,
    method TEXT NOT NULL,
    amr TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  );
  CREATE TABLE oidc_clients (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    client_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, client_id)
  );
  CREATE TABLE oidc_records (
    model TEXT NOT NULL,
    id TEXT NOT NULL,
    payload TEXT NOT NULL,
    grant_id TEXT,
    user_code TEXT,
    uid TEXT,
    expires_at INTEGER,
    consumed_at INTEGER,
    PRIMARY KEY (model, id)
  );
  CREATE INDEX oidc_records_grant ON oidc_records(grant_id);
  CREATE INDEX oidc_records_uid ON oidc_records(model, uid);
  CREATE INDEX oidc_records_user_code ON oidc_records(model, user_code);
  ALTER TABLE users ADD COLUMN last_method TEXT;
  `,
  // 3: a one-time Temporary Access Pass is used up when the phone finishes enrolling, not when it starts.
  `
  ALTER TABLE enrollment_sessions ADD COLUMN pass_id TEXT;
  `,
  // 4: the expiry sweep reads only pending requests; finished ones (most rows) stay out of its index.
  `
  DROP INDEX sign_in_requests_due;
  CREATE INDEX sign_in_requests_pending_expiry ON sign_in_requests(expires_at) WHERE status = 'pending';
  `,
  // 5: readiness writes one row here: a full or read-only disk shows before a sign-in finds it.
  `
  CREATE TABLE storage_probe (id INTEGER PRIMARY KEY CHECK (id = 1), written_at INTEGER NOT NULL);
  `,
  // 6: an admin can disable an account (no sign-in until enabled again); the admin list pages users by username.
  `
  ALTER TABLE users ADD COLUMN disabled_at INTEGER;
  `,
  // 7: the limiters' counters and sliding windows (server/limits); push MFA remembers its first factor.
  `
  CREATE TABLE limit_counters (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    username TEXT,
    count INTEGER NOT NULL,
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL
  );
  CREATE INDEX limit_counters_user ON limit_counters(tenant_id, username);
  CREATE TABLE limit_events (
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    username TEXT,
    at INTEGER NOT NULL
  );
  CREATE INDEX limit_events_key ON limit_events(key, at);
  CREATE INDEX limit_events_user ON limit_events(tenant_id, username);
  ALTER TABLE sign_in_requests ADD COLUMN first_factor TEXT;
  `,
  // 8: the replay guard of device-signed calls, kept across restarts; OIDC records are now stored
  // under the SHA-256 of their id (a token or cookie value), so the ones stored by the id itself go.
  `
  CREATE TABLE used_device_signatures (
    device_id TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, input_hash)
  );
  CREATE INDEX used_device_signatures_expiry ON used_device_signatures(expires_at);
  DELETE FROM oidc_records;
  `,
  // 9: delivery receipts (which device a request reached, when) and the daily push health check.
  `
  CREATE TABLE sign_in_deliveries (
    request_id TEXT NOT NULL REFERENCES sign_in_requests(id) ON DELETE CASCADE,
    device_id TEXT NOT NULL,
    delivered_at INTEGER NOT NULL,
    PRIMARY KEY (request_id, device_id)
  );
  ALTER TABLE devices ADD COLUMN last_receipt_at INTEGER;
  ALTER TABLE devices ADD COLUMN health_check_sent_at INTEGER;
  `,
  // 10: who may use the admin center, in which roles (per tenant user).
  `
  CREATE TABLE admin_role_assignments (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id, role)
  );
  `,
  // 11: home realm discovery — the domains a tenant registered (each domain belongs to one tenant);
  // where each audited sign-in came from, in words (server/location).
  `
  CREATE TABLE tenant_domains (
    domain TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    created_at INTEGER NOT NULL
  );
  CREATE INDEX tenant_domains_tenant ON tenant_domains(tenant_id);
  ALTER TABLE audit_events ADD COLUMN location TEXT;
  `,
  // 12: whether the browser that created a request may learn its delivery stage (a decoy's and a
  // real user's request look alike to any other browser). Older requests: not.
  `
  ALTER TABLE sign_in_requests ADD COLUMN collector_known INTEGER NOT NULL DEFAULT 0;
  `,
  // 13: each limit key's number of stored events, kept by triggers, so an admission reads a
  // window's count instead of counting its events (a source's window can hold thousands).
  `
  CREATE TABLE limit_event_counts (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL
  );
  INSERT INTO limit_event_counts (key, count) SELECT key, count(*) FROM limit_events GROUP BY key;
  CREATE TRIGGER limit_events_counted AFTER INSERT ON limit_events BEGIN
    INSERT INTO limit_event_counts (key, count) VALUES (NEW.key, 1) ON CONFLICT (key) DO UPDATE SET count = count + 1;
  END;
  CREATE TRIGGER limit_events_uncounted AFTER DELETE ON limit_events BEGIN
    UPDATE limit_event_counts SET count = count - 1 WHERE key = OLD.key;
  END;
  `,
  // 14: fewer pages written per sign-in. The request lookups by user, username and desktop are of
  // pending requests only (and the denials of a user's answered ones): partial indexes hold just
  // those, stay small, and an answered request leaves them once instead of moving within them at
  // every step. Tables keyed by text are stored in their key's own b-tree (WITHOUT ROWID), one
  // b-tree per write instead of two; a user's sliding-window events are indexed by user only when
  // they have one (a source's window has none).
  `
  DROP INDEX sign_in_requests_user;
  DROP INDEX sign_in_requests_username;
  DROP INDEX sign_in_requests_collector;
  CREATE INDEX sign_in_requests_pending_user ON sign_in_requests(tenant_id, user_id, created_at) WHERE status = 'pending';
  CREATE INDEX sign_in_requests_pending_username ON sign_in_requests(tenant_id, username) WHERE status = 'pending';
  CREATE INDEX sign_in_requests_pending_collector ON sign_in_requests(collector_key, created_at) WHERE status = 'pending';
  CREATE INDEX sign_in_requests_denials ON sign_in_requests(tenant_id, user_id, answered_at) WHERE status IN ('denied', 'reported');

  CREATE TABLE used_device_signatures_keyed (
    device_id TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, input_hash)
  ) WITHOUT ROWID;
  INSERT INTO used_device_signatures_keyed (device_id, input_hash, expires_at)
    SELECT device_id, input_hash, expires_at FROM used_device_signatures;
  DROP TABLE used_device_signatures;
  ALTER TABLE used_device_signatures_keyed RENAME TO used_device_signatures;
  CREATE INDEX used_device_signatures_expiry ON used_device_signatures(expires_at);

  CREATE TABLE limit_counters_keyed (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    username TEXT,
    count INTEGER NOT NULL,
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO limit_counters_keyed (key, kind, tenant_id, username, count, first_at, last_at)
    SELECT key, kind, tenant_id, username, count, first_at, last_at FROM limit_counters;
  DROP TABLE limit_counters;
  ALTER TABLE limit_counters_keyed RENAME TO limit_counters;
  CREATE INDEX limit_counters_user ON limit_counters(tenant_id, username);

  DROP TRIGGER limit_events_counted;
  DROP TRIGGER limit_events_uncounted;
  CREATE TABLE limit_event_counts_keyed (key TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO limit_event_counts_keyed (key, count) SELECT key, count FROM limit_event_counts;
  DROP TABLE limit_event_counts;
  ALTER TABLE limit_event_counts_keyed RENAME TO limit_event_counts;
  CREATE TRIGGER limit_events_counted AFTER INSERT ON limit_events BEGIN
    INSERT INTO limit_event_counts (key, count) VALUES (NEW.key, 1) ON CONFLICT (key) DO UPDATE SET count = count + 1;
  END;
  CREATE TRIGGER limit_events_uncounted AFTER DELETE ON limit_events BEGIN
    UPDATE limit_event_counts SET count = count - 1 WHERE key = OLD.key;
  END;
  DROP INDEX limit_events_user;
  CREATE INDEX limit_events_user ON limit_events(tenant_id, username) WHERE username IS NOT NULL;

  CREATE TABLE sign_in_deliveries_keyed (
    request_id TEXT NOT NULL REFERENCES sign_in_requests(id) ON DELETE CASCADE,
    device_id TEXT NOT NULL,
    delivered_at INTEGER NOT NULL,
    PRIMARY KEY (request_id, device_id)
  ) WITHOUT ROWID;
  INSERT INTO sign_in_deliveries_keyed (request_id, device_id, delivered_at)
    SELECT request_id, device_id, delivered_at FROM sign_in_deliveries;
  DROP TABLE sign_in_deliveries;
  ALTER TABLE sign_in_deliveries_keyed RENAME TO sign_in_deliveries;

  CREATE TABLE grants_keyed (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    tenant_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    request_id TEXT,
    method TEXT NOT NULL,
    amr TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  ) WITHOUT ROWID;
  INSERT INTO grants_keyed (id, secret_hash, tenant_id, user_id, request_id, method, amr, created_at, expires_at, used_at)
    SELECT id, secret_hash, tenant_id, user_id, request_id, method, amr, created_at, expires_at, used_at FROM grants;
  DROP TABLE grants;
  ALTER TABLE grants_keyed RENAME TO grants;
  `,
];
