//! Queries of user management that the shared user repository lacks: the per-customer lock
//! that makes the last-admin rule safe under concurrency, and one page's cost-centre limits
//! in one query.

use crate::{Conn, Result, on_conn};

/// Serialises changes to the users of one customer until the transaction ends, so that two
/// administrators demoting each other at the same moment cannot leave the customer without an
/// active admin. PostgreSQL locks the customer's row; on SQLite the transaction already holds
/// the database's only write lock (`BEGIN IMMEDIATE`), so there is nothing more to take.
pub async fn lock_customer(conn: &mut Conn<'_>, customer_id: i64) -> Result<()> {
    match conn {
        Conn::Postgres(c) => {
            sqlx::query("SELECT id FROM customers WHERE id = $1 FOR UPDATE")
                .bind(customer_id)
                .fetch_optional(&mut **c)
                .await?;
        }
        Conn::Sqlite(_) => {}
    }
    Ok(())
}

/// `(user id, cost-centre code)` of the customer's users whose id lies in `first..=last`
/// (one page of a user list), ordered by user and code.
pub async fn cost_centre_codes_in_range(
    conn: &mut Conn<'_>,
    customer_id: i64,
    first: i64,
    last: i64,
) -> Result<Vec<(i64, String)>> {
    let sql = "SELECT u.id, cc.code FROM users u \
               JOIN user_cost_centres ucc ON ucc.user_id = u.id \
               JOIN cost_centres cc ON cc.id = ucc.cost_centre_id \
               WHERE u.customer_id = $1 AND u.id >= $2 AND u.id <= $3 ORDER BY u.id, cc.code";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(customer_id)
        .bind(first)
        .bind(last)
        .fetch_all(x)
        .await)?)
}
