//! Users of the portal (operators and customers' users), their cost-centre limits and
//! password state.

use crate::{Conn, Result, execute, on_conn};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub customer_id: Option<i64>,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub language: String,
    pub role: String,
    pub modules: String,
    pub status: String,
    pub password_hash: Option<String>,
    pub created_at: OffsetDateTime,
    pub last_login_at: Option<OffsetDateTime>,
    pub locked_until: Option<OffsetDateTime>,
    pub totp_enabled_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub customer_id: Option<i64>,
    pub username: &'a str,
    /// The lower-cased username: unique across the portal.
    pub username_key: &'a str,
    pub full_name: &'a str,
    pub email: &'a str,
    pub language: &'a str,
    pub role: &'a str,
    pub modules: &'a str,
    pub status: &'a str,
    pub password_hash: Option<&'a str>,
    pub created_at: OffsetDateTime,
}

pub async fn insert(conn: &mut Conn<'_>, u: &NewUser<'_>) -> Result<i64> {
    let sql = "INSERT INTO users (customer_id, username, username_key, full_name, email, language, role, modules, status, password_hash, created_at, password_changed_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CASE WHEN $10 IS NULL THEN NULL ELSE $11 END) RETURNING id";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(u.customer_id)
        .bind(u.username)
        .bind(u.username_key)
        .bind(u.full_name)
        .bind(u.email)
        .bind(u.language)
        .bind(u.role)
        .bind(u.modules)
        .bind(u.status)
        .bind(u.password_hash)
        .bind(crate::instant(u.created_at))
        .fetch_one(x)
        .await)?)
}

pub async fn by_id(conn: &mut Conn<'_>, id: i64) -> Result<Option<UserRow>> {
    let sql = "SELECT id, customer_id, username, full_name, email, language, role, modules, status, password_hash, created_at, last_login_at, locked_until, totp_enabled_at FROM users WHERE id = $1";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(x)
        .await)?)
}

pub async fn by_username_key(conn: &mut Conn<'_>, key: &str) -> Result<Option<UserRow>> {
    let sql = "SELECT id, customer_id, username, full_name, email, language, role, modules, status, password_hash, created_at, last_login_at, locked_until, totp_enabled_at FROM users WHERE username_key = $1";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(key)
        .fetch_optional(x)
        .await)?)
}

/// Codes of the cost centres a user is limited to (empty: no limit).
pub async fn cost_centre_codes(conn: &mut Conn<'_>, user_id: i64) -> Result<Vec<String>> {
    let sql = "SELECT cc.code FROM user_cost_centres ucc JOIN cost_centres cc ON cc.id = ucc.cost_centre_id WHERE ucc.user_id = $1 ORDER BY cc.code";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(user_id)
        .fetch_all(x)
        .await)?)
}

pub async fn limit_to_cost_centre(
    conn: &mut Conn<'_>,
    user_id: i64,
    cost_centre_id: i64,
) -> Result<()> {
    let sql = "INSERT INTO user_cost_centres (user_id, cost_centre_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    execute!(conn, sqlx::query(sql).bind(user_id).bind(cost_centre_id))?;
    Ok(())
}

/// Stores a new password hash; an invited user becomes active.
pub async fn set_password(
    conn: &mut Conn<'_>,
    user_id: i64,
    hash: &str,
    at: OffsetDateTime,
) -> Result<()> {
    let sql = "UPDATE users SET password_hash = $2, password_changed_at = $3, status = CASE WHEN status = 'invited' THEN 'active' ELSE status END WHERE id = $1";
    execute!(
        conn,
        sqlx::query(sql)
            .bind(user_id)
            .bind(hash)
            .bind(crate::instant(at))
    )?;
    Ok(())
}

pub async fn set_language(conn: &mut Conn<'_>, user_id: i64, language: &str) -> Result<()> {
    let sql = "UPDATE users SET language = $2 WHERE id = $1";
    execute!(conn, sqlx::query(sql).bind(user_id).bind(language))?;
    Ok(())
}

pub async fn record_login(conn: &mut Conn<'_>, user_id: i64, at: OffsetDateTime) -> Result<()> {
    let sql = "UPDATE users SET last_login_at = $2 WHERE id = $1";
    execute!(
        conn,
        sqlx::query(sql).bind(user_id).bind(crate::instant(at))
    )?;
    Ok(())
}

/// Filters of a user list; `None` means no filter.
#[derive(Debug, Clone, Default)]
pub struct UserFilter<'a> {
    /// Matched case-insensitively against username, full name and e-mail.
    pub search: Option<&'a str>,
    pub status: Option<&'a str>,
    /// Keyset paging: users with a greater id.
    pub after_id: Option<i64>,
    pub limit: i64,
}

/// Users of a customer (or the operators, with `None`), in id order.
pub async fn list(
    conn: &mut Conn<'_>,
    customer_id: Option<i64>,
    f: &UserFilter<'_>,
) -> Result<Vec<UserRow>> {
    let pattern = f.search.map(|s| {
        format!(
            "%{}%",
            s.to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    });
    let sql = "SELECT id, customer_id, username, full_name, email, language, role, modules, status, password_hash, created_at, last_login_at, locked_until, totp_enabled_at FROM users \
               WHERE ((customer_id = $1) OR ($1 IS NULL AND customer_id IS NULL)) \
               AND ($2 IS NULL OR LOWER(username) LIKE $2 ESCAPE '\\' OR LOWER(full_name) LIKE $2 ESCAPE '\\' OR LOWER(email) LIKE $2 ESCAPE '\\') \
               AND ($3 IS NULL OR status = $3) AND id > $4 ORDER BY id LIMIT $5";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(customer_id)
        .bind(pattern.as_deref())
        .bind(f.status)
        .bind(f.after_id.unwrap_or(0))
        .bind(f.limit)
        .fetch_all(x)
        .await)?)
}

/// Active administrators of a customer: the last one may never go.
pub async fn count_active_admins(conn: &mut Conn<'_>, customer_id: i64) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM users WHERE customer_id = $1 AND role = 'admin' AND status = 'active'";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(customer_id)
        .fetch_one(x)
        .await)?)
}

pub async fn update_profile(
    conn: &mut Conn<'_>,
    id: i64,
    full_name: &str,
    email: &str,
    language: &str,
) -> Result<()> {
    execute!(
        conn,
        sqlx::query("UPDATE users SET full_name = $2, email = $3, language = $4 WHERE id = $1")
            .bind(id)
            .bind(full_name)
            .bind(email)
            .bind(language)
    )?;
    Ok(())
}

pub async fn set_role_and_modules(
    conn: &mut Conn<'_>,
    id: i64,
    role: &str,
    modules: &str,
) -> Result<()> {
    execute!(
        conn,
        sqlx::query("UPDATE users SET role = $2, modules = $3 WHERE id = $1")
            .bind(id)
            .bind(role)
            .bind(modules)
    )?;
    Ok(())
}

/// `disabled` records when; `active` clears it (an invited user stays invited until it sets a password).
pub async fn set_status(
    conn: &mut Conn<'_>,
    id: i64,
    status: &str,
    at: OffsetDateTime,
) -> Result<()> {
    let sql = "UPDATE users SET status = $2, disabled_at = CASE WHEN $2 = 'disabled' THEN $3 ELSE NULL END WHERE id = $1";
    execute!(
        conn,
        sqlx::query(sql)
            .bind(id)
            .bind(status)
            .bind(crate::instant(at))
    )?;
    Ok(())
}

/// Replaces the user's cost-centre limits (ids must belong to the user's customer: checked by the caller).
pub async fn replace_cost_centres(
    conn: &mut Conn<'_>,
    id: i64,
    cost_centre_ids: &[i64],
) -> Result<()> {
    execute!(
        conn,
        sqlx::query("DELETE FROM user_cost_centres WHERE user_id = $1").bind(id)
    )?;
    for cc in cost_centre_ids {
        limit_to_cost_centre(conn, id, *cc).await?;
    }
    Ok(())
}

pub async fn set_locked_until(
    conn: &mut Conn<'_>,
    id: i64,
    until: Option<OffsetDateTime>,
) -> Result<()> {
    execute!(
        conn,
        sqlx::query("UPDATE users SET locked_until = $2 WHERE id = $1")
            .bind(id)
            .bind(until.map(crate::instant))
    )?;
    Ok(())
}
