-- Jobs as a registry (issue #9). A job that must run once carries a unique key (a periodic
-- slot such as `housekeeping:2026-12-03:10`): the index refuses a second one, on every
-- instance. `failed` is the dead-letter state; `failed_at` says when a job was given up.
ALTER TABLE jobs ADD COLUMN unique_key TEXT;
ALTER TABLE jobs ADD COLUMN failed_at TEXT;
-- NULLs are distinct in a unique index (SQLite and PostgreSQL alike): jobs without a key are
-- never refused.
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key);
-- The operator's list of failed jobs, newest first.
CREATE INDEX jobs_failed ON jobs (id) WHERE status = 'failed';
-- Jobs given up before this version: the time of their last try is the best known.
UPDATE jobs SET failed_at = run_at WHERE status = 'failed';
