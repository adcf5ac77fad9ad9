//! Sign-in security: failed sign-ins (per account and per address), lockout, the second
//! factor (secret, last accepted step, recovery codes), pending second steps and the
//! customer's "second factor required" setting.

use crate::{Conn, Result, execute, on_conn};
use time::OffsetDateTime;

/// Records one failed sign-in (or reserves an attempt that counts as one until it is given
/// back with [`delete_failure`]); returns its id. `user_id` is `None` when the failure must
/// count for the address only (unknown username, attempt on a locked account).
pub async fn insert_failure(
    conn: &mut Conn<'_>,
    user_id: Option<i64>,
    username: &str,
    ip: &str,
    at: OffsetDateTime,
) -> Result<i64> {
    let sql = "INSERT INTO login_failures (user_id, username, ip, at) VALUES ($1, $2, $3, $4) RETURNING id";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(user_id)
        .bind(username)
        .bind(ip)
        .bind(crate::instant(at))
        .fetch_one(x)
        .await)?)
}

/// Gives back a reserved attempt whose password turned out right.
pub async fn delete_failure(conn: &mut Conn<'_>, id: i64) -> Result<()> {
    execute!(
        conn,
        sqlx::query("DELETE FROM login_failures WHERE id = $1").bind(id)
    )?;
    Ok(())
}

/// Takes the account's row lock for the rest of the transaction and returns its
/// `locked_until` (`None` inside when unlocked; `None` outside when there is no such user).
/// PostgreSQL locks the row (`FOR UPDATE`); SQLite's `BEGIN IMMEDIATE` already holds the
/// database's one write lock. Either way the sign-in attempts of one account are decided one
/// after the other, however many arrive at once.
pub async fn lock_account_row(
    conn: &mut Conn<'_>,
    user_id: i64,
) -> Result<Option<Option<OffsetDateTime>>> {
    Ok(match conn {
        Conn::Sqlite(c) => {
            sqlx::query_scalar("SELECT locked_until FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&mut **c)
                .await?
        }
        Conn::Postgres(c) => {
            sqlx::query_scalar("SELECT locked_until FROM users WHERE id = $1 FOR UPDATE")
                .bind(user_id)
                .fetch_optional(&mut **c)
                .await?
        }
    })
}

/// Failures counted against an account after `since` (exclusive).
pub async fn user_failures_since(
    conn: &mut Conn<'_>,
    user_id: i64,
    since: OffsetDateTime,
) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM login_failures WHERE user_id = $1 AND at > $2";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(user_id)
        .bind(crate::instant(since))
        .fetch_one(x)
        .await)?)
}

/// Failures from an address after `since` (exclusive), whatever the account.
pub async fn address_failures_since(
    conn: &mut Conn<'_>,
    ip: &str,
    since: OffsetDateTime,
) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM login_failures WHERE ip = $1 AND at > $2";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(ip)
        .bind(crate::instant(since))
        .fetch_one(x)
        .await)?)
}

/// Stops counting an account's failures against it (after a complete sign-in, or an
/// operator's unlock). The rows stay, detached, so they still count for their address.
pub async fn detach_failures_of_user(conn: &mut Conn<'_>, user_id: i64) -> Result<u64> {
    let sql = "UPDATE login_failures SET user_id = NULL WHERE user_id = $1";
    Ok(execute!(conn, sqlx::query(sql).bind(user_id))?)
}

/// Forgets failures older than `before` (housekeeping: they no longer count for anything).
pub async fn delete_failures_before(conn: &mut Conn<'_>, before: OffsetDateTime) -> Result<u64> {
    let sql = "DELETE FROM login_failures WHERE at < $1";
    Ok(execute!(
        conn,
        sqlx::query(sql).bind(crate::instant(before))
    )?)
}

/// Locks an account until `until`, unless it is locked longer already.
pub async fn lock_user(conn: &mut Conn<'_>, user_id: i64, until: OffsetDateTime) -> Result<()> {
    let sql = "UPDATE users SET locked_until = $2 WHERE id = $1 AND (locked_until IS NULL OR locked_until < $2)";
    execute!(
        conn,
        sqlx::query(sql).bind(user_id).bind(crate::instant(until))
    )?;
    Ok(())
}

/// Clears an account's lock; true when the account exists.
pub async fn unlock_user(conn: &mut Conn<'_>, user_id: i64) -> Result<bool> {
    let sql = "UPDATE users SET locked_until = NULL WHERE id = $1";
    Ok(execute!(conn, sqlx::query(sql).bind(user_id))? == 1)
}

/// The second-factor state of a user.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TotpRow {
    /// The base32 secret, sealed (`cs_app::secret_box`): pending while `enabled_at` is
    /// `None`, in force after.
    pub totp_secret: Option<String>,
    pub totp_enabled_at: Option<OffsetDateTime>,
    pub totp_last_step: Option<i64>,
}

pub async fn totp_state(conn: &mut Conn<'_>, user_id: i64) -> Result<Option<TotpRow>> {
    let sql = "SELECT totp_secret, totp_enabled_at, totp_last_step FROM users WHERE id = $1";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(user_id)
        .fetch_optional(x)
        .await)?)
}

/// Every stored TOTP secret (pending or in force), by user id.
pub async fn totp_secrets(conn: &mut Conn<'_>) -> Result<Vec<(i64, String)>> {
    let sql = "SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL ORDER BY id";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql).fetch_all(x).await)?)
}

/// Replaces a user's stored TOTP secret by `new` if it still is `old`; true when it was.
pub async fn replace_totp_secret(
    conn: &mut Conn<'_>,
    user_id: i64,
    old: &str,
    new: &str,
) -> Result<bool> {
    let sql = "UPDATE users SET totp_secret = $3 WHERE id = $1 AND totp_secret = $2";
    Ok(execute!(conn, sqlx::query(sql).bind(user_id).bind(old).bind(new))? == 1)
}

/// Stores a new secret awaiting confirmation (the second factor stays off until confirmed).
pub async fn set_pending_totp_secret(
    conn: &mut Conn<'_>,
    user_id: i64,
    secret: &str,
) -> Result<()> {
    let sql = "UPDATE users SET totp_secret = $2, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1";
    execute!(conn, sqlx::query(sql).bind(user_id).bind(secret))?;
    Ok(())
}

/// Turns the pending secret on; `step` (the confirming code's) is never accepted again.
pub async fn enable_totp(
    conn: &mut Conn<'_>,
    user_id: i64,
    at: OffsetDateTime,
    step: i64,
) -> Result<bool> {
    let sql = "UPDATE users SET totp_enabled_at = $2, totp_last_step = $3 WHERE id = $1 AND totp_secret IS NOT NULL AND totp_enabled_at IS NULL";
    Ok(execute!(
        conn,
        sqlx::query(sql)
            .bind(user_id)
            .bind(crate::instant(at))
            .bind(step)
    )? == 1)
}

/// Removes the second factor: secret, state and recovery codes.
pub async fn disable_totp(conn: &mut Conn<'_>, user_id: i64) -> Result<()> {
    let sql = "UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1";
    execute!(conn, sqlx::query(sql).bind(user_id))?;
    execute!(
        conn,
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id)
    )?;
    Ok(())
}

/// Accepts the time step `step` for the user if no later or equal step was accepted before,
/// atomically: the same code can never be used twice, even by two requests at once.
pub async fn accept_totp_step(conn: &mut Conn<'_>, user_id: i64, step: i64) -> Result<bool> {
    let sql = "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_enabled_at IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < $2)";
    Ok(execute!(conn, sqlx::query(sql).bind(user_id).bind(step))? == 1)
}

/// Replaces the user's recovery codes by these hashes.
pub async fn replace_recovery_codes(
    conn: &mut Conn<'_>,
    user_id: i64,
    hashes: &[String],
) -> Result<()> {
    execute!(
        conn,
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id)
    )?;
    for h in hashes {
        execute!(
            conn,
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user_id)
                .bind(h)
        )?;
    }
    Ok(())
}

/// Uses a recovery code if it exists and is unused, atomically; true when it was.
pub async fn use_recovery_code(
    conn: &mut Conn<'_>,
    user_id: i64,
    code_hash: &str,
    at: OffsetDateTime,
) -> Result<bool> {
    let sql = "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL";
    Ok(execute!(
        conn,
        sqlx::query(sql)
            .bind(user_id)
            .bind(code_hash)
            .bind(crate::instant(at))
    )? == 1)
}

pub async fn unused_recovery_codes(conn: &mut Conn<'_>, user_id: i64) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(user_id)
        .fetch_one(x)
        .await)?)
}

/// A sign-in waiting for its second factor.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingLoginRow {
    pub user_id: i64,
    pub expires_at: OffsetDateTime,
    pub attempts: i64,
}

pub async fn insert_pending_login(
    conn: &mut Conn<'_>,
    id_hash: &str,
    user_id: i64,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<()> {
    let sql = "INSERT INTO pending_logins (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)";
    execute!(
        conn,
        sqlx::query(sql)
            .bind(id_hash)
            .bind(user_id)
            .bind(crate::instant(created_at))
            .bind(crate::instant(expires_at))
    )?;
    Ok(())
}

/// The live pending sign-in with this hash (not expired).
pub async fn pending_login(
    conn: &mut Conn<'_>,
    id_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<PendingLoginRow>> {
    let sql = "SELECT user_id, expires_at, attempts FROM pending_logins WHERE id_hash = $1 AND expires_at > $2";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(id_hash)
        .bind(crate::instant(now))
        .fetch_optional(x)
        .await)?)
}

/// Counts one more code attempt; returns the new count.
pub async fn count_pending_attempt(conn: &mut Conn<'_>, id_hash: &str) -> Result<i64> {
    let sql =
        "UPDATE pending_logins SET attempts = attempts + 1 WHERE id_hash = $1 RETURNING attempts";
    Ok(on_conn!(conn, |x| sqlx::query_scalar::<_, i64>(sql)
        .bind(id_hash)
        .fetch_optional(x)
        .await)?
    .unwrap_or(i64::MAX))
}

pub async fn delete_pending_login(conn: &mut Conn<'_>, id_hash: &str) -> Result<()> {
    execute!(
        conn,
        sqlx::query("DELETE FROM pending_logins WHERE id_hash = $1").bind(id_hash)
    )?;
    Ok(())
}

pub async fn delete_pending_logins_of_user(conn: &mut Conn<'_>, user_id: i64) -> Result<()> {
    execute!(
        conn,
        sqlx::query("DELETE FROM pending_logins WHERE user_id = $1").bind(user_id)
    )?;
    Ok(())
}

pub async fn delete_expired_pending_logins(
    conn: &mut Conn<'_>,
    now: OffsetDateTime,
) -> Result<u64> {
    Ok(execute!(
        conn,
        sqlx::query("DELETE FROM pending_logins WHERE expires_at <= $1").bind(crate::instant(now))
    )?)
}

/// Whether a customer requires a second factor of all its users.
pub async fn customer_requires_totp(conn: &mut Conn<'_>, customer_id: i64) -> Result<bool> {
    let sql = "SELECT require_totp FROM customers WHERE id = $1";
    Ok(on_conn!(conn, |x| sqlx::query_scalar::<_, bool>(sql)
        .bind(customer_id)
        .fetch_optional(x)
        .await)?
    .unwrap_or(false))
}

pub async fn set_customer_requires_totp(
    conn: &mut Conn<'_>,
    customer_id: i64,
    required: bool,
) -> Result<()> {
    let sql = "UPDATE customers SET require_totp = $2 WHERE id = $1";
    execute!(conn, sqlx::query(sql).bind(customer_id).bind(required))?;
    Ok(())
}

/// How many of a customer's active users have the second factor on, of how many.
pub async fn customer_totp_coverage(conn: &mut Conn<'_>, customer_id: i64) -> Result<(i64, i64)> {
    let sql = "SELECT COUNT(*), COUNT(totp_enabled_at) FROM users WHERE customer_id = $1 AND status = 'active'";
    let (all, enrolled): (i64, i64) = on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(customer_id)
        .fetch_one(x)
        .await)?;
    Ok((enrolled, all))
}
