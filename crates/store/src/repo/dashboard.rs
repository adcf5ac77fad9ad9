//! Counts for the home page's blocks: small aggregate queries, one per block, each bound to
//! its tenant by the caller.

use crate::{Conn, Result, on_conn};

/// Access requests waiting for the Service Centre's decision.
pub async fn pending_access_requests(conn: &mut Conn<'_>) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM access_requests WHERE status = 'pending'";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .fetch_one(x)
        .await)?)
}

/// A customer's users by status: (active, invited, disabled).
pub async fn user_counts(conn: &mut Conn<'_>, customer_id: i64) -> Result<(i64, i64, i64)> {
    let sql = "SELECT \
        CAST(COALESCE(SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END), 0) AS BIGINT), \
        CAST(COALESCE(SUM(CASE WHEN status = 'invited' THEN 1 ELSE 0 END), 0) AS BIGINT), \
        CAST(COALESCE(SUM(CASE WHEN status = 'disabled' THEN 1 ELSE 0 END), 0) AS BIGINT) \
        FROM users WHERE customer_id = $1";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(customer_id)
        .fetch_one(x)
        .await)?)
}
