//! Credentials other than passwords: browser sessions, bearer tokens and one-time links.
//! Only SHA-256 hashes of the secrets are stored; the secrets themselves never reach the database.

use crate::{
    Conn, Result, Store, execute, on_conn,
    sqlite_read::{self, Param},
};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user_id: i64,
    pub csrf_token: &'a str,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

pub async fn insert_session(conn: &mut Conn<'_>, s: &NewSession<'_>) -> Result<()> {
    let sql = "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $4, $5, $6, $7)";
    execute!(
        conn,
        sqlx::query(sql)
            .bind(s.id_hash)
            .bind(s.user_id)
            .bind(s.csrf_token)
            .bind(crate::instant(s.created_at))
            .bind(crate::instant(s.expires_at))
            .bind(s.ip)
            .bind(s.user_agent)
    )?;
    Ok(())
}

pub async fn session(conn: &mut Conn<'_>, id_hash: &str) -> Result<Option<SessionRow>> {
    let sql = "SELECT id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions WHERE id_hash = $1";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(id_hash)
        .fetch_optional(x)
        .await)?)
}

pub async fn touch_session(conn: &mut Conn<'_>, id_hash: &str, at: OffsetDateTime) -> Result<()> {
    let sql = "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1";
    execute!(
        conn,
        sqlx::query(sql).bind(id_hash).bind(crate::instant(at))
    )?;
    Ok(())
}

pub async fn delete_session(conn: &mut Conn<'_>, id_hash: &str) -> Result<()> {
    let sql = "DELETE FROM sessions WHERE id_hash = $1";
    execute!(conn, sqlx::query(sql).bind(id_hash))?;
    Ok(())
}

/// Ends every session of a user but `keep` (the caller's own, when it changed its own password).
pub async fn delete_sessions_of_user(
    conn: &mut Conn<'_>,
    user_id: i64,
    keep: Option<&str>,
) -> Result<u64> {
    let sql = "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> COALESCE($2, '')";
    let r = execute!(conn, sqlx::query(sql).bind(user_id).bind(keep))?;
    Ok(r)
}

pub async fn delete_expired_sessions(
    conn: &mut Conn<'_>,
    idle_before: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<u64> {
    let sql = "DELETE FROM sessions WHERE last_seen_at < $1 OR expires_at <= $2";
    let r = execute!(
        conn,
        sqlx::query(sql)
            .bind(crate::instant(idle_before))
            .bind(crate::instant(now))
    )?;
    Ok(r)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiTokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub kind: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// When its use was last recorded (at most once a minute: [`touch_api_token`]).
    pub last_used_at: Option<OffsetDateTime>,
}

pub async fn insert_api_token(
    conn: &mut Conn<'_>,
    user_id: i64,
    name: &str,
    kind: &str,
    token_hash: &str,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<i64> {
    let sql = "INSERT INTO api_tokens (user_id, name, kind, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(user_id)
        .bind(name)
        .bind(kind)
        .bind(token_hash)
        .bind(crate::instant(created_at))
        .bind(crate::instant(expires_at))
        .fetch_one(x)
        .await)?)
}

/// The live (unexpired, unrevoked) token with this hash.
pub async fn live_api_token(
    conn: &mut Conn<'_>,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<ApiTokenRow>> {
    let sql = "SELECT id, user_id, name, kind, created_at, expires_at, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(token_hash)
        .bind(crate::instant(now))
        .fetch_optional(x)
        .await)?)
}

/// A live token with its user and the user's customer (if any), read in one statement:
/// what every bearer request needs before anything else.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenPrincipalRow {
    pub token_id: i64,
    pub token_last_used_at: Option<OffsetDateTime>,
    #[sqlx(flatten)]
    pub user: super::users::UserRow,
    /// The customer's columns, all `None` for an operator.
    pub customer_number: Option<String>,
    pub customer_name: Option<String>,
    pub customer_status: Option<String>,
    pub customer_require_totp: Option<bool>,
}

const PRINCIPAL: &str = "SELECT t.id AS token_id, t.last_used_at AS token_last_used_at, \
    u.id, u.customer_id, u.username, u.full_name, u.email, u.language, u.role, u.modules, \
    u.status, u.password_hash, u.created_at, u.last_login_at, u.locked_until, \
    u.totp_enabled_at, c.customer_number, c.name AS customer_name, \
    c.status AS customer_status, c.require_totp AS customer_require_totp \
    FROM api_tokens t JOIN users u ON u.id = t.user_id \
    LEFT JOIN customers c ON c.id = u.customer_id \
    WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2";

/// [`live_api_token`], its user and the user's customer in one round trip (`None` when the
/// token is not live).
pub async fn live_api_token_principal(
    conn: &mut Conn<'_>,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<TokenPrincipalRow>> {
    let sql = PRINCIPAL;
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(token_hash)
        .bind(crate::instant(now))
        .fetch_optional(x)
        .await)?)
}

/// [`live_api_token_principal`] on the store: on a SQLite file read below sqlx, on the
/// request's own thread ([`sqlite_read::Readers`]), since every API request starts here.
pub async fn token_principal(
    store: &Store,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<TokenPrincipalRow>> {
    let Some(readers) = store.readers() else {
        let mut conn = store.acquire().await?;
        return live_api_token_principal(&mut conn.conn(), token_hash, now).await;
    };
    let params = vec![
        Param::Text(token_hash.to_owned()),
        Param::Text(sqlite_read::instant_text(now)?),
    ];
    let rows = readers.read_here(|c| sqlite_read::all(c, PRINCIPAL, &params, principal_row))?;
    Ok(rows.into_iter().next())
}

/// One row of [`PRINCIPAL`], by position.
fn principal_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TokenPrincipalRow> {
    use sqlite_read::{instant_at, instant_opt};
    Ok(TokenPrincipalRow {
        token_id: r.get(0)?,
        token_last_used_at: instant_opt(r, 1)?,
        user: super::users::UserRow {
            id: r.get(2)?,
            customer_id: r.get(3)?,
            username: r.get(4)?,
            full_name: r.get(5)?,
            email: r.get(6)?,
            language: r.get(7)?,
            role: r.get(8)?,
            modules: r.get(9)?,
            status: r.get(10)?,
            password_hash: r.get(11)?,
            created_at: instant_at(r, 12)?,
            last_login_at: instant_opt(r, 13)?,
            locked_until: instant_opt(r, 14)?,
            totp_enabled_at: instant_opt(r, 15)?,
        },
        customer_number: r.get(16)?,
        customer_name: r.get(17)?,
        customer_status: r.get(18)?,
        customer_require_totp: r.get(19)?,
    })
}

/// Records a use of a token, unless one was recorded less than `every` ago.
pub async fn touch_api_token(
    conn: &mut Conn<'_>,
    id: i64,
    at: OffsetDateTime,
    every: time::Duration,
) -> Result<()> {
    let sql = "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)";
    execute!(
        conn,
        sqlx::query(sql)
            .bind(id)
            .bind(crate::instant(at))
            .bind(crate::instant(at - every))
    )?;
    Ok(())
}

pub async fn revoke_api_tokens_of_user(
    conn: &mut Conn<'_>,
    user_id: i64,
    at: OffsetDateTime,
) -> Result<u64> {
    let sql = "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL";
    let r = execute!(
        conn,
        sqlx::query(sql).bind(user_id).bind(crate::instant(at))
    )?;
    Ok(r)
}

pub async fn insert_one_time_token(
    conn: &mut Conn<'_>,
    token_hash: &str,
    user_id: i64,
    purpose: &str,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<()> {
    let sql = "INSERT INTO one_time_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
    execute!(
        conn,
        sqlx::query(sql)
            .bind(token_hash)
            .bind(user_id)
            .bind(purpose)
            .bind(crate::instant(created_at))
            .bind(crate::instant(expires_at))
    )?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OneTimeTokenRow {
    pub user_id: i64,
    pub purpose: String,
    pub expires_at: OffsetDateTime,
}

/// A usable one-time token (not used, not expired), without consuming it: for showing the form.
pub async fn usable_one_time_token(
    conn: &mut Conn<'_>,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<OneTimeTokenRow>> {
    let sql = "SELECT user_id, purpose, expires_at FROM one_time_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(token_hash)
        .bind(crate::instant(now))
        .fetch_optional(x)
        .await)?)
}

/// The language of the user a one-time token belongs to, used or expired alike: the page
/// behind the link speaks the language of the e-mail that carried it, also to say that the
/// link no longer works.
pub async fn one_time_token_language(
    conn: &mut Conn<'_>,
    token_hash: &str,
) -> Result<Option<String>> {
    let sql = "SELECT u.language FROM one_time_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(token_hash)
        .fetch_optional(x)
        .await)?)
}

/// Marks the token used if it still is usable, atomically: two concurrent uses cannot both win.
pub async fn consume_one_time_token(
    conn: &mut Conn<'_>,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<OneTimeTokenRow>> {
    let sql = "UPDATE one_time_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id, purpose, expires_at";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(token_hash)
        .bind(crate::instant(now))
        .fetch_optional(x)
        .await)?)
}

/// Any other outstanding link of the user stops working once one has been used.
pub async fn void_one_time_tokens_of_user(
    conn: &mut Conn<'_>,
    user_id: i64,
    at: OffsetDateTime,
) -> Result<()> {
    let sql = "UPDATE one_time_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL";
    execute!(
        conn,
        sqlx::query(sql).bind(user_id).bind(crate::instant(at))
    )?;
    Ok(())
}
