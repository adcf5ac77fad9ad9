//! The job queue's table: enqueue, claim (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's
//! single writer serialises claims), complete, fail with a retry time.

use crate::{Conn, Result, execute, on_conn};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimedJob {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
}

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

/// Records a failure: queued again at `retry_at`, or given up (`failed`) when `None`.
pub async fn fail(
    conn: &mut Conn<'_>,
    id: i64,
    error: &str,
    retry_at: Option<OffsetDateTime>,
) -> Result<()> {
    let error: String = error.chars().take(2000).collect();
    match retry_at {
        Some(at) => execute!(conn, sqlx::query("UPDATE jobs SET status = 'queued', run_at = $2, locked_until = NULL, last_error = $3 WHERE id = $1").bind(id).bind(crate::instant(at)).bind(&error))?,
        None => execute!(conn, sqlx::query("UPDATE jobs SET status = 'failed', locked_until = NULL, last_error = $2 WHERE id = $1").bind(id).bind(&error))?,
    };
    Ok(())
}

/// (queued, running, failed) counts: for metrics and the back office.
pub async fn counts(conn: &mut Conn<'_>) -> Result<(i64, i64, i64)> {
    let sql = "SELECT \
        CAST(COALESCE(SUM(CASE WHEN status = 'queued' THEN 1 ELSE 0 END), 0) AS BIGINT), \
        CAST(COALESCE(SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END), 0) AS BIGINT), \
        CAST(COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS BIGINT) FROM jobs";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql).fetch_one(x).await)?)
}
