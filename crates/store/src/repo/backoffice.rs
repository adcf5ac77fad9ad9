//! Back-office queries: the customer search, a customer's status (with the end of its users'
//! sessions and tokens) and the audit search. Every filter is a bound parameter; the only
//! orderings are fixed in the SQL text.

use crate::{Conn, Result, execute, on_conn};
use time::OffsetDateTime;

/// Escapes `%`, `_` and the escape character itself for a `LIKE … ESCAPE '\'` pattern.
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// One line of the customer list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CustomerSummaryRow {
    pub id: i64,
    pub customer_number: String,
    pub name: String,
    pub vat_number: String,
    pub language: String,
    pub status: String,
    /// All users of the customer, whatever their status.
    pub users: i64,
}

/// Filters of the customer search; `None` means no filter.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter<'a> {
    /// Matches the customer number from its start, the name anywhere (case-insensitive), or
    /// the VAT number anywhere (ignoring spaces, dots and dashes typed by the operator).
    pub search: Option<&'a str>,
    /// `active` or `suspended`.
    pub status: Option<&'a str>,
    /// Keyset paging: customers after this customer number, in the list's order.
    pub after_number: Option<&'a str>,
    pub limit: i64,
}

/// Customers in customer-number order (numerically: shorter numbers first, then by digits).
pub async fn search_customers(
    conn: &mut Conn<'_>,
    f: &CustomerFilter<'_>,
) -> Result<Vec<CustomerSummaryRow>> {
    let search = f.search.map(str::trim).filter(|s| !s.is_empty());
    let number = search.map(|s| format!("{}%", like_escape(s)));
    let name = search.map(|s| format!("%{}%", like_escape(&s.to_lowercase())));
    let vat = search
        .map(|s| {
            s.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_uppercase()
        })
        .filter(|s| !s.is_empty())
        .map(|s| format!("%{s}%"));
    let after_len = f.after_number.map(|n| n.len() as i64).unwrap_or(0);
    let sql = "SELECT c.id, c.customer_number, c.name, c.vat_number, c.language, c.status, \
               (SELECT COUNT(*) FROM users u WHERE u.customer_id = c.id) AS users \
               FROM customers c \
               WHERE ($1 IS NULL OR c.customer_number LIKE $1 ESCAPE '\\' \
                      OR LOWER(c.name) LIKE $2 ESCAPE '\\' \
                      OR ($3 IS NOT NULL AND UPPER(c.vat_number) LIKE $3)) \
               AND ($4 IS NULL OR c.status = $4) \
               AND ($5 IS NULL OR LENGTH(c.customer_number) > $6 \
                    OR (LENGTH(c.customer_number) = $6 AND c.customer_number > $5)) \
               ORDER BY LENGTH(c.customer_number), c.customer_number LIMIT $7";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(number.as_deref())
        .bind(name.as_deref())
        .bind(vat.as_deref())
        .bind(f.status)
        .bind(f.after_number)
        .bind(after_len)
        .bind(f.limit)
        .fetch_all(x)
        .await)?)
}

/// Sets a customer's status; returns false when it already had it (nothing changed).
pub async fn set_customer_status(
    conn: &mut Conn<'_>,
    customer_id: i64,
    status: &str,
) -> Result<bool> {
    let sql = "UPDATE customers SET status = $2 WHERE id = $1 AND status <> $2";
    let n = execute!(conn, sqlx::query(sql).bind(customer_id).bind(status))?;
    Ok(n > 0)
}

/// What ending a customer's access removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ended {
    pub sessions: u64,
    pub tokens: u64,
}

/// Ends at once every session, pending second-factor sign-in and bearer token of every user
/// of a customer (a suspension).
pub async fn end_access_of_customer(
    conn: &mut Conn<'_>,
    customer_id: i64,
    at: OffsetDateTime,
) -> Result<Ended> {
    let sessions = execute!(
        conn,
        sqlx::query(
            "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE customer_id = $1)"
        )
        .bind(customer_id)
    )?;
    execute!(
        conn,
        sqlx::query(
            "DELETE FROM pending_logins WHERE user_id IN (SELECT id FROM users WHERE customer_id = $1)"
        )
        .bind(customer_id)
    )?;
    let tokens = execute!(
        conn,
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $2 WHERE revoked_at IS NULL \
             AND user_id IN (SELECT id FROM users WHERE customer_id = $1)"
        )
        .bind(customer_id)
        .bind(crate::instant(at))
    )?;
    Ok(Ended { sessions, tokens })
}

/// One event of the audit search, with its customer's number.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditSearchRow {
    pub id: i64,
    pub at: OffsetDateTime,
    pub actor: String,
    pub customer_number: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub ip: String,
    pub request_id: String,
    pub details: String,
}

/// Which events a search may see at all: the use case decides, never the caller's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditScope {
    /// Every event (operators).
    All,
    /// The events of one customer only (never those without a customer).
    Customer(i64),
}

/// Filters of the audit search; `None` means no filter.
#[derive(Debug, Clone)]
pub struct AuditFilter<'a> {
    pub scope: AuditScope,
    /// Events at or after this instant.
    pub from: Option<OffsetDateTime>,
    /// Events strictly before this instant.
    pub until: Option<OffsetDateTime>,
    /// The actor's name, compared without case.
    pub actor: Option<&'a str>,
    /// The action exactly, or every action starting with a prefix when it ends with `*`.
    pub action: Option<&'a str>,
    /// Keyset paging: events with a smaller id (the list is newest first).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// Events matching `f`, newest first.
pub async fn search_audit(conn: &mut Conn<'_>, f: &AuditFilter<'_>) -> Result<Vec<AuditSearchRow>> {
    let customer = match f.scope {
        AuditScope::All => None,
        AuditScope::Customer(id) => Some(id),
    };
    let actor = f.actor.map(|a| a.trim().to_lowercase());
    let action = f.action.map(str::trim).map(|a| match a.strip_suffix('*') {
        Some(prefix) => format!("{}%", like_escape(prefix)),
        None => like_escape(a),
    });
    let sql = "SELECT e.id, e.at, e.actor, c.customer_number, e.action, e.object_type, e.object_id, e.ip, e.request_id, e.details \
               FROM audit_events e LEFT JOIN customers c ON c.id = e.customer_id \
               WHERE ($1 IS NULL OR e.customer_id = $1) \
               AND ($2 IS NULL OR e.at >= $2) \
               AND ($3 IS NULL OR e.at < $3) \
               AND ($4 IS NULL OR LOWER(e.actor) = $4) \
               AND ($5 IS NULL OR e.action LIKE $5 ESCAPE '\\') \
               AND e.id < $6 \
               ORDER BY e.id DESC LIMIT $7";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(customer)
        .bind(f.from.map(crate::instant))
        .bind(f.until.map(crate::instant))
        .bind(actor.as_deref())
        .bind(action.as_deref())
        .bind(f.before_id.unwrap_or(i64::MAX))
        .bind(f.limit)
        .fetch_all(x)
        .await)?)
}

/// A registered item found by the operator's search box, whichever customer it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FoundItemRow {
    pub barcode: String,
    pub deposit_date: time::Date,
    pub customer_number: String,
    pub customer_name: String,
}

/// The registered item of this barcode (exact; unique across the portal), if any.
pub async fn registered_item_by_barcode(
    conn: &mut Conn<'_>,
    barcode: &str,
) -> Result<Option<FoundItemRow>> {
    let sql = "SELECT ri.barcode, ri.deposit_date, c.customer_number, c.name AS customer_name \
               FROM registered_items ri JOIN customers c ON c.id = ri.customer_id \
               WHERE ri.barcode = $1";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(barcode)
        .fetch_optional(x)
        .await)?)
}

/// A transaction found by the operator's search box, whichever customer it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FoundTransactionRow {
    pub transaction_id: String,
    pub date: time::Date,
    pub customer_number: String,
    pub customer_name: String,
    pub product_code: String,
    pub quantity: i64,
    pub amount_cents: i64,
}

/// The transaction of this operator's transaction id (exact; unique across the portal).
pub async fn transaction_by_id(
    conn: &mut Conn<'_>,
    transaction_id: &str,
) -> Result<Option<FoundTransactionRow>> {
    let sql = "SELECT t.transaction_id, t.date, c.customer_number, c.name AS customer_name, \
               p.code AS product_code, t.quantity, t.amount_cents \
               FROM transactions t JOIN customers c ON c.id = t.customer_id \
               JOIN products p ON p.id = t.product_id \
               WHERE t.transaction_id = $1";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(transaction_id)
        .fetch_optional(x)
        .await)?)
}
