//! The job queue's table: enqueue (with an optional unique key), claim (FOR UPDATE SKIP LOCKED
//! on PostgreSQL; SQLite's single writer serialises claims), complete, fail, the failed list.

use crate::{Conn, Result, execute, on_conn};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimedJob {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
}

/// A job as the operator sees it: everything but its payload, which holds personal data and
/// is never read back for display.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub unique_key: Option<String>,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub run_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
    pub failed_at: Option<OffsetDateTime>,
}

/// A job to store.
#[derive(Debug, Clone, Copy)]
pub struct NewJob<'a> {
    pub kind: &'a str,
    pub payload: &'a str,
    /// When it may run first.
    pub run_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
    /// At most one job ever carries a given key (until it is purged).
    pub unique_key: Option<&'a str>,
}

/// Queues a job without a unique key; returns its id.
pub async fn enqueue(
    conn: &mut Conn<'_>,
    kind: &str,
    payload: &str,
    at: OffsetDateTime,
) -> Result<i64> {
    let sql = "INSERT INTO jobs (kind, payload, status, run_at, created_at) VALUES ($1, $2, 'queued', $3, $3) RETURNING id";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(kind)
        .bind(payload)
        .bind(crate::instant(at))
        .fetch_one(x)
        .await)?)
}

/// Queues `job`; `None` when a job with its unique key exists already (nothing is written).
/// The unique index decides, so two instances inserting the same key at the same moment get
/// one row between them: PostgreSQL makes the second wait for the first and then skip.
pub async fn insert(conn: &mut Conn<'_>, job: &NewJob<'_>) -> Result<Option<i64>> {
    let sql = "INSERT INTO jobs (kind, payload, status, run_at, created_at, unique_key) \
               VALUES ($1, $2, 'queued', $3, $4, $5) \
               ON CONFLICT (unique_key) DO NOTHING RETURNING id";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(job.kind)
        .bind(job.payload)
        .bind(crate::instant(job.run_at))
        .bind(crate::instant(job.created_at))
        .bind(job.unique_key)
        .fetch_optional(x)
        .await)?)
}

/// Claims up to `limit` jobs that are due (queued and due, or running with an expired
/// lease), in id order, leasing them until `lease_until`.
pub async fn claim_due(
    conn: &mut Conn<'_>,
    now: OffsetDateTime,
    lease_until: OffsetDateTime,
    limit: i64,
) -> Result<Vec<ClaimedJob>> {
    let (now, lease_until) = (crate::instant(now), crate::instant(lease_until));
    Ok(match conn {
        Conn::Sqlite(x) => {
            let sql = "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $2 \
                       WHERE id IN (SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= $1) OR (status = 'running' AND locked_until < $1) ORDER BY id LIMIT $3) \
                       RETURNING id, kind, payload, attempts";
            sqlx::query_as(sql)
                .bind(now)
                .bind(lease_until)
                .bind(limit)
                .fetch_all(&mut **x)
                .await?
        }
        Conn::Postgres(x) => {
            let sql = "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $2 \
                       WHERE id IN (SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= $1) OR (status = 'running' AND locked_until < $1) ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) \
                       RETURNING id, kind, payload, attempts";
            sqlx::query_as(sql)
                .bind(now)
                .bind(lease_until)
                .bind(limit)
                .fetch_all(&mut **x)
                .await?
        }
    })
}

/// Marks a job done and drops its payload: a delivered e-mail (and the one-time link in it)
/// is not kept in the database.
pub async fn complete(conn: &mut Conn<'_>, id: i64, at: OffsetDateTime) -> Result<()> {
    execute!(conn, sqlx::query("UPDATE jobs SET status = 'done', done_at = $2, locked_until = NULL, last_error = NULL, payload = '{}' WHERE id = $1").bind(id).bind(crate::instant(at)))?;
    Ok(())
}

/// Records a failure at `at`: queued again at `retry_at`, or given up when `None` (status
/// `failed`, the dead letter, with `failed_at` and its last error kept for the operator).
pub async fn fail(
    conn: &mut Conn<'_>,
    id: i64,
    error: &str,
    at: OffsetDateTime,
    retry_at: Option<OffsetDateTime>,
) -> Result<()> {
    let error: String = error.chars().take(2000).collect();
    match retry_at {
        Some(retry) => execute!(conn, sqlx::query("UPDATE jobs SET status = 'queued', run_at = $2, locked_until = NULL, last_error = $3 WHERE id = $1").bind(id).bind(crate::instant(retry)).bind(&error))?,
        None => execute!(conn, sqlx::query("UPDATE jobs SET status = 'failed', locked_until = NULL, last_error = $2, failed_at = $3 WHERE id = $1").bind(id).bind(&error).bind(crate::instant(at)))?,
    };
    Ok(())
}

/// Jobs in `status`, newest first, before the id `before` when given.
pub async fn list(
    conn: &mut Conn<'_>,
    status: &str,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<JobRow>> {
    let sql = "SELECT id, kind, unique_key, status, attempts, last_error, run_at, created_at, failed_at \
               FROM jobs WHERE status = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(status)
        .bind(before)
        .bind(limit)
        .fetch_all(x)
        .await)?)
}

pub async fn by_id(conn: &mut Conn<'_>, id: i64) -> Result<Option<JobRow>> {
    let sql = "SELECT id, kind, unique_key, status, attempts, last_error, run_at, created_at, failed_at \
               FROM jobs WHERE id = $1";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(x)
        .await)?)
}

/// Puts a failed job back in the queue, due at `at`, with its attempts counted from zero
/// again; its last error stays until it succeeds. False (nothing changed) when the job is
/// not `failed`, or does not exist.
pub async fn retry_failed(conn: &mut Conn<'_>, id: i64, at: OffsetDateTime) -> Result<bool> {
    let n = execute!(conn, sqlx::query("UPDATE jobs SET status = 'queued', attempts = 0, run_at = $2, locked_until = NULL, failed_at = NULL WHERE id = $1 AND status = 'failed'").bind(id).bind(crate::instant(at)))?;
    Ok(n == 1)
}

/// Deletes done jobs: those without a unique key done before `plain_before`, those with
/// one done before `keyed_before` (kept longer, since the row is what stops its key from
/// being scheduled again). Returns how many went.
pub async fn purge_done(
    conn: &mut Conn<'_>,
    plain_before: OffsetDateTime,
    keyed_before: OffsetDateTime,
) -> Result<u64> {
    Ok(execute!(conn, sqlx::query("DELETE FROM jobs WHERE status = 'done' AND ((unique_key IS NULL AND done_at < $1) OR (unique_key IS NOT NULL AND done_at < $2))").bind(crate::instant(plain_before)).bind(crate::instant(keyed_before)))?)
}

/// (queued, running, failed) counts: for metrics and the back office.
pub async fn counts(conn: &mut Conn<'_>) -> Result<(i64, i64, i64)> {
    let sql = "SELECT \
        CAST(COALESCE(SUM(CASE WHEN status = 'queued' THEN 1 ELSE 0 END), 0) AS BIGINT), \
        CAST(COALESCE(SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END), 0) AS BIGINT), \
        CAST(COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS BIGINT) FROM jobs";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql).fetch_one(x).await)?)
}
