//! The record of feed imports (`import_runs`) and the reference keys the importer resolves
//! a file's codes against (customers, their collection points and cost centres, products).

use crate::{Conn, Result, on_conn};
use time::OffsetDateTime;

/// One import run as recorded, imported or rejected.
#[derive(Debug, Clone)]
pub struct NewImportRun<'a> {
    pub kind: &'a str,
    pub file_name: &'a str,
    pub sha256: &'a str,
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
    /// The listed errors as a JSON array.
    pub errors: &'a str,
}

pub async fn insert(conn: &mut Conn<'_>, r: &NewImportRun<'_>) -> Result<i64> {
    let sql = "INSERT INTO import_runs (kind, file_name, sha256, actor, actor_user_id, started_at, finished_at, outcome, rows_read, inserted, already_present, updated, error_count, lock_millis, errors) \
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

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ImportRunRow {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub sha256: String,
    pub actor: String,
    pub started_at: OffsetDateTime,
    pub finished_at: OffsetDateTime,
    pub outcome: String,
    pub rows_read: i64,
    pub inserted: i64,
    pub already_present: i64,
    pub updated: i64,
    pub error_count: i64,
    pub lock_millis: Option<i64>,
    pub errors: String,
}

/// Where a page of the list of runs ends: the last run's finish time and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunsAfter {
    pub finished_at: OffsetDateTime,
    pub id: i64,
}

/// The latest runs, newest first: by finish time, and by id among runs that finished in the
/// same second (ids follow the order runs were recorded in, not the time they finished:
/// a run recorded late, such as one written by a migration or the demo, keeps its place).
/// After `after` when given.
pub async fn list(
    conn: &mut Conn<'_>,
    after: Option<RunsAfter>,
    limit: i64,
) -> Result<Vec<ImportRunRow>> {
    let sql = "SELECT id, kind, file_name, sha256, actor, started_at, finished_at, outcome, rows_read, inserted, already_present, updated, error_count, lock_millis, errors \
               FROM import_runs \
               WHERE ($1 IS NULL OR finished_at < $1 OR (finished_at = $1 AND id < $2)) \
               ORDER BY finished_at DESC, id DESC LIMIT $3";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(after.map(|a| crate::instant(a.finished_at)))
        .bind(after.map_or(0, |a| a.id))
        .bind(limit)
        .fetch_all(x)
        .await)?)
}

pub async fn by_id(conn: &mut Conn<'_>, id: i64) -> Result<Option<ImportRunRow>> {
    let sql = "SELECT id, kind, file_name, sha256, actor, started_at, finished_at, outcome, rows_read, inserted, already_present, updated, error_count, lock_millis, errors \
               FROM import_runs WHERE id = $1";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(x)
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

/// Every customer: (customer_number, id).
pub async fn customer_keys(conn: &mut Conn<'_>) -> Result<Vec<(String, i64)>> {
    let sql = "SELECT customer_number, id FROM customers";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql).fetch_all(x).await)?)
}

/// Every collection point: (customer_id, code, id).
pub async fn collection_point_keys(conn: &mut Conn<'_>) -> Result<Vec<(i64, String, i64)>> {
    let sql = "SELECT customer_id, code, id FROM collection_points";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql).fetch_all(x).await)?)
}

/// Every cost centre: (customer_id, code, id).
pub async fn cost_centre_keys(conn: &mut Conn<'_>) -> Result<Vec<(i64, String, i64)>> {
    let sql = "SELECT customer_id, code, id FROM cost_centres";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql).fetch_all(x).await)?)
}

/// Every product: (code, id, kind).
pub async fn product_keys(conn: &mut Conn<'_>) -> Result<Vec<(String, i64, String)>> {
    let sql = "SELECT code, id, kind FROM products";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql).fetch_all(x).await)?)
}
