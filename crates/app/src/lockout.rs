//! Sign-in attempts: failures counted per account (lockout) and per address (throttling) in
//! the database, attempts reserved under the account's lock, and the operator's unlock.

use crate::{
    Actor, App, AppError, RequestMeta,
    audit::{self, Who},
    auth,
    error::AppResult,
    passwords,
};
use cs_domain::{CustomerId, UserId};
use cs_store::{
    Conn,
    repo::{customers, security, users},
};
use serde_json::json;
use time::{Duration, OffsetDateTime};

/// An account is locked after this many failed sign-ins within [`LOCKOUT_WINDOW`]…
pub const LOCKOUT_THRESHOLD: i64 = 10;
pub const LOCKOUT_WINDOW: Duration = Duration::minutes(15);
/// …for this long.
pub const LOCKOUT_DURATION: Duration = Duration::minutes(15);
/// An address with more than this many failed sign-ins within [`ADDRESS_WINDOW`] is refused
/// sign-in and forgotten-password requests until the count falls again. High on purpose:
/// behind a reverse proxy (forwarded headers are not trusted) every user shares the proxy's
/// address, so this only stops bulk guessing; single accounts are protected by the lockout.
pub const ADDRESS_LIMIT: i64 = 300;
pub const ADDRESS_WINDOW: Duration = Duration::minutes(15);
/// Failed sign-ins older than this are deleted by the housekeeping task.
pub const FAILURES_KEPT: Duration = Duration::days(1);
/// Audited actions of this module.
pub mod action {
    /// A sign-in refused because the account is locked.
    pub const LOGIN_LOCKED: &str = "login.locked";
    /// An account just got locked by its failures.
    pub const USER_LOCKED: &str = "user.locked";
    pub const USER_UNLOCKED: &str = "user.unlocked";
}

fn locked_error() -> AppError {
    AppError::Throttled {
        code: crate::ErrorCode::AccountLocked,
    }
}

fn throttled_error() -> AppError {
    AppError::Throttled {
        code: crate::ErrorCode::TooManyAttempts,
    }
}

/// Whether a user row is locked at `now`.
pub fn is_locked(user: &users::UserRow, now: OffsetDateTime) -> bool {
    user.locked_until.is_some_and(|t| t > now)
}

/// Refuses (429 `too_many_attempts`) an address with more than [`ADDRESS_LIMIT`] failed
/// sign-ins in the last [`ADDRESS_WINDOW`].
pub(crate) async fn check_address(
    conn: &mut Conn<'_>,
    ip: &str,
    now: OffsetDateTime,
) -> AppResult<()> {
    let failures = security::address_failures_since(conn, ip, now - ADDRESS_WINDOW).await?;
    if failures > ADDRESS_LIMIT {
        tracing::warn!(ip, failures, "sign-in attempts throttled for this address");
        return Err(throttled_error());
    }
    Ok(())
}

/// The address throttle for requests other than sign-in (forgotten password): the same
/// count, asked of the database so that it holds on every instance.
pub async fn ensure_address_allowed(app: &App, meta: &RequestMeta) -> AppResult<()> {
    let mut conn = app.store.acquire().await?;
    check_address(&mut conn.conn(), &meta.ip, app.now()).await
}

/// Records one failed sign-in inside `conn`'s transaction: the failure row (counted for the
/// account when `user` is known, for the address always), the audit event, and the lock
/// once the account reaches [`LOCKOUT_THRESHOLD`] failures. A caller that evaluates a
/// password or code of a known account decides first, under the account's lock, that it may
/// ([`account_is_open`] or [`reserve_attempt`]).
pub(crate) async fn record_failure(
    conn: &mut Conn<'_>,
    now: OffsetDateTime,
    meta: &RequestMeta,
    user: Option<&users::UserRow>,
    username_key: &str,
    reason: &str,
) -> AppResult<()> {
    security::insert_failure(conn, user.map(|u| u.id), username_key, &meta.ip, now).await?;
    match user {
        Some(u) => after_failure(conn, now, meta, u, reason).await,
        None => {
            audit::record(
                conn,
                now,
                &Who::system(username_key),
                meta,
                audit::action::LOGIN_FAILED,
                ("user", ""),
                json!({ "reason": reason }),
            )
            .await?;
            Ok(())
        }
    }
}

/// What follows a failure of a known account whose row is already written: the audit event,
/// and the lock once the window holds [`LOCKOUT_THRESHOLD`] failures.
async fn after_failure(
    conn: &mut Conn<'_>,
    now: OffsetDateTime,
    meta: &RequestMeta,
    u: &users::UserRow,
    reason: &str,
) -> AppResult<()> {
    auth::audit_login(conn, now, meta, u, false, reason).await?;
    let failures = security::user_failures_since(conn, u.id, now - LOCKOUT_WINDOW).await?;
    if failures >= LOCKOUT_THRESHOLD && !is_locked(u, now) {
        let until = now + LOCKOUT_DURATION;
        security::lock_user(conn, u.id, until).await?;
        audit::record(
            conn,
            now,
            &Who::user(u),
            meta,
            action::USER_LOCKED,
            ("user", &u.id.to_string()),
            json!({ "failures": failures, "until": rfc3339(until) }),
        )
        .await?;
    }
    Ok(())
}

/// Whether one more attempt of this account may be evaluated now, decided under the
/// account's row lock ([`security::lock_account_row`]) for the rest of `conn`'s
/// transaction: the account exists, is not locked, and its window holds fewer than
/// [`LOCKOUT_THRESHOLD`] failures, reserved attempts included. Because the decision and the
/// failure it may lead to are written under one lock, parallel attempts cannot all pass a
/// check that each would pass alone.
pub(crate) async fn account_is_open(
    conn: &mut Conn<'_>,
    user_id: UserId,
    now: OffsetDateTime,
) -> AppResult<bool> {
    let Some(locked_until) = security::lock_account_row(conn, user_id.get()).await? else {
        return Ok(false);
    };
    if locked_until.is_some_and(|t| t > now) {
        return Ok(false);
    }
    let failures = security::user_failures_since(conn, user_id.get(), now - LOCKOUT_WINDOW).await?;
    Ok(failures < LOCKOUT_THRESHOLD)
}

/// One attempt of an account, reserved before its slow password check: it counts as a
/// failure from the moment it is taken, and is given back if the password is right. So at
/// most [`LOCKOUT_THRESHOLD`] passwords of one account are ever evaluated per window,
/// however many requests arrive at the same instant.
#[must_use = "an attempt is either given back or kept as a failure"]
pub(crate) struct Attempt {
    failure_id: i64,
}

/// Reserves an attempt of `user` in a short transaction of its own; `None` when the account
/// has none left (locked, or its window full).
pub(crate) async fn reserve_attempt(
    app: &App,
    meta: &RequestMeta,
    user: &users::UserRow,
    username_key: &str,
) -> AppResult<Option<Attempt>> {
    let now = app.now();
    let mut tx = app.store.begin().await?;
    if !account_is_open(&mut tx.conn(), UserId::new(user.id), now).await? {
        return Ok(None);
    }
    let failure_id =
        security::insert_failure(&mut tx.conn(), Some(user.id), username_key, &meta.ip, now)
            .await?;
    tx.commit().await?;
    Ok(Some(Attempt { failure_id }))
}

impl Attempt {
    /// The attempt succeeded: it no longer counts, inside the caller's transaction.
    pub(crate) async fn give_back(self, conn: &mut Conn<'_>) -> AppResult<()> {
        security::delete_failure(conn, self.failure_id).await?;
        Ok(())
    }

    /// The attempt failed (a wrong code after a right password): its row stays as the
    /// failure, audited, and it may lock the account.
    pub(crate) async fn fail(
        self,
        conn: &mut Conn<'_>,
        now: OffsetDateTime,
        meta: &RequestMeta,
        user: &users::UserRow,
        reason: &str,
    ) -> AppResult<()> {
        after_failure(conn, now, meta, user, reason).await
    }
}

/// Checks `password` against a known account as one guarded attempt. When it is right and
/// the account `usable`, the attempt is handed to the caller, still reserved: it gives it
/// back once the whole sign-in succeeds, or fails it (a wrong second-factor code), so that
/// a password and its code are one attempt. `Ok(None)` when the password is refused
/// (counted, audited, maybe locking the account); 429 `account_locked` when the account has
/// no attempt left, after a dummy hash so that timing says nothing.
pub(crate) async fn guarded_password(
    app: &App,
    meta: &RequestMeta,
    user: &users::UserRow,
    username_key: &str,
    password: &str,
    usable: bool,
) -> AppResult<Option<Attempt>> {
    let cost = app.settings.password_cost;
    let Some(attempt) = reserve_attempt(app, meta, user, username_key).await? else {
        passwords::verify(cost, password.to_owned(), None).await?;
        return Err(refuse_locked(app, meta, user, username_key).await?);
    };
    let ok = passwords::verify(cost, password.to_owned(), user.password_hash.clone()).await?;
    if ok && usable {
        return Ok(Some(attempt));
    }
    let reason = if ok { "not_active" } else { "wrong_password" };
    let mut tx = app.store.begin().await?;
    attempt
        .fail(&mut tx.conn(), app.now(), meta, user, reason)
        .await?;
    tx.commit().await?;
    Ok(None)
}

/// Asks the signed-in actor for its own password again before a sensitive change: one
/// guarded attempt like a sign-in (a wrong password counts towards the lockout, a locked
/// account answers 429). `Ok(false)` when it is wrong.
pub async fn confirm_own_password(
    app: &App,
    meta: &RequestMeta,
    actor: &Actor,
    password: &str,
) -> AppResult<bool> {
    let mut conn = app.store.acquire().await?;
    let user = users::by_id(&mut conn.conn(), actor.user_id.get())
        .await?
        .ok_or(AppError::Unauthenticated)?;
    drop(conn);
    let key = user.username.to_ascii_lowercase();
    let Some(attempt) = guarded_password(app, meta, &user, &key, password, true).await? else {
        return Ok(false);
    };
    let mut tx = app.store.begin().await?;
    attempt.give_back(&mut tx.conn()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Refuses a sign-in of a locked account: audited (`login.locked`), counted for the address
/// (not for the account, so the lock ends when it says), 429 `account_locked`.
pub(crate) async fn refuse_locked(
    app: &App,
    meta: &RequestMeta,
    user: &users::UserRow,
    username_key: &str,
) -> AppResult<AppError> {
    let now = app.now();
    let mut tx = app.store.begin().await?;
    security::insert_failure(&mut tx.conn(), None, username_key, &meta.ip, now).await?;
    security::delete_pending_logins_of_user(&mut tx.conn(), user.id).await?;
    audit::record(
        &mut tx.conn(),
        now,
        &Who::user(user),
        meta,
        action::LOGIN_LOCKED,
        ("user", &user.id.to_string()),
        json!({ "until": user.locked_until.map(rfc3339) }),
    )
    .await?;
    tx.commit().await?;
    Ok(locked_error())
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Unlocks an account (Service Centre): clears `locked_until` and stops counting the
/// account's recent failures against it. Returns the customer number of the user's
/// customer (`None` for an operator), for the page to go back to.
pub async fn unlock(
    app: &App,
    actor: &Actor,
    meta: &RequestMeta,
    user_id: UserId,
) -> AppResult<Option<String>> {
    actor.require_operator()?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let user = users::by_id(&mut tx.conn(), user_id.get())
        .await?
        .ok_or(AppError::NotFound)?;
    security::unlock_user(&mut tx.conn(), user.id).await?;
    security::detach_failures_of_user(&mut tx.conn(), user.id).await?;
    let number = match user.customer_id {
        Some(id) => customers::by_id(&mut tx.conn(), id)
            .await?
            .map(|c| c.customer_number),
        None => None,
    };
    // Recorded under the user's customer, so that its administrators see it too.
    let who = Who::actor_for(actor, user.customer_id.map(CustomerId::new));
    audit::record(
        &mut tx.conn(),
        now,
        &who,
        meta,
        action::USER_UNLOCKED,
        ("user", &user.id.to_string()),
        json!({
            "username": user.username,
            "was_locked_until": user.locked_until.filter(|t| *t > now).map(rfc3339),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(number)
}
