//! The record of feed imports (`import_runs`): one row per run, successful or rejected, and
//! the latest run of each kind for the home page.

use crate::{Conn, Result, on_conn};
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct NewImportRun<'a> {
    /// The feed kind as named on the command line (`transactions`, `registered-items`, …).
    pub kind: &'a str,
    pub file_name: &'a str,
    pub sha256: &'a str,
    /// Who ran it: a username, or `cli`.
    pub actor: &'a str,
    pub actor_user_id: Option<i64>,
    pub started_at: OffsetDateTime,
    pub finished_at: OffsetDateTime,
    /// `imported` or `rejected`.
    pub outcome: &'a str,
    pub rows_read: i64,
    pub inserted: i64,
    pub already_present: i64,
    pub updated: i64,
    pub error_count: i64,
    pub lock_millis: Option<i64>,
    /// The listed errors as a JSON array of `{line, column, message}`.
    pub errors: &'a str,
}

pub async fn insert(conn: &mut Conn<'_>, r: &NewImportRun<'_>) -> Result<i64> {
    let sql = "INSERT INTO import_runs (kind, file_name, sha256, actor, actor_user_id, started_at, \
               finished_at, outcome, rows_read, inserted, already_present, updated, error_count, \
               lock_millis, errors) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(r.kind)
        .bind(r.file_name)
        .bind(r.sha256)
        .bind(r.actor)
        .bind(r.actor_user_id)
        .bind(crate::instant(r.started_at))
        .bind(crate::instant(r.finished_at))
        .bind(r.outcome)
        .bind(r.rows_read)
        .bind(r.inserted)
        .bind(r.already_present)
        .bind(r.updated)
        .bind(r.error_count)
        .bind(r.lock_millis)
        .bind(r.errors)
        .fetch_one(x)
        .await)?)
}

/// What the home page shows of a run.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ImportRunSummary {
    pub id: i64,
    pub kind: String,
    pub finished_at: OffsetDateTime,
    pub outcome: String,
    pub rows_read: i64,
    pub inserted: i64,
    pub already_present: i64,
    pub updated: i64,
    pub error_count: i64,
}

/// The latest run of each kind that has one (the latest by finish time, then by id), by
/// kind; with `successful_only`, the latest run whose outcome is `imported`.
pub async fn latest_per_kind(
    conn: &mut Conn<'_>,
    successful_only: bool,
) -> Result<Vec<ImportRunSummary>> {
    macro_rules! latest {
        ($filter:literal) => {
            concat!(
                "SELECT id, kind, finished_at, outcome, rows_read, inserted, already_present, \
                 updated, error_count FROM (SELECT r.*, ROW_NUMBER() OVER \
                 (PARTITION BY r.kind ORDER BY r.finished_at DESC, r.id DESC) AS n \
                 FROM import_runs r",
                $filter,
                ") latest WHERE n = 1 ORDER BY kind"
            )
        };
    }
    let sql = if successful_only {
        latest!(" WHERE r.outcome = 'imported'")
    } else {
        latest!("")
    };
    Ok(on_conn!(conn, |x| sqlx::query_as(sql).fetch_all(x).await)?)
}
