//! Questions about the database as a whole: is it reachable, is it empty.

use crate::{Conn, Result, execute, on_conn};

pub async fn ping(conn: &mut Conn<'_>) -> Result<()> {
    execute!(conn, sqlx::query("SELECT 1"))?;
    Ok(())
}

/// True when no customer, user or product exists yet (the demo only loads into such a database).
pub async fn is_empty(conn: &mut Conn<'_>) -> Result<bool> {
    let sql = "SELECT (SELECT COUNT(*) FROM customers) + (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM products)";
    let n: i64 = on_conn!(conn, |c| sqlx::query_scalar(sql).fetch_one(c).await)?;
    Ok(n == 0)
}
