//! The sign-in flow: a password, then (for an account that has one) the second factor, then a
//! session or an API token opened by `crate::auth`. The second factor itself — its codes,
//! enrolment, reset and a customer's requirement — lives in the submodules.
//!
//! Dependencies run one way: this flow calls `auth` (sessions, tokens) and `lockout`
//! (attempts); neither calls back here. Failed attempts and the lockout they lead to are
//! `crate::lockout`'s.

mod codes;
mod second_factor;

pub use codes::seal_stored_totp_secrets;
pub use second_factor::{
    Enrolment, SecurityOverview, TwoFactorStatus, confirm_enrolment, disable, reset_second_factor,
    security_overview, set_require_totp, start_enrolment, two_factor_status,
};

use crate::{
    App, AppError, RequestMeta,
    auth::{self, OpenedSession, audit_login},
    error::AppResult,
    lockout::{self, FAILURES_KEPT, account_is_open, check_address, record_failure, refuse_locked},
    passwords, secrets,
};
use codes::consume_second_factor;
use cs_domain::{UserId, UserStatus};
use cs_store::{
    Conn,
    repo::{customers, security, users},
};
use time::{Duration, OffsetDateTime};

/// The second step of a sign-in must be done within 5 minutes, in at most 5 tries.
pub const PENDING_LIFETIME: Duration = Duration::minutes(5);
pub const PENDING_ATTEMPTS: i64 = 5;
/// Recovery codes given at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// The issuer shown by authenticator apps.
pub const TOTP_ISSUER: &str = "Collect & Stamp";

/// Audited actions of the second factor.
pub mod action {
    pub const TOTP_RESET: &str = "totp.reset";
    pub const REQUIRE_TOTP: &str = "customer.require_totp";
    pub const TOTP_ENROLMENT_STARTED: &str = "totp.enrolment_started";
    pub const TOTP_ENABLED: &str = "totp.enabled";
    pub const TOTP_DISABLED: &str = "totp.disabled";
}

/// Checks a username and password; on success the user's active account.
///
/// Before any password work: the address must not be throttled (more than
/// [`lockout::ADDRESS_LIMIT`] recent failures, 429 `too_many_attempts`), and the account must
/// have an attempt left (429 `account_locked`, after a dummy hash so that timing stays
/// alike). The attempt is reserved atomically before the password is verified
/// ([`lockout::guarded_password`]), so parallel guesses cannot outrun the lockout. Every
/// failure is counted in the database (per account when it exists, per address always) and
/// may lock the account.
async fn check_password(
    app: &App,
    meta: &RequestMeta,
    username: &str,
    password: &str,
) -> AppResult<(users::UserRow, lockout::Attempt)> {
    // Capped: a password typed into the username field must not end up whole in the logs.
    let key: String = username
        .trim()
        .to_ascii_lowercase()
        .chars()
        .take(64)
        .collect();
    let now = app.now();
    let mut conn = app.store.acquire().await?;
    check_address(&mut conn.conn(), &meta.ip, now).await?;
    let user = users::by_username_key(&mut conn.conn(), &key).await?;
    drop(conn);
    let Some(u) = user else {
        passwords::verify(app.settings.password_cost, password.to_owned(), None).await?;
        let mut tx = app.store.begin().await?;
        record_failure(&mut tx.conn(), now, meta, None, &key, "unknown_user").await?;
        tx.commit().await?;
        return Err(AppError::InvalidCredentials);
    };
    let usable = u.status == UserStatus::Active.as_str();
    let Some(attempt) = lockout::guarded_password(app, meta, &u, &key, password, usable).await?
    else {
        return Err(AppError::InvalidCredentials);
    };
    if let Some(cid) = u.customer_id {
        let mut tx = app.store.begin().await?;
        let c = customers::by_id(&mut tx.conn(), cid).await?;
        if c.is_some_and(|c| c.status == "suspended") {
            attempt.give_back(&mut tx.conn()).await?;
            audit_login(&mut tx.conn(), now, meta, &u, false, "customer_suspended").await?;
            tx.commit().await?;
            return Err(AppError::CustomerSuspended);
        }
    }
    Ok((u, attempt))
}

/// What a right password leads to.
#[derive(Debug, Clone)]
pub enum SignInOutcome {
    /// Signed in: a new session.
    Opened(Box<OpenedSession>),
    /// The account has a second factor: the code is asked next (`/login/two-factor`), under
    /// this pending token (the cookie's value, valid 5 minutes).
    SecondFactor { pending_token: String },
}

/// Signs in with a password. Without a second factor a new browser session opens (a new id
/// every time, so a session id known before sign-in is worth nothing after it); with one,
/// the sign-in waits for the code ([`complete_second_step`]).
pub async fn sign_in(
    app: &App,
    meta: &RequestMeta,
    username: &str,
    password: &str,
) -> AppResult<SignInOutcome> {
    let (user, attempt) = check_password(app, meta, username, password).await?;
    let mut tx = app.store.begin().await?;
    attempt.give_back(&mut tx.conn()).await?;
    if user.totp_enabled_at.is_some() {
        tx.commit().await?;
        let pending_token = start_second_step(app, &user).await?;
        return Ok(SignInOutcome::SecondFactor { pending_token });
    }
    let opened = auth::open_session(app, &mut tx.conn(), meta, user, "password").await?;
    tx.commit().await?;
    Ok(SignInOutcome::Opened(Box::new(opened)))
}

/// Starts the second step of a sign-in whose password was right: a pending row and the
/// random token of its cookie (valid [`PENDING_LIFETIME`]).
async fn start_second_step(app: &App, user: &users::UserRow) -> AppResult<String> {
    let token = secrets::new_token()?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    security::insert_pending_login(
        &mut tx.conn(),
        &secrets::token_hash(&token),
        user.id,
        now,
        now + PENDING_LIFETIME,
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Whether a pending second step is still alive (to show its form, or send back to sign-in).
pub async fn second_step_is_live(app: &App, pending_token: &str) -> AppResult<bool> {
    let mut conn = app.store.acquire().await?;
    Ok(security::pending_login(
        &mut conn.conn(),
        &secrets::token_hash(pending_token),
        app.now(),
    )
    .await?
    .is_some())
}

/// Completes a sign-in with its second factor: the code (or a recovery code) is checked
/// against the pending step's user, and only then is a session opened (a new id).
///
/// Errors: `Unauthenticated` when the step is unknown, expired or used up (sign in again);
/// `InvalidTotp` for a wrong code (counted as a failed sign-in); `Throttled` for a locked
/// account or a throttled address.
pub async fn complete_second_step(
    app: &App,
    meta: &RequestMeta,
    pending_token: &str,
    code: &str,
) -> AppResult<OpenedSession> {
    let now = app.now();
    let id_hash = secrets::token_hash(pending_token);
    let mut conn = app.store.acquire().await?;
    check_address(&mut conn.conn(), &meta.ip, now).await?;
    let pending = security::pending_login(&mut conn.conn(), &id_hash, now)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let user = users::by_id(&mut conn.conn(), pending.user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    drop(conn);
    let key = user.username.to_ascii_lowercase();
    let mut tx = app.store.begin().await?;
    if !account_is_open(&mut tx.conn(), UserId::new(user.id), now).await? {
        drop(tx);
        return Err(refuse_locked(app, meta, &user, &key).await?);
    }
    let attempts = security::count_pending_attempt(&mut tx.conn(), &id_hash).await?;
    if attempts > PENDING_ATTEMPTS {
        security::delete_pending_login(&mut tx.conn(), &id_hash).await?;
        tx.commit().await?;
        return Err(AppError::Unauthenticated);
    }
    match consume_second_factor(app, &mut tx.conn(), &user, code, now).await? {
        Some(method) => {
            security::delete_pending_login(&mut tx.conn(), &id_hash).await?;
            let opened = auth::open_session(app, &mut tx.conn(), meta, user, method).await?;
            tx.commit().await?;
            Ok(opened)
        }
        None => {
            record_failure(&mut tx.conn(), now, meta, Some(&user), &key, "invalid_totp").await?;
            let used_up = attempts >= PENDING_ATTEMPTS;
            if used_up {
                security::delete_pending_login(&mut tx.conn(), &id_hash).await?;
            }
            tx.commit().await?;
            Err(if used_up {
                AppError::Unauthenticated
            } else {
                AppError::InvalidTotp
            })
        }
    }
}

/// A bearer token for the API, from a username and password (`POST /api/v1/auth/token`).
/// An account with a second factor also needs `totp`, a current code or an unused recovery
/// code: missing is 401 `totp_required`, wrong is 401 `invalid_totp` (a failed sign-in).
pub async fn issue_login_token(
    app: &App,
    meta: &RequestMeta,
    username: &str,
    password: &str,
    totp: Option<&str>,
) -> AppResult<(String, OffsetDateTime)> {
    let (user, attempt) = check_password(app, meta, username, password).await?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    // The password and its code are one attempt: the reservation taken for the password is
    // given back only once the code is right too.
    let method = if user.totp_enabled_at.is_some() {
        let code = totp.map(str::trim).filter(|c| !c.is_empty());
        let Some(code) = code else {
            attempt.give_back(&mut tx.conn()).await?;
            tx.commit().await?;
            return Err(AppError::TotpRequired);
        };
        match consume_second_factor(app, &mut tx.conn(), &user, code, now).await? {
            Some("recovery_code") => "token+recovery_code",
            Some(_) => "token+totp",
            None => {
                attempt
                    .fail(&mut tx.conn(), now, meta, &user, "invalid_totp")
                    .await?;
                tx.commit().await?;
                return Err(AppError::InvalidTotp);
            }
        }
    } else {
        "token"
    };
    attempt.give_back(&mut tx.conn()).await?;
    let issued = auth::open_login_token(&mut tx.conn(), now, meta, &user, method).await?;
    tx.commit().await?;
    Ok(issued)
}

/// Housekeeping, beside `auth::purge_expired_sessions`: forgets failed sign-ins that no
/// longer count and second steps that expired. Returns how many rows went.
pub async fn purge_stale_attempts(app: &App) -> AppResult<u64> {
    let now = app.now();
    let mut conn = app.store.acquire().await?;
    purge(&mut conn.conn(), now).await
}

async fn purge(conn: &mut Conn<'_>, now: OffsetDateTime) -> AppResult<u64> {
    let a = security::delete_failures_before(conn, now - FAILURES_KEPT).await?;
    let b = security::delete_expired_pending_logins(conn, now).await?;
    Ok(a + b)
}
