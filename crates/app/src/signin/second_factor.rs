//! The second factor as its owner and the Service Centre manage it: its state, enrolment with
//! recovery codes, turning it off, the Service Centre's reset and a customer's requirement.

use super::{
    RECOVERY_CODES, action,
    codes::{
        as_totp_code, new_recovery_code, normalize_recovery_code, open_totp_secret,
        recovery_code_hash, totp, totp_purpose, unix,
    },
};
use crate::{
    Actor, App, AppError, AuthMethod, RequestMeta,
    audit::{self, Who},
    error::AppResult,
    lockout::{confirm_own_password, guarded_password},
};
use cs_domain::{CustomerId, Module, Role, UserId};
use cs_store::repo::{auth as auth_repo, customers, security, users};
use serde_json::json;
use time::OffsetDateTime;
use totp_rs::Secret;

/// The second-factor state of the signed-in user, for the account page.
#[derive(Debug, Clone)]
pub struct TwoFactorStatus {
    pub enabled_at: Option<OffsetDateTime>,
    /// Set while an enrolment waits for its confirming code.
    pub enrolment: Option<Enrolment>,
    pub recovery_codes_left: i64,
    /// The user's company requires a second factor.
    pub required: bool,
}

/// A secret being set up: what the authenticator app needs.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// `otpauth://totp/…` for the QR code.
    pub uri: String,
    /// Base32, for typing into the app by hand.
    pub secret: String,
}

pub async fn two_factor_status(app: &App, actor: &Actor) -> AppResult<TwoFactorStatus> {
    let mut conn = app.store.acquire().await?;
    let state = security::totp_state(&mut conn.conn(), actor.user_id.get())
        .await?
        .ok_or(AppError::NotFound)?;
    let enrolment = match (&state.totp_secret, state.totp_enabled_at) {
        (Some(sealed), None) => {
            let secret = open_totp_secret(app, actor.user_id, sealed)?;
            Some(Enrolment {
                uri: totp(&secret, &actor.username)?
                    .to_url()
                    .map_err(|e| AppError::internal(format!("otpauth uri: {e}")))?,
                secret,
            })
        }
        _ => None,
    };
    let recovery_codes_left =
        security::unused_recovery_codes(&mut conn.conn(), actor.user_id.get()).await?;
    let required = match &actor.customer {
        Some(c) => security::customer_requires_totp(&mut conn.conn(), c.id.get()).await?,
        None => false,
    };
    Ok(TwoFactorStatus {
        enabled_at: state.totp_enabled_at,
        enrolment,
        recovery_codes_left,
        required,
    })
}

fn already_enabled() -> AppError {
    AppError::Conflict {
        code: crate::ErrorCode::TotpAlreadyEnabled,
        message: "the second factor is on already: turn it off first to set up another device"
            .into(),
    }
}

/// Starts (or restarts) an enrolment: a new 160-bit secret from the OS CSPRNG, kept
/// pending until a code of it is confirmed.
pub async fn start_enrolment(app: &App, actor: &Actor, meta: &RequestMeta) -> AppResult<()> {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(format!("no randomness: {e}")))?;
    let secret = Secret::new_stack(bytes).to_base32();
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let state = security::totp_state(&mut tx.conn(), actor.user_id.get())
        .await?
        .ok_or(AppError::NotFound)?;
    if state.totp_enabled_at.is_some() {
        return Err(already_enabled());
    }
    let sealed = app
        .settings
        .secret_keys
        .seal(&totp_purpose(actor.user_id), &secret)?;
    security::set_pending_totp_secret(&mut tx.conn(), actor.user_id.get(), &sealed).await?;
    audit::record(
        &mut tx.conn(),
        now,
        &Who::actor(actor),
        meta,
        action::TOTP_ENROLMENT_STARTED,
        ("user", &actor.user_id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Confirms an enrolment with a code of the new secret: the second factor is on, the code's
/// step is spent, and the returned recovery codes (shown once, stored hashed) replace any
/// earlier ones. The user's other sessions and tokens end: they were opened without it.
pub async fn confirm_enrolment(
    app: &App,
    actor: &Actor,
    meta: &RequestMeta,
    code: &str,
) -> AppResult<Vec<String>> {
    let now = app.now();
    let wrong = || {
        AppError::invalid(
            "code",
            "invalid_totp",
            "the code is wrong or expired: type the code your app shows now",
        )
    };
    let mut tx = app.store.begin().await?;
    let state = security::totp_state(&mut tx.conn(), actor.user_id.get())
        .await?
        .ok_or(AppError::NotFound)?;
    if state.totp_enabled_at.is_some() {
        return Err(already_enabled());
    }
    let sealed = state.totp_secret.ok_or_else(|| {
        AppError::invalid(
            "code",
            "totp_not_started",
            "start the set-up first: no secret is waiting for confirmation",
        )
    })?;
    let secret = open_totp_secret(app, actor.user_id, &sealed)?;
    let code = as_totp_code(code).ok_or_else(wrong)?;
    let step = totp(&secret, &actor.username)?
        .check(&code, unix(now))
        .ok_or_else(wrong)?;
    let step = i64::try_from(step).map_err(|_| AppError::internal("TOTP step"))?;
    if !security::enable_totp(&mut tx.conn(), actor.user_id.get(), now, step).await? {
        return Err(already_enabled());
    }
    let codes = new_recovery_codes()?;
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| recovery_code_hash(actor.user_id, &normalize_recovery_code(c)))
        .collect();
    security::replace_recovery_codes(&mut tx.conn(), actor.user_id.get(), &hashes).await?;
    end_other_sessions(&mut tx.conn(), actor, now).await?;
    audit::record(
        &mut tx.conn(),
        now,
        &Who::actor(actor),
        meta,
        action::TOTP_ENABLED,
        ("user", &actor.user_id.to_string()),
        json!({ "recovery_codes": RECOVERY_CODES }),
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// [`RECOVERY_CODES`] distinct new recovery codes.
fn new_recovery_codes() -> AppResult<Vec<String>> {
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    while codes.len() < RECOVERY_CODES {
        let c = new_recovery_code()?;
        if !codes.contains(&c) {
            codes.push(c);
        }
    }
    Ok(codes)
}

/// Ends the actor's other sessions, its tokens and its pending second steps: they were
/// opened without the second factor just set up.
async fn end_other_sessions(
    conn: &mut cs_store::Conn<'_>,
    actor: &Actor,
    now: OffsetDateTime,
) -> AppResult<()> {
    let keep = match &actor.auth {
        AuthMethod::Session { id_hash, .. } => Some(id_hash.as_str()),
        AuthMethod::Bearer { .. } => None,
    };
    auth_repo::delete_sessions_of_user(conn, actor.user_id.get(), keep).await?;
    auth_repo::revoke_api_tokens_of_user(conn, actor.user_id.get(), now).await?;
    security::delete_pending_logins_of_user(conn, actor.user_id.get()).await?;
    Ok(())
}

/// Turns the second factor off, with the current password. A wrong password counts as a
/// failed sign-in (so a stolen session cannot guess the password without limit).
pub async fn disable(
    app: &App,
    actor: &Actor,
    meta: &RequestMeta,
    password: &str,
) -> AppResult<()> {
    let now = app.now();
    let mut conn = app.store.acquire().await?;
    let user = users::by_id(&mut conn.conn(), actor.user_id.get())
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let key = user.username.to_ascii_lowercase();
    let Some(attempt) = guarded_password(app, meta, &user, &key, password, true).await? else {
        return Err(AppError::invalid(
            "password",
            "wrong_password",
            "the password is not right",
        ));
    };
    let mut tx = app.store.begin().await?;
    attempt.give_back(&mut tx.conn()).await?;
    security::disable_totp(&mut tx.conn(), actor.user_id.get()).await?;
    audit::record(
        &mut tx.conn(),
        now,
        &Who::actor(actor),
        meta,
        action::TOTP_DISABLED,
        ("user", &actor.user_id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Operator unlock and the customer's requirement

/// A customer's second-factor setting and how far its users are.
#[derive(Debug, Clone)]
pub struct SecurityOverview {
    pub customer_number: String,
    pub customer_name: String,
    pub require_totp: bool,
    /// Active users with the second factor on.
    pub enrolled: i64,
    pub active_users: i64,
}

fn may_manage_users(actor: &Actor) -> AppResult<()> {
    if actor.role == Role::Operator || actor.can(Module::Users) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Removes a user's second factor (Service Centre only), for a user who lost both the
/// device and the recovery codes. The user signs in with the password alone and enrols
/// again (its customer's requirement, if any, sends it to the set-up at once). The caller
/// has checked the person's identity by its own procedure; the act is audited under the
/// user's customer, so its administrators see it. Returns the customer's number.
pub async fn reset_second_factor(
    app: &App,
    actor: &Actor,
    meta: &RequestMeta,
    user_id: UserId,
    current_password: Option<&str>,
) -> AppResult<Option<String>> {
    actor.require_operator()?;
    // Removing a second factor opens the account to its password alone: the operator
    // confirms with its own password first (ASVS row 14).
    match current_password.filter(|p| !p.is_empty()) {
        None => return Err(AppError::ReauthenticationRequired { wrong: false }),
        Some(p) if !confirm_own_password(app, meta, actor, p).await? => {
            return Err(AppError::ReauthenticationRequired { wrong: true });
        }
        Some(_) => {}
    }
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let user = users::by_id(&mut tx.conn(), user_id.get())
        .await?
        .ok_or(AppError::NotFound)?;
    let had = user.totp_enabled_at.is_some();
    security::disable_totp(&mut tx.conn(), user.id).await?;
    security::delete_pending_logins_of_user(&mut tx.conn(), user.id).await?;
    let number = match user.customer_id {
        Some(id) => customers::by_id(&mut tx.conn(), id)
            .await?
            .map(|c| c.customer_number),
        None => None,
    };
    audit::record(
        &mut tx.conn(),
        now,
        &Who::actor_for(actor, user.customer_id.map(CustomerId::new)),
        meta,
        action::TOTP_RESET,
        ("user", &user.id.to_string()),
        json!({ "username": user.username, "had_second_factor": had }),
    )
    .await?;
    tx.commit().await?;
    Ok(number)
}

pub async fn security_overview(
    app: &App,
    actor: &Actor,
    customer_number: Option<&str>,
) -> AppResult<SecurityOverview> {
    may_manage_users(actor)?;
    let tenant = actor.tenant(app, customer_number).await?;
    let mut conn = app.store.acquire().await?;
    let c = customers::by_id(&mut conn.conn(), tenant.customer_id.get())
        .await?
        .ok_or(AppError::NotFound)?;
    let require_totp = security::customer_requires_totp(&mut conn.conn(), c.id).await?;
    let (enrolled, active_users) = security::customer_totp_coverage(&mut conn.conn(), c.id).await?;
    Ok(SecurityOverview {
        customer_number: c.customer_number,
        customer_name: c.name,
        require_totp,
        enrolled,
        active_users,
    })
}

/// Requires (or stops requiring) a second factor of all the customer's users. Users
/// without one may then only set it up until they have.
pub async fn set_require_totp(
    app: &App,
    actor: &Actor,
    meta: &RequestMeta,
    customer_number: Option<&str>,
    required: bool,
) -> AppResult<()> {
    may_manage_users(actor)?;
    let tenant = actor.tenant(app, customer_number).await?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let before = security::customer_requires_totp(&mut tx.conn(), tenant.customer_id.get()).await?;
    security::set_customer_requires_totp(&mut tx.conn(), tenant.customer_id.get(), required)
        .await?;
    let who = Who::actor_for(actor, Some(tenant.customer_id));
    audit::record(
        &mut tx.conn(),
        now,
        &who,
        meta,
        action::REQUIRE_TOTP,
        ("customer", &tenant.customer_id.to_string()),
        json!({ "required": required, "before": before }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
