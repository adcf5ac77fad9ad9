//! The TOTP second factor: enrolment, sealed secrets, recovery codes, the second sign-in
//! step, the Service Centre's reset and a customer's "second factor required" setting.
//! Failed attempts and the lockout they lead to are `crate::lockout`'s.

use crate::{
    Actor, App, AppError, AuthMethod, RequestMeta,
    audit::{self, Who},
    auth::{self, OpenedSession},
    error::AppResult,
    lockout::{
        FAILURES_KEPT, account_is_open, check_address, confirm_own_password, guarded_password,
        record_failure, refuse_locked,
    },
    secrets,
};
use cs_domain::{Module, Role};
use cs_store::{
    Conn,
    repo::{auth as auth_repo, customers, security, users},
};
use serde_json::json;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// The second step of a sign-in must be done within 5 minutes, in at most 5 tries.
pub const PENDING_LIFETIME: Duration = Duration::minutes(5);
pub const PENDING_ATTEMPTS: i64 = 5;
/// Recovery codes given at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// The issuer shown by authenticator apps.
pub const TOTP_ISSUER: &str = "Collect & Stamp";

/// Audited actions of this module.
pub mod action {
    pub const TOTP_RESET: &str = "totp.reset";
    pub const REQUIRE_TOTP: &str = "customer.require_totp";
    pub const TOTP_ENROLMENT_STARTED: &str = "totp.enrolment_started";
    pub const TOTP_ENABLED: &str = "totp.enabled";
    pub const TOTP_DISABLED: &str = "totp.disabled";
}

// ---------------------------------------------------------------------------------------
// The second factor

/// What a user's TOTP secret is sealed for: it opens for that user only.
fn totp_purpose(user_id: i64) -> String {
    format!("totp:user:{user_id}")
}

fn open_totp_secret(app: &App, user_id: i64, sealed: &str) -> AppResult<String> {
    app.settings
        .secret_keys
        .open(&totp_purpose(user_id), sealed)
}

/// Seals every stored TOTP secret with the current key: secrets stored in clear by earlier
/// versions, and secrets sealed by an older key after a rotation. Run at start-up, before
/// any request; a value that moved under it is left for the next start. Returns how many
/// were sealed.
pub async fn seal_stored_totp_secrets(app: &App) -> AppResult<u64> {
    let keys = &app.settings.secret_keys;
    let mut conn = app.store.acquire().await?;
    let stored = security::totp_secrets(&mut conn.conn()).await?;
    drop(conn);
    let mut sealed = 0;
    for (user_id, value) in stored {
        if keys.is_current(&value) {
            continue;
        }
        let plain = if crate::secret_box::SecretKeys::is_sealed(&value) {
            keys.open(&totp_purpose(user_id), &value)?
        } else {
            value.clone()
        };
        let resealed = keys.seal(&totp_purpose(user_id), &plain)?;
        let mut tx = app.store.begin().await?;
        if security::replace_totp_secret(&mut tx.conn(), user_id, &value, &resealed).await? {
            sealed += 1;
        }
        tx.commit().await?;
    }
    if sealed > 0 {
        tracing::info!(
            sealed,
            "second-factor secrets sealed with the current secret key"
        );
    }
    Ok(sealed)
}

/// The TOTP of a stored base32 secret: SHA-1, 6 digits, 30 s, one step of skew either way.
fn totp(secret_b32: &str, username: &str) -> AppResult<Totp> {
    let secret = Secret::try_from_base32(secret_b32)
        .map_err(|e| AppError::Internal(format!("stored TOTP secret: {e}")))?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_account_name(username.replace(':', "_"))
        .with_issuer(Some(TOTP_ISSUER))
        .build()
        .map_err(|e| AppError::Internal(format!("TOTP: {e}")))
}

fn unix(now: OffsetDateTime) -> u64 {
    u64::try_from(now.unix_timestamp()).unwrap_or(0)
}

/// A six-digit code, spaces allowed (`123 456`): `Some(digits)`; anything else is taken
/// for a recovery code.
fn as_totp_code(input: &str) -> Option<String> {
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Recovery codes are compared without case, spaces or dashes.
fn normalize_recovery_code(input: &str) -> String {
    input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// What the database keeps of a recovery code: SHA-256 over the user id and the code. The
/// codes carry 60 random bits, so a fast hash is enough (a slow one would cost ten Argon2
/// runs per attempt).
fn recovery_code_hash(user_id: i64, normalized: &str) -> String {
    hex::encode(Sha256::digest(format!("{user_id}:{normalized}").as_bytes()))
}

/// Alphabet of recovery codes: lower-case letters and digits without the look-alikes
/// (0/o, 1/l); 32 symbols, so 5 bits each.
const RECOVERY_ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// A new recovery code, `xxxx-xxxx-xxxx` (60 bits from the OS CSPRNG).
fn new_recovery_code() -> AppResult<String> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| RECOVERY_ALPHABET[usize::from(b & 31)] as char)
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// Checks a second-factor input (a TOTP code or a recovery code) of an enrolled user and
/// consumes it on `conn`: the TOTP step is recorded so the code never works twice, a
/// recovery code is marked used. `Some(method)` when accepted.
pub(crate) async fn consume_second_factor(
    app: &App,
    conn: &mut Conn<'_>,
    user: &users::UserRow,
    input: &str,
    now: OffsetDateTime,
) -> AppResult<Option<&'static str>> {
    let Some(state) = security::totp_state(conn, user.id).await? else {
        return Ok(None);
    };
    let (Some(sealed), Some(_)) = (state.totp_secret, state.totp_enabled_at) else {
        return Ok(None);
    };
    let secret = open_totp_secret(app, user.id, &sealed)?;
    if let Some(code) = as_totp_code(input) {
        let Some(step) = totp(&secret, &user.username)?.check(&code, unix(now)) else {
            return Ok(None);
        };
        let step = i64::try_from(step).map_err(|_| AppError::Internal("TOTP step".into()))?;
        let fresh = security::accept_totp_step(conn, user.id, step).await?;
        return Ok(fresh.then_some("totp"));
    }
    let normalized = normalize_recovery_code(input);
    if normalized.is_empty() {
        return Ok(None);
    }
    let used = security::use_recovery_code(
        conn,
        user.id,
        &recovery_code_hash(user.id, &normalized),
        now,
    )
    .await?;
    Ok(used.then_some("recovery_code"))
}

/// Starts the second step of a sign-in whose password was right: a pending row and the
/// random token of its cookie (valid [`PENDING_LIFETIME`]).
pub(crate) async fn start_second_step(app: &App, user: &users::UserRow) -> AppResult<String> {
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
    if !account_is_open(&mut tx.conn(), user.id, now).await? {
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
    let state = security::totp_state(&mut conn.conn(), actor.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let enrolment = match (&state.totp_secret, state.totp_enabled_at) {
        (Some(sealed), None) => {
            let secret = open_totp_secret(app, actor.user_id, sealed)?;
            Some(Enrolment {
                uri: totp(&secret, &actor.username)?
                    .to_url()
                    .map_err(|e| AppError::Internal(format!("otpauth uri: {e}")))?,
                secret,
            })
        }
        _ => None,
    };
    let recovery_codes_left =
        security::unused_recovery_codes(&mut conn.conn(), actor.user_id).await?;
    let required = match &actor.customer {
        Some(c) => security::customer_requires_totp(&mut conn.conn(), c.id).await?,
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
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    let secret = Secret::new_stack(bytes).to_base32();
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let state = security::totp_state(&mut tx.conn(), actor.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if state.totp_enabled_at.is_some() {
        return Err(already_enabled());
    }
    let sealed = app
        .settings
        .secret_keys
        .seal(&totp_purpose(actor.user_id), &secret)?;
    security::set_pending_totp_secret(&mut tx.conn(), actor.user_id, &sealed).await?;
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
    let state = security::totp_state(&mut tx.conn(), actor.user_id)
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
    let step = i64::try_from(step).map_err(|_| AppError::Internal("TOTP step".into()))?;
    if !security::enable_totp(&mut tx.conn(), actor.user_id, now, step).await? {
        return Err(already_enabled());
    }
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    while codes.len() < RECOVERY_CODES {
        let c = new_recovery_code()?;
        if !codes.contains(&c) {
            codes.push(c);
        }
    }
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| recovery_code_hash(actor.user_id, &normalize_recovery_code(c)))
        .collect();
    security::replace_recovery_codes(&mut tx.conn(), actor.user_id, &hashes).await?;
    let keep = match &actor.auth {
        AuthMethod::Session { id_hash, .. } => Some(id_hash.as_str()),
        AuthMethod::Bearer { .. } => None,
    };
    auth_repo::delete_sessions_of_user(&mut tx.conn(), actor.user_id, keep).await?;
    auth_repo::revoke_api_tokens_of_user(&mut tx.conn(), actor.user_id, now).await?;
    security::delete_pending_logins_of_user(&mut tx.conn(), actor.user_id).await?;
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
    let user = users::by_id(&mut conn.conn(), actor.user_id)
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
    security::disable_totp(&mut tx.conn(), actor.user_id).await?;
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
    user_id: i64,
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
    let user = users::by_id(&mut tx.conn(), user_id)
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
        &Who::actor_for(actor, user.customer_id),
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
    let c = customers::by_id(&mut conn.conn(), tenant.customer_id)
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
    let before = security::customer_requires_totp(&mut tx.conn(), tenant.customer_id).await?;
    security::set_customer_requires_totp(&mut tx.conn(), tenant.customer_id, required).await?;
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

/// Housekeeping: forgets failures that no longer count and pending steps that expired.
pub(crate) async fn purge(conn: &mut Conn<'_>, now: OffsetDateTime) -> AppResult<u64> {
    let a = security::delete_failures_before(conn, now - FAILURES_KEPT).await?;
    let b = security::delete_expired_pending_logins(conn, now).await?;
    Ok(a + b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_60_bits_in_three_groups_and_normalise() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let c = new_recovery_code().unwrap();
            assert_eq!(c.len(), 14, "{c}");
            assert_eq!(c.matches('-').count(), 2);
            assert!(
                c.chars()
                    .all(|ch| ch == '-' || RECOVERY_ALPHABET.contains(&(ch as u8)))
            );
            assert!(seen.insert(c));
        }
        assert_eq!(normalize_recovery_code(" ABCD-efgh ijkm "), "abcdefghijkm");
        assert_ne!(recovery_code_hash(1, "abc"), recovery_code_hash(2, "abc"));
    }

    #[test]
    fn six_digits_are_a_totp_code_anything_else_a_recovery_code() {
        assert_eq!(as_totp_code("123456").as_deref(), Some("123456"));
        assert_eq!(as_totp_code(" 123 456 ").as_deref(), Some("123456"));
        assert_eq!(as_totp_code("12345"), None);
        assert_eq!(as_totp_code("abcd-efgh-ijkm"), None);
    }

    #[test]
    fn codes_follow_rfc_6238_with_one_step_of_skew() {
        // RFC 6238 appendix B's SHA-1 secret, "12345678901234567890".
        let secret = Secret::new(b"12345678901234567890".to_vec().into_boxed_slice()).to_base32();
        let t = totp(&secret, "someone").unwrap();
        // At 59 s the RFC's 8-digit code is 94287082: its last six digits.
        assert_eq!(t.generate(59).to_string(), "287082");
        assert_eq!(t.check("287082", 59), Some(1));
        assert_eq!(
            t.check("287082", 59 + 30),
            Some(1),
            "one step late is accepted"
        );
        assert_eq!(t.check("287082", 59 + 60), None, "two steps late is not");
        let uri = t.to_url().unwrap();
        assert!(
            uri.starts_with("otpauth://totp/Collect%20%26%20Stamp:someone?"),
            "{uri}"
        );
        assert!(uri.contains("issuer=Collect%20%26%20Stamp"), "{uri}");
    }
}
