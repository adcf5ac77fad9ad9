//! The record of stored documents (`documents`): each object's key, kind, SHA-256, size and
//! owning customer, written in the transaction that stores the document.

use crate::{Conn, Result, execute, on_conn};
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    pub kind: &'a str,
    pub object_key: &'a str,
    /// Lowercase hex, 64 characters.
    pub sha256: &'a str,
    pub size_bytes: i64,
    /// The customer the document belongs to; `None` for the Service Centre's own.
    pub customer_id: Option<i64>,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: i64,
    pub kind: String,
    pub object_key: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub customer_id: Option<i64>,
    pub created_at: OffsetDateTime,
}

/// Records a document; a key already recorded is a conflict (`documents_object_key_key` on
/// PostgreSQL).
pub async fn insert(conn: &mut Conn<'_>, d: &NewDocument<'_>) -> Result<i64> {
    let sql = "INSERT INTO documents (kind, object_key, sha256, size_bytes, customer_id, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(d.kind)
        .bind(d.object_key)
        .bind(d.sha256)
        .bind(d.size_bytes)
        .bind(d.customer_id)
        .bind(crate::instant(d.created_at))
        .fetch_one(x)
        .await)?)
}

pub async fn by_key(conn: &mut Conn<'_>, object_key: &str) -> Result<Option<DocumentRow>> {
    let sql = "SELECT id, kind, object_key, sha256, size_bytes, customer_id, created_at \
               FROM documents WHERE object_key = $1";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(object_key)
        .fetch_optional(x)
        .await)?)
}

/// Forgets a document's record (its object is the caller's to remove); true if there was one.
pub async fn delete(conn: &mut Conn<'_>, id: i64) -> Result<bool> {
    let n = execute!(
        conn,
        sqlx::query("DELETE FROM documents WHERE id = $1").bind(id)
    )?;
    Ok(n > 0)
}
