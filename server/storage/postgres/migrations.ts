/**
 * PostgreSQL's own migration history, numbered from 1 (SQLite keeps its own in ../sqlite).
 * Each runs once, in order, in the transaction that holds the migration lock; the table
 * nod_schema_migrations records the ones applied. Never edit a migration that has shipped: add one.
 *
 * Times are milliseconds since the epoch in BIGINT, as in SQLite; JSON is `json` (kept as sent,
 * unlike jsonb, which refuses \u0000 in a string). Names that lists are ordered by use the "C"
 * collation, so both backends order them byte by byte alike.
 */
export const migrations: string[] = [
  // 1: everything SQLite's migrations 1 to 5 built.
  `
  CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    sign_in_origins JSON NOT NULL,
    created_at BIGINT NOT NULL
  );
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    username TEXT COLLATE "C" NOT NULL,
    display_name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('member', 'guest')),
    blocked_at BIGINT,
    password_hash TEXT,
    last_method TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, username)
  );
  CREATE TABLE groups (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    name TEXT COLLATE "C" NOT NULL,
    display_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
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
    body JSON NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE TABLE admin_tokens (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    role TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
  );
  CREATE INDEX admin_tokens_tenant ON admin_tokens(tenant_id);
  CREATE TABLE temporary_access_passes (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL,
    one_time BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    revoked_at BIGINT
  );
  CREATE INDEX taps_user ON temporary_access_passes(user_id);
  CREATE TABLE enrollment_sessions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    challenge TEXT NOT NULL,
    via TEXT NOT NULL,
    pass_id TEXT,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX enrollment_sessions_expiry ON enrollment_sessions(expires_at);
  CREATE TABLE enrollment_codes (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL UNIQUE,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
  );
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    public_key JSON NOT NULL,
    thumbprint TEXT NOT NULL,
    push_subscription JSON,
    push_state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT,
    UNIQUE (tenant_id, thumbprint)
  );
  CREATE TABLE registrations (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    device_id TEXT NOT NULL REFERENCES devices(id),
    credential_id TEXT NOT NULL,
    credential_public_key TEXT NOT NULL,
    sign_count BIGINT NOT NULL,
    transports JSON NOT NULL,
    backup_eligible BOOLEAN NOT NULL,
    backup_state BOOLEAN NOT NULL,
    phone_sign_in_enabled BOOLEAN NOT NULL,
    totp_secret TEXT NOT NULL,
    totp_last_step BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    UNIQUE (tenant_id, credential_id)
  );
  CREATE INDEX registrations_user ON registrations(user_id);
  CREATE INDEX registrations_device ON registrations(device_id);
  CREATE TABLE browser_users (
    device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (device_id, user_id)
  );
  CREATE INDEX browser_users_user ON browser_users(user_id);
  CREATE TABLE audit_events (
    -- Ties on "at" list in the order they were written, as SQLite's rowid does.
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    at BIGINT NOT NULL,
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
    detail JSON
  );
  CREATE INDEX audit_tenant_at ON audit_events(tenant_id, at, seq);
  CREATE TABLE sign_in_requests (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    user_id TEXT,
    username TEXT NOT NULL,
    kind TEXT NOT NULL,
    origin TEXT NOT NULL,
    context JSON NOT NULL,
    number INTEGER NOT NULL,
    nonce TEXT NOT NULL,
    collector_hash TEXT NOT NULL,
    collector_key TEXT,
    browser_device_id TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    deliverable BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    answered_at BIGINT,
    answered_by TEXT,
    ip TEXT,
    user_agent TEXT
  );
  CREATE INDEX sign_in_requests_user ON sign_in_requests(tenant_id, user_id, status);
  CREATE INDEX sign_in_requests_username ON sign_in_requests(tenant_id, username, status);
  CREATE INDEX sign_in_requests_collector ON sign_in_requests(collector_key, status);
  -- The expiry sweep reads only pending requests; finished ones (most rows) stay out of its index.
  CREATE INDEX sign_in_requests_pending_expiry ON sign_in_requests(expires_at) WHERE status = 'pending';
  CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    tenant_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    request_id TEXT,
    method TEXT NOT NULL,
    amr JSON NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
  );
  CREATE TABLE oidc_clients (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    client_id TEXT COLLATE "C" NOT NULL,
    display_name TEXT NOT NULL,
    metadata JSON NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, client_id)
  );
  CREATE TABLE oidc_records (
    model TEXT NOT NULL,
    id TEXT NOT NULL,
    payload JSON NOT NULL,
    grant_id TEXT,
    user_code TEXT,
    uid TEXT,
    expires_at BIGINT,
    consumed_at BIGINT,
    PRIMARY KEY (model, id)
  );
  CREATE INDEX oidc_records_grant ON oidc_records(grant_id);
  CREATE INDEX oidc_records_uid ON oidc_records(model, uid);
  CREATE INDEX oidc_records_user_code ON oidc_records(model, user_code);
  CREATE INDEX oidc_records_expiry ON oidc_records(expires_at);
  -- Readiness writes one row here: a server that takes no writes shows before a sign-in finds it.
  CREATE TABLE storage_probe (id INTEGER PRIMARY KEY CHECK (id = 1), written_at BIGINT NOT NULL);
  `,
  // 2: an admin can disable an account (no sign-in until enabled again).
  `
  ALTER TABLE users ADD COLUMN disabled_at BIGINT;
  `,
  // 3: the limiters' counters and sliding windows (server/limits); push MFA remembers its first factor.
  `
  CREATE TABLE limit_counters (
    key TEXT COLLATE "C" PRIMARY KEY,
    kind TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    username TEXT,
    count INTEGER NOT NULL,
    first_at BIGINT NOT NULL,
    last_at BIGINT NOT NULL
  );
  CREATE INDEX limit_counters_user ON limit_counters(tenant_id, username);
  CREATE TABLE limit_events (
    key TEXT COLLATE "C" NOT NULL,
    kind TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    username TEXT,
    at BIGINT NOT NULL
  );
  CREATE INDEX limit_events_key ON limit_events(key, at);
  CREATE INDEX limit_events_user ON limit_events(tenant_id, username);
  ALTER TABLE sign_in_requests ADD COLUMN first_factor TEXT;
  `,
  // 4: the replay guard of device-signed calls, kept across restarts and shared by every relay;
  // OIDC records are now stored under the SHA-256 of their id (a token or cookie value), so the
  // ones stored by the id itself go.
  `
  CREATE TABLE used_device_signatures (
    device_id TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (device_id, input_hash)
  );
  CREATE INDEX used_device_signatures_expiry ON used_device_signatures(expires_at);
  DELETE FROM oidc_records;
  `,
  // 5: delivery receipts (which device a request reached, when) and the daily push health check.
  `
  CREATE TABLE sign_in_deliveries (
    request_id TEXT NOT NULL REFERENCES sign_in_requests(id) ON DELETE CASCADE,
    device_id TEXT NOT NULL,
    delivered_at BIGINT NOT NULL,
    PRIMARY KEY (request_id, device_id)
  );
  ALTER TABLE devices ADD COLUMN last_receipt_at BIGINT;
  ALTER TABLE devices ADD COLUMN health_check_sent_at BIGINT;
  `,
  // 6: who may use the admin center, in which roles (per tenant user).
  `
  CREATE TABLE admin_role_assignments (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, role)
  );
  `,
  // 7: home realm discovery — the domains a tenant registered (each domain belongs to one tenant);
  // where each audited sign-in came from, in words (server/location).
  `
  CREATE TABLE tenant_domains (
    domain TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    created_at BIGINT NOT NULL
  );
  CREATE INDEX tenant_domains_tenant ON tenant_domains(tenant_id);
  ALTER TABLE audit_events ADD COLUMN location TEXT;
  `,
  // 8: whether the browser that created a request may learn its delivery stage (a decoy's and a
  // real user's request look alike to any other browser). Older requests: not.
  `
  ALTER TABLE sign_in_requests ADD COLUMN collector_known BOOLEAN NOT NULL DEFAULT false;
  `,
  // 9: each limit key's number of stored events, kept by statement triggers, so an admission reads
  // a window's count instead of counting its events (a source's window can hold thousands).
  `
  CREATE TABLE limit_event_counts (
    key TEXT COLLATE "C" PRIMARY KEY,
    count BIGINT NOT NULL
  );
  INSERT INTO limit_event_counts (key, count) SELECT key, count(*) FROM limit_events GROUP BY key;
  CREATE FUNCTION nod_limit_events_added() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO limit_event_counts (key, count) SELECT key, count(*) FROM added GROUP BY key
      ON CONFLICT (key) DO UPDATE SET count = limit_event_counts.count + excluded.count;
    RETURN NULL;
  END $$;
  CREATE FUNCTION nod_limit_events_removed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    UPDATE limit_event_counts c SET count = c.count - r.n FROM (SELECT key, count(*) AS n FROM removed GROUP BY key) AS r
      WHERE c.key = r.key;
    RETURN NULL;
  END $$;
  CREATE TRIGGER limit_events_counted AFTER INSERT ON limit_events
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION nod_limit_events_added();
  CREATE TRIGGER limit_events_uncounted AFTER DELETE ON limit_events
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION nod_limit_events_removed();
  `,
  // 10: a sliding-window admission in one call (one round trip, no transaction held open across the
  // network): the keys' locks, the drop and count, the decision and the events (and the admission's
  // counter) added. A VOLATILE function's statements each take a fresh snapshot, so the count after
  // the locks sees every admission committed before them, as the separate statements did.
  // Answers one row per distinct (key, since): its count before the addition and oldest event,
  // which window refused (null when admitted) and the admission's counter after the bump (if any).
  `
  CREATE FUNCTION nod_limit_admit(
    p_keys TEXT[], p_since BIGINT[], p_limits BIGINT[], p_ordered TEXT[],
    p_kinds TEXT[], p_tenants TEXT[], p_usernames TEXT[], p_at BIGINT,
    p_bump_key TEXT, p_bump_kind TEXT, p_bump_tenant TEXT, p_bump_username TEXT)
  RETURNS TABLE (key TEXT, n BIGINT, oldest BIGINT, refused TEXT, bumped_kind TEXT, bumped_tenant_id TEXT,
    bumped_username TEXT, bumped_count INTEGER, bumped_first_at BIGINT, bumped_last_at BIGINT)
  LANGUAGE plpgsql VOLATILE AS $$
  #variable_conflict use_column
  DECLARE
    f_keys TEXT[];
    f_n BIGINT[];
    f_oldest BIGINT[];
    v_refused TEXT;
    b limit_counters%ROWTYPE;
    j INTEGER;
  BEGIN
    PERFORM count(pg_advisory_xact_lock(hashtextextended(k, 7))) FROM unnest(p_ordered) AS k;
    WITH dropped AS (
      DELETE FROM limit_events e USING unnest(p_keys, p_since) AS w(key, since)
      WHERE e.key = w.key COLLATE "C" AND e.at < w.since
      RETURNING e.key
    )
    SELECT array_agg(c.key ORDER BY c.i), array_agg(c.n ORDER BY c.i), array_agg(c.oldest ORDER BY c.i)
      INTO f_keys, f_n, f_oldest
    FROM (
      SELECT w.key, row_number() OVER () AS i,
        coalesce((SELECT lc.count FROM limit_event_counts lc WHERE lc.key = w.key COLLATE "C"), 0)
          - (SELECT count(*) FROM dropped d WHERE d.key = w.key COLLATE "C") AS n,
        (SELECT min(e.at) FROM limit_events e WHERE e.key = w.key COLLATE "C" AND e.at >= w.since) AS oldest
      FROM (SELECT DISTINCT u.key, u.since FROM unnest(p_keys, p_since) AS u(key, since)) AS w
    ) AS c;
    -- The first window, in the order given, that is full (a key counted twice: its last row, as the relay reads them).
    FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
      j := NULL;
      FOR r IN 1 .. coalesce(array_length(f_keys, 1), 0) LOOP
        IF f_keys[r] = p_keys[i] THEN j := r; END IF;
      END LOOP;
      IF j IS NOT NULL AND f_n[j] >= p_limits[i] THEN
        v_refused := p_keys[i];
        EXIT;
      END IF;
    END LOOP;
    IF v_refused IS NULL THEN
      INSERT INTO limit_events (key, kind, tenant_id, username, at)
        SELECT w.key, w.kind, w.tenant_id, w.username, p_at
        FROM unnest(p_keys, p_kinds, p_tenants, p_usernames) AS w(key, kind, tenant_id, username);
      IF p_bump_key IS NOT NULL THEN
        INSERT INTO limit_counters AS lc (key, kind, tenant_id, username, count, first_at, last_at)
          VALUES (p_bump_key, p_bump_kind, p_bump_tenant, p_bump_username, 1, p_at, p_at)
          ON CONFLICT (key) DO UPDATE SET count = lc.count + 1, last_at = excluded.last_at
          RETURNING * INTO b;
      END IF;
    END IF;
    RETURN QUERY SELECT f.key, f.n, f.oldest, v_refused, b.kind, b.tenant_id, b.username, b.count, b.first_at, b.last_at
      FROM unnest(f_keys, f_n, f_oldest) WITH ORDINALITY AS f(key, n, oldest, i) ORDER BY f.i;
  END $$;
  `,
  // 11: an admission's statements planned once per connection and reused (generic plans). Left to
  // choose, the server planned them anew on every call (a plan made for the arrays at hand always
  // looked cheaper than one for any arrays): more than half of an admission's time. Every one of
  // them reaches rows by key, so they are planned as key lookups — index scans in nested loops —
  // whatever the statistics say when the plan is made: a plan made while the tables were small
  // must not scan a whole table of events once they are many.
  `
  ALTER FUNCTION nod_limit_admit(TEXT[], BIGINT[], BIGINT[], TEXT[], TEXT[], TEXT[], TEXT[], BIGINT, TEXT, TEXT, TEXT, TEXT)
    SET plan_cache_mode = force_generic_plan
    SET enable_seqscan = off
    SET enable_hashjoin = off
    SET enable_mergejoin = off;
  `,
  // 12: a request's changes announce themselves on the relays' event channel (createPostgresEventBus)
  // from the statement that stores them, sent by the server when it commits: each status a request
  // takes, and a delivery receipt the collector may hear of (one that knew the user, collector_known).
  // Ids and a status, as the bus's `r` payloads; in commit order, so a request's events arrive in the
  // order its changes were stored, and never before. Before, each took a NOTIFY statement of its own.
  `
  CREATE FUNCTION nod_announce_request_status() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('nod_sign_in_events', json_build_array('r', NEW.id, NEW.status)::text);
    RETURN NULL;
  END $$;
  CREATE TRIGGER nod_announce_request_status AFTER UPDATE OF status ON sign_in_requests
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION nod_announce_request_status();
  CREATE FUNCTION nod_announce_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF EXISTS (SELECT 1 FROM sign_in_requests WHERE id = NEW.request_id AND collector_known) THEN
      PERFORM pg_notify('nod_sign_in_events', json_build_array('r', NEW.request_id, 'pending', 'delivered')::text);
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER nod_announce_delivery AFTER INSERT ON sign_in_deliveries
    FOR EACH ROW EXECUTE FUNCTION nod_announce_delivery();
  `,
  // 13: lookups that only ever ask for pending requests (a collector's, a username's) read indexes of
  // pending requests alone, as the expiry sweep's does. A request that leaves pending then adds no
  // entry to them: each status change wrote all five of the table's indexes (status is in each, so
  // no change is a HOT update), now two. The collector's index is in the order its lookup answers.
  // Each also names the column its lookup gives (NOT NULL): a change of one request by id names
  // neither, so its generic plan cannot scan them whole, as it does sign_in_requests_pending_expiry
  // on a table with no statistics yet. Events of a source (no username) stay out of the index by
  // user: only lookups by a username use it.
  `
  DROP INDEX sign_in_requests_collector;
  CREATE INDEX sign_in_requests_pending_collector ON sign_in_requests(collector_key, created_at)
    WHERE status = 'pending' AND collector_key IS NOT NULL;
  DROP INDEX sign_in_requests_username;
  CREATE INDEX sign_in_requests_pending_username ON sign_in_requests(tenant_id, username, expires_at)
    WHERE status = 'pending' AND username IS NOT NULL;
  DROP INDEX limit_events_user;
  CREATE INDEX limit_events_user ON limit_events(tenant_id, username) WHERE username IS NOT NULL;
  `,
  // 14: an admission drops a window's old events through that window's key, whatever the plan. Its
  // DELETE joined the windows to the events, and a plan made while limit_events looked empty (a
  // connection's first admission after an ANALYZE found few events) put the events outside: every
  // later admission on that connection read the whole index of events (a source's window can hold
  // thousands). The rows to drop are now found per window (LATERAL … OFFSET 0 keeps the window
  // outside), then deleted by row address. The function is otherwise as migrations 10 and 11 left it.
  `
  CREATE OR REPLACE FUNCTION nod_limit_admit(
    p_keys TEXT[], p_since BIGINT[], p_limits BIGINT[], p_ordered TEXT[],
    p_kinds TEXT[], p_tenants TEXT[], p_usernames TEXT[], p_at BIGINT,
    p_bump_key TEXT, p_bump_kind TEXT, p_bump_tenant TEXT, p_bump_username TEXT)
  RETURNS TABLE (key TEXT, n BIGINT, oldest BIGINT, refused TEXT, bumped_kind TEXT, bumped_tenant_id TEXT,
    bumped_username TEXT, bumped_count INTEGER, bumped_first_at BIGINT, bumped_last_at BIGINT)
  LANGUAGE plpgsql VOLATILE
  SET plan_cache_mode = force_generic_plan
  SET enable_seqscan = off
  SET enable_hashjoin = off
  SET enable_mergejoin = off
  AS $$
  #variable_conflict use_column
  DECLARE
    f_keys TEXT[];
    f_n BIGINT[];
    f_oldest BIGINT[];
    v_refused TEXT;
    b limit_counters%ROWTYPE;
    j INTEGER;
  BEGIN
    PERFORM count(pg_advisory_xact_lock(hashtextextended(k, 7))) FROM unnest(p_ordered) AS k;
    WITH dropped AS (
      DELETE FROM limit_events e WHERE e.ctid = ANY (ARRAY(
        SELECT x.ctid FROM unnest(p_keys, p_since) AS w(key, since)
          CROSS JOIN LATERAL (SELECT l.ctid FROM limit_events l WHERE l.key = w.key COLLATE "C" AND l.at < w.since OFFSET 0) AS x))
      RETURNING e.key
    )
    SELECT array_agg(c.key ORDER BY c.i), array_agg(c.n ORDER BY c.i), array_agg(c.oldest ORDER BY c.i)
      INTO f_keys, f_n, f_oldest
    FROM (
      SELECT w.key, row_number() OVER () AS i,
        coalesce((SELECT lc.count FROM limit_event_counts lc WHERE lc.key = w.key COLLATE "C"), 0)
          - (SELECT count(*) FROM dropped d WHERE d.key = w.key COLLATE "C") AS n,
        (SELECT min(e.at) FROM limit_events e WHERE e.key = w.key COLLATE "C" AND e.at >= w.since) AS oldest
      FROM (SELECT DISTINCT u.key, u.since FROM unnest(p_keys, p_since) AS u(key, since)) AS w
    ) AS c;
    -- The first window, in the order given, that is full (a key counted twice: its last row, as the relay reads them).
    FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
      j := NULL;
      FOR r IN 1 .. coalesce(array_length(f_keys, 1), 0) LOOP
        IF f_keys[r] = p_keys[i] THEN j := r; END IF;
      END LOOP;
      IF j IS NOT NULL AND f_n[j] >= p_limits[i] THEN
        v_refused := p_keys[i];
        EXIT;
      END IF;
    END LOOP;
    IF v_refused IS NULL THEN
      INSERT INTO limit_events (key, kind, tenant_id, username, at)
        SELECT w.key, w.kind, w.tenant_id, w.username, p_at
        FROM unnest(p_keys, p_kinds, p_tenants, p_usernames) AS w(key, kind, tenant_id, username);
      IF p_bump_key IS NOT NULL THEN
        INSERT INTO limit_counters AS lc (key, kind, tenant_id, username, count, first_at, last_at)
          VALUES (p_bump_key, p_bump_kind, p_bump_tenant, p_bump_username, 1, p_at, p_at)
          ON CONFLICT (key) DO UPDATE SET count = lc.count + 1, last_at = excluded.last_at
          RETURNING * INTO b;
      END IF;
    END IF;
    RETURN QUERY SELECT f.key, f.n, f.oldest, v_refused, b.kind, b.tenant_id, b.username, b.count, b.first_at, b.last_at
      FROM unnest(f_keys, f_n, f_oldest) WITH ORDINALITY AS f(key, n, oldest, i) ORDER BY f.i;
  END $$;
  `,
];
