-- Foundation schema (SQLite). Keep in step with ../postgres/0001_foundation.sql: same tables,
-- columns and indexes; a contract test runs the same queries on both.
-- Instants are UTC text 'YYYY-MM-DDTHH:MM:SSZ'; dates 'YYYY-MM-DD'; money integer cents.

CREATE TABLE customers (
    id                      INTEGER PRIMARY KEY,
    customer_number         TEXT NOT NULL UNIQUE,
    name                    TEXT NOT NULL,
    vat_number              TEXT NOT NULL,
    language                TEXT NOT NULL,
    street                  TEXT NOT NULL DEFAULT '',
    postcode                TEXT NOT NULL DEFAULT '',
    city                    TEXT NOT NULL DEFAULT '',
    country                 TEXT NOT NULL DEFAULT 'BE',
    status                  TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    collection_days         TEXT NOT NULL DEFAULT '',
    options                 TEXT NOT NULL DEFAULT '',
    receipt_retention_days  INTEGER,
    created_at              TEXT NOT NULL
);

CREATE TABLE cost_centres (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    UNIQUE (customer_id, code)
);

CREATE TABLE collection_points (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    street      TEXT NOT NULL DEFAULT '',
    postcode    TEXT NOT NULL DEFAULT '',
    city        TEXT NOT NULL DEFAULT '',
    UNIQUE (customer_id, code)
);

CREATE TABLE products (
    id       INTEGER PRIMARY KEY,
    code     TEXT NOT NULL UNIQUE,
    kind     TEXT NOT NULL CHECK (kind IN ('postage', 'registered', 'parcel', 'service')),
    vat_rate INTEGER NOT NULL,
    name_fr  TEXT NOT NULL,
    name_nl  TEXT NOT NULL,
    name_de  TEXT NOT NULL,
    name_en  TEXT NOT NULL
);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    customer_id         INTEGER REFERENCES customers (id),
    username            TEXT NOT NULL,
    username_key        TEXT NOT NULL UNIQUE,
    full_name           TEXT NOT NULL,
    email               TEXT NOT NULL,
    language            TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('operator', 'admin', 'user')),
    modules             TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
    password_hash       TEXT,
    totp_secret         TEXT,
    created_at          TEXT NOT NULL,
    password_changed_at TEXT,
    last_login_at       TEXT,
    CHECK ((role = 'operator') = (customer_id IS NULL))
);
CREATE INDEX users_customer ON users (customer_id);

CREATE TABLE user_cost_centres (
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cost_centre_id INTEGER NOT NULL REFERENCES cost_centres (id),
    PRIMARY KEY (user_id, cost_centre_id)
);

-- Browser sessions; the cookie holds a random token, the table only its SHA-256.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Bearer tokens: from POST /api/v1/auth/token ('login') or named on the account page ('personal').
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('login', 'personal')),
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- One-time links (invitation, password reset): single use, short-lived, stored hashed.
CREATE TABLE one_time_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('invitation', 'reset')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX one_time_tokens_user ON one_time_tokens (user_id);

CREATE TABLE transactions (
    id                  INTEGER PRIMARY KEY,
    transaction_id      TEXT NOT NULL UNIQUE,
    customer_id         INTEGER NOT NULL REFERENCES customers (id),
    date                TEXT NOT NULL,
    collection_point_id INTEGER NOT NULL REFERENCES collection_points (id),
    cost_centre_id      INTEGER REFERENCES cost_centres (id),
    product_id          INTEGER NOT NULL REFERENCES products (id),
    format              TEXT,
    weight_class        TEXT,
    destination         TEXT,
    quantity            INTEGER NOT NULL,
    unit_price_millis   INTEGER NOT NULL,
    amount_cents        INTEGER NOT NULL
);
CREATE INDEX transactions_customer_date ON transactions (customer_id, date, id);

CREATE TABLE registered_items (
    id                  INTEGER PRIMARY KEY,
    barcode             TEXT NOT NULL UNIQUE,
    customer_id         INTEGER NOT NULL REFERENCES customers (id),
    deposit_date        TEXT NOT NULL,
    collection_point_id INTEGER NOT NULL REFERENCES collection_points (id),
    cost_centre_id      INTEGER REFERENCES cost_centres (id),
    product_id          INTEGER NOT NULL REFERENCES products (id),
    acknowledgement     BOOLEAN NOT NULL,
    recipient_name      TEXT,
    recipient_street    TEXT,
    recipient_postcode  TEXT,
    recipient_city      TEXT,
    recipient_country   TEXT,
    address_image_key   TEXT
);
CREATE INDEX registered_items_customer_date ON registered_items (customer_id, deposit_date, id);

CREATE TABLE access_requests (
    id              INTEGER PRIMARY KEY,
    company_name    TEXT NOT NULL,
    vat_number      TEXT NOT NULL,
    customer_number TEXT,
    street          TEXT NOT NULL,
    postcode        TEXT NOT NULL,
    city            TEXT NOT NULL,
    country         TEXT NOT NULL,
    contact_name    TEXT NOT NULL,
    email           TEXT NOT NULL,
    phone           TEXT NOT NULL,
    language        TEXT NOT NULL,
    username        TEXT NOT NULL,
    webpass         TEXT,
    message         TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    reason          TEXT,
    created_at      TEXT NOT NULL,
    decided_at      TEXT,
    decided_by      INTEGER REFERENCES users (id)
);
CREATE INDEX access_requests_status ON access_requests (status, created_at);

-- Append-only, hash-chained audit trail: hash = SHA-256(prev_hash || canonical event).
CREATE TABLE audit_events (
    id            INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    actor_user_id INTEGER,
    actor         TEXT NOT NULL,
    customer_id   INTEGER,
    action        TEXT NOT NULL,
    object_type   TEXT NOT NULL DEFAULT '',
    object_id     TEXT NOT NULL DEFAULT '',
    ip            TEXT NOT NULL DEFAULT '',
    request_id    TEXT NOT NULL DEFAULT '',
    details       TEXT NOT NULL DEFAULT '{}',
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX audit_events_customer ON audit_events (customer_id, id);
CREATE INDEX audit_events_at ON audit_events (at);

-- The head of the audit chain: one row, locked by UPDATE so appends never fork the chain.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Background work (e-mail, retention, notices), claimed by one instance at a time.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    run_at       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    last_error   TEXT,
    created_at   TEXT NOT NULL,
    done_at      TEXT
);
CREATE INDEX jobs_due ON jobs (status, run_at);
