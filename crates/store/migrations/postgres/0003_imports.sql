-- Operator feeds (issue 4): one row per import run, successful or rejected, read by the back
-- office and the home page's "latest imports". Keep in step with ../sqlite/0003_imports.sql.

CREATE TABLE import_runs (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('customers', 'cost-centres', 'collection-points',
                                                  'products', 'transactions', 'registered-items')),
    file_name       TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    actor           TEXT NOT NULL,
    actor_user_id   BIGINT REFERENCES users (id),
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('imported', 'rejected')),
    rows_read       BIGINT NOT NULL,
    inserted        BIGINT NOT NULL,
    already_present BIGINT NOT NULL,
    updated         BIGINT NOT NULL,
    error_count     BIGINT NOT NULL,
    lock_millis     BIGINT,
    -- The listed errors (at most 1,000) as a JSON array of {line, column, message}.
    errors          TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX import_runs_kind ON import_runs (kind, finished_at);
CREATE INDEX import_runs_finished ON import_runs (finished_at);
