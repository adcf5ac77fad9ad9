//! A user's own credentials as the account page sees them: personal API tokens (list, revoke),
//! the other sessions and tokens that a password change or "sign out everywhere else" ends,
//! and the counters that keep the self-service paths from being abused.

use crate::{Conn, Result, execute, on_conn};
use time::OffsetDateTime;

/// A named, long-lived bearer token of kind `personal`; its secret is never stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonalTokenRow {
    pub id: i64,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

/// The user's personal tokens that still work (not revoked, not expired), newest first.
pub async fn live_personal_tokens(
    conn: &mut Conn<'_>,
    user_id: i64,
    now: OffsetDateTime,
) -> Result<Vec<PersonalTokenRow>> {
    let sql = "SELECT id, name, created_at, expires_at, last_used_at FROM api_tokens \
               WHERE user_id = $1 AND kind = 'personal' AND revoked_at IS NULL AND expires_at > $2 \
               ORDER BY created_at DESC, id DESC";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(user_id)
        .bind(crate::instant(now))
        .fetch_all(x)
        .await)?)
}

pub async fn count_live_personal_tokens(
    conn: &mut Conn<'_>,
    user_id: i64,
    now: OffsetDateTime,
) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 AND kind = 'personal' AND revoked_at IS NULL AND expires_at > $2";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(user_id)
        .bind(crate::instant(now))
        .fetch_one(x)
        .await)?)
}

/// Revokes one live personal token of `user_id`; `false` when there is none with that id for
/// this user (unknown, another user's, already revoked or expired: all alike).
pub async fn revoke_personal_token(
    conn: &mut Conn<'_>,
    user_id: i64,
    token_id: i64,
    now: OffsetDateTime,
) -> Result<bool> {
    let sql = "UPDATE api_tokens SET revoked_at = $3 \
               WHERE id = $1 AND user_id = $2 AND kind = 'personal' AND revoked_at IS NULL AND expires_at > $3";
    let n = execute!(
        conn,
        sqlx::query(sql)
            .bind(token_id)
            .bind(user_id)
            .bind(crate::instant(now))
    )?;
    Ok(n == 1)
}

/// Revokes the user's unrevoked tokens but `keep` (the caller's own bearer token), all kinds or
/// only `kind` (`login` or `personal`). Returns how many were revoked.
pub async fn revoke_tokens_of_user_except(
    conn: &mut Conn<'_>,
    user_id: i64,
    keep: Option<i64>,
    kind: Option<&str>,
    at: OffsetDateTime,
) -> Result<u64> {
    let sql = "UPDATE api_tokens SET revoked_at = $2 \
               WHERE user_id = $1 AND revoked_at IS NULL AND id <> $3 AND ($4 IS NULL OR kind = $4)";
    let n = execute!(
        conn,
        sqlx::query(sql)
            .bind(user_id)
            .bind(crate::instant(at))
            .bind(keep.unwrap_or(0))
            .bind(kind)
    )?;
    Ok(n)
}

/// The user's sessions other than `keep` that are still alive (seen after `idle_after`, not
/// past their absolute end).
pub async fn count_other_sessions(
    conn: &mut Conn<'_>,
    user_id: i64,
    keep: Option<&str>,
    idle_after: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND id_hash <> $2 AND last_seen_at > $3 AND expires_at > $4";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .bind(crate::instant(idle_after))
        .bind(crate::instant(now))
        .fetch_one(x)
        .await)?)
}

/// One-time links of `purpose` made for the user since `since` (used or not): the budget of
/// reset e-mails an account may receive.
pub async fn count_links_since(
    conn: &mut Conn<'_>,
    user_id: i64,
    purpose: &str,
    since: OffsetDateTime,
) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM one_time_tokens WHERE user_id = $1 AND purpose = $2 AND created_at > $3";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(user_id)
        .bind(purpose)
        .bind(crate::instant(since))
        .fetch_one(x)
        .await)?)
}

/// Audit events of `action` done by the user since `since`: how many wrong current passwords
/// a session has tried, so that a stolen session cannot guess the password behind it.
pub async fn count_events_of_user_since(
    conn: &mut Conn<'_>,
    user_id: i64,
    action: &str,
    since: OffsetDateTime,
) -> Result<i64> {
    let sql =
        "SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_user_id = $2 AND at > $3";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(action)
        .bind(user_id)
        .bind(crate::instant(since))
        .fetch_one(x)
        .await)?)
}
