-- Accounts and access (issue 3): lockout, second factor, recovery codes, customer policy,
-- access-request linkage and the e-mail outbox's idempotency key. Keep in step with
-- ../sqlite/0002_accounts.sql.

ALTER TABLE users ADD COLUMN locked_until TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN totp_enabled_at TIMESTAMPTZ;
-- The last TOTP time step accepted: a code is never accepted twice.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ;

ALTER TABLE customers ADD COLUMN require_totp BOOLEAN NOT NULL DEFAULT FALSE;

ALTER TABLE access_requests ADD COLUMN customer_id BIGINT REFERENCES customers (id);
ALTER TABLE access_requests ADD COLUMN user_id BIGINT REFERENCES users (id);

-- Failed sign-ins, counted per account (lockout) and per address (throttling).
CREATE TABLE login_failures (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT REFERENCES users (id) ON DELETE CASCADE,
    username    TEXT NOT NULL,
    ip          TEXT NOT NULL DEFAULT '',
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_user ON login_failures (user_id, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

-- Single-use recovery codes of the second factor, stored hashed.
CREATE TABLE recovery_codes (
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TIMESTAMPTZ,
    PRIMARY KEY (user_id, code_hash)
);

-- A pending second step of a sign-in (password checked, TOTP not yet): short-lived.
CREATE TABLE pending_logins (
    id_hash    TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    attempts   BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX audit_events_action ON audit_events (action, id);
CREATE INDEX users_status ON users (customer_id, status);
