//! Access requests: insert, list, find duplicates, decide. A decision is taken only while the
//! request is still `pending`, so two operators deciding at once cannot both win.

use crate::{Conn, Result, execute, on_conn};
use time::OffsetDateTime;

/// The columns of [`AccessRequestRow`], with the deciding operator joined as `d` and the
/// customer an approval linked as `c`.
macro_rules! select_from {
    () => {
        "SELECT ar.id, ar.company_name, ar.vat_number, ar.customer_number, ar.street, ar.postcode, ar.city, ar.country, \
     ar.contact_name, ar.email, ar.phone, ar.language, ar.username, ar.webpass, ar.message, ar.status, ar.reason, \
     ar.created_at, ar.decided_at, ar.decided_by, d.username AS decided_by_username, ar.customer_id, \
     c.customer_number AS linked_customer_number, c.name AS linked_customer_name, ar.user_id \
         FROM access_requests ar LEFT JOIN users d ON d.id = ar.decided_by LEFT JOIN customers c ON c.id = ar.customer_id "
    };
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccessRequestRow {
    pub id: i64,
    pub company_name: String,
    pub vat_number: String,
    pub customer_number: Option<String>,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    pub contact_name: String,
    pub email: String,
    pub phone: String,
    pub language: String,
    pub username: String,
    pub webpass: Option<String>,
    pub message: String,
    pub status: String,
    pub reason: Option<String>,
    pub created_at: OffsetDateTime,
    pub decided_at: Option<OffsetDateTime>,
    pub decided_by: Option<i64>,
    /// The operator who decided, by username.
    pub decided_by_username: Option<String>,
    /// After approval: the customer linked or created, and its first administrator.
    pub customer_id: Option<i64>,
    pub linked_customer_number: Option<String>,
    pub linked_customer_name: Option<String>,
    pub user_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewAccessRequest<'a> {
    pub company_name: &'a str,
    pub vat_number: &'a str,
    pub customer_number: Option<&'a str>,
    pub street: &'a str,
    pub postcode: &'a str,
    pub city: &'a str,
    pub country: &'a str,
    pub contact_name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub language: &'a str,
    pub username: &'a str,
    pub webpass: Option<&'a str>,
    pub message: &'a str,
    pub created_at: OffsetDateTime,
}

pub async fn insert(conn: &mut Conn<'_>, r: &NewAccessRequest<'_>) -> Result<i64> {
    let sql = "INSERT INTO access_requests (company_name, vat_number, customer_number, street, postcode, city, country, \
               contact_name, email, phone, language, username, webpass, message, status, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'pending', $15) RETURNING id";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(r.company_name)
        .bind(r.vat_number)
        .bind(r.customer_number)
        .bind(r.street)
        .bind(r.postcode)
        .bind(r.city)
        .bind(r.country)
        .bind(r.contact_name)
        .bind(r.email)
        .bind(r.phone)
        .bind(r.language)
        .bind(r.username)
        .bind(r.webpass)
        .bind(r.message)
        .bind(crate::instant(r.created_at))
        .fetch_one(x)
        .await)?)
}

pub async fn by_id(conn: &mut Conn<'_>, id: i64) -> Result<Option<AccessRequestRow>> {
    let sql = concat!(select_from!(), "WHERE ar.id = $1");
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(x)
        .await)?)
}

/// Requests newest first, optionally of one status; keyset paging on the id (`before_id`
/// excluded). Ids grow with time, so id order is submission order.
pub async fn list(
    conn: &mut Conn<'_>,
    status: Option<&str>,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<AccessRequestRow>> {
    let sql = concat!(
        select_from!(),
        "WHERE ($1 IS NULL OR ar.status = $1) AND ar.id < $2 ORDER BY ar.id DESC LIMIT $3"
    );
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(status)
        .bind(before_id.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(x)
        .await)?)
}

/// Pairs `(id, other)` where `other` is another *pending* request for the same company as
/// `id` (same VAT number, or same customer number), for every `id` in `from..=to`.
pub async fn pending_duplicates(
    conn: &mut Conn<'_>,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, i64)>> {
    let sql = "SELECT a.id, b.id FROM access_requests a JOIN access_requests b \
               ON b.id <> a.id AND b.status = 'pending' \
               AND (b.vat_number = a.vat_number OR (a.customer_number IS NOT NULL AND b.customer_number = a.customer_number)) \
               WHERE a.id >= $1 AND a.id <= $2 ORDER BY a.id, b.id";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(from)
        .bind(to)
        .fetch_all(x)
        .await)?)
}

/// Whether a pending request already asks for this username (`key` is lower case).
pub async fn username_pending(conn: &mut Conn<'_>, key: &str) -> Result<bool> {
    let sql =
        "SELECT COUNT(*) FROM access_requests WHERE status = 'pending' AND LOWER(username) = $1";
    let n: i64 = on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(key)
        .fetch_one(x)
        .await)?;
    Ok(n > 0)
}

/// Marks a pending request approved by `by`; false when it was no longer pending. Called
/// first in the approval's transaction: on PostgreSQL the row lock makes a concurrent
/// decision wait, then find the request decided.
pub async fn mark_approved(
    conn: &mut Conn<'_>,
    id: i64,
    by: i64,
    at: OffsetDateTime,
) -> Result<bool> {
    let sql = "UPDATE access_requests SET status = 'approved', decided_at = $3, decided_by = $2 \
               WHERE id = $1 AND status = 'pending'";
    let n = execute!(
        conn,
        sqlx::query(sql).bind(id).bind(by).bind(crate::instant(at))
    )?;
    Ok(n == 1)
}

/// Records what an approval created or linked.
pub async fn set_outcome(
    conn: &mut Conn<'_>,
    id: i64,
    customer_id: i64,
    user_id: i64,
) -> Result<()> {
    let sql = "UPDATE access_requests SET customer_id = $2, user_id = $3 WHERE id = $1";
    execute!(
        conn,
        sqlx::query(sql).bind(id).bind(customer_id).bind(user_id)
    )?;
    Ok(())
}

/// Marks a pending request rejected with its reason; false when it was no longer pending.
pub async fn mark_rejected(
    conn: &mut Conn<'_>,
    id: i64,
    by: i64,
    at: OffsetDateTime,
    reason: &str,
) -> Result<bool> {
    let sql = "UPDATE access_requests SET status = 'rejected', decided_at = $3, decided_by = $2, reason = $4 \
               WHERE id = $1 AND status = 'pending'";
    let n = execute!(
        conn,
        sqlx::query(sql)
            .bind(id)
            .bind(by)
            .bind(crate::instant(at))
            .bind(reason)
    )?;
    Ok(n == 1)
}
