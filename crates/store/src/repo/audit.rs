//! The append-only, hash-chained audit trail. Appends lock the chain's head row first, so
//! concurrent writers (several instances on PostgreSQL) never fork the chain.

use crate::{Conn, Result, execute, on_conn};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEvent<'a> {
    pub at: OffsetDateTime,
    pub actor_user_id: Option<i64>,
    pub actor: &'a str,
    pub customer_id: Option<i64>,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub ip: &'a str,
    pub request_id: &'a str,
    pub details: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEventRow {
    pub id: i64,
    pub at: OffsetDateTime,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub customer_id: Option<i64>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub ip: String,
    pub request_id: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Appends `event`; `chain(prev_hash, seq)` computes the new link's hash. Call inside a
/// transaction so the event and the new head commit together.
pub async fn append(
    conn: &mut Conn<'_>,
    event: &NewAuditEvent<'_>,
    chain: impl FnOnce(&str, i64) -> String,
) -> Result<i64> {
    let head = "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash";
    let (seq, prev): (i64, String) = on_conn!(conn, |x| sqlx::query_as(head).fetch_one(x).await)?;
    let hash = chain(&prev, seq);
    let sql = "INSERT INTO audit_events (at, actor_user_id, actor, customer_id, action, object_type, object_id, ip, request_id, details, prev_hash, hash) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
    let id: i64 = on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(crate::instant(event.at))
        .bind(event.actor_user_id)
        .bind(event.actor)
        .bind(event.customer_id)
        .bind(event.action)
        .bind(event.object_type)
        .bind(event.object_id)
        .bind(event.ip)
        .bind(event.request_id)
        .bind(event.details)
        .bind(&prev)
        .bind(&hash)
        .fetch_one(x)
        .await)?;
    let set = "UPDATE audit_head SET hash = $1 WHERE id = 1";
    execute!(conn, sqlx::query(set).bind(&hash))?;
    Ok(id)
}

/// Events in id order after `after_id`, at most `limit`: for verification and listings.
pub async fn after(conn: &mut Conn<'_>, after_id: i64, limit: i64) -> Result<Vec<AuditEventRow>> {
    let sql = "SELECT id, at, actor_user_id, actor, customer_id, action, object_type, object_id, ip, request_id, details, prev_hash, hash \
               FROM audit_events WHERE id > $1 ORDER BY id LIMIT $2";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(after_id)
        .bind(limit)
        .fetch_all(x)
        .await)?)
}

/// The newest events of one action, newest first (tests and the back office).
pub async fn latest_of_action(
    conn: &mut Conn<'_>,
    action: &str,
    limit: i64,
) -> Result<Vec<AuditEventRow>> {
    let sql = "SELECT id, at, actor_user_id, actor, customer_id, action, object_type, object_id, ip, request_id, details, prev_hash, hash \
               FROM audit_events WHERE action = $1 ORDER BY id DESC LIMIT $2";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(action)
        .bind(limit)
        .fetch_all(x)
        .await)?)
}

/// How many events of `action` came from `ip` since `since` (rate limits built on the trail).
pub async fn count_from_address(
    conn: &mut Conn<'_>,
    action: &str,
    ip: &str,
    since: OffsetDateTime,
) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM audit_events WHERE action = $1 AND ip = $2 AND at > $3";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(action)
        .bind(ip)
        .bind(crate::instant(since))
        .fetch_one(x)
        .await)?)
}
