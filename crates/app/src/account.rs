//! A user's own account: what the account page shows, changing the password (the current one
//! is required), signing out every other session, personal API tokens, and the self-service
//! "forgot password" request, which answers alike whether or not the account exists.

use crate::{
    Actor, App, AppError, AuthMethod, FieldError, RequestMeta,
    audit::{self, Who},
    auth::{self, LinkPurpose, SESSION_IDLE},
    error::AppResult,
    mail, passwords, secrets,
};
use cs_domain::{Language, Password, UserStatus};
use cs_store::repo::{auth as auth_repo, customers, tokens, users};
use serde_json::json;
use time::{Duration, OffsetDateTime};

/// Stable names of the audited actions of this module.
pub mod action {
    pub const PASSWORD_CHANGED: &str = "password.changed";
    /// A password change refused because the current password was wrong.
    pub const PASSWORD_CHANGE_FAILED: &str = "password.change_failed";
    /// "Sign out everywhere else".
    pub const SESSIONS_ENDED: &str = "sessions.ended";
    pub const TOKEN_CREATED: &str = "token.created";
    pub const TOKEN_REVOKED: &str = "token.revoked";
    pub const PASSWORD_RESET_REQUESTED: &str = "password.reset_requested";
}

/// A token's name: 1 to 60 characters once trimmed, no control characters.
pub const TOKEN_NAME_MAX_CHARS: usize = 60;
/// The lifetimes offered for a personal token, in days (at most a year).
pub const TOKEN_LIFETIME_DAYS: [i64; 3] = [30, 90, 365];
/// Live personal tokens a user may hold at once: enough for every script, bounded.
pub const MAX_LIVE_PERSONAL_TOKENS: i64 = 20;
/// Self-service reset e-mails an account receives per hour at most (more are silently dropped).
pub const RESET_MAILS_PER_HOUR: i64 = 3;
/// Wrong current passwords a user may type on the change form in [`WRONG_CURRENT_WINDOW`].
pub const WRONG_CURRENT_LIMIT: i64 = 5;
pub const WRONG_CURRENT_WINDOW: Duration = Duration::minutes(15);

/// A personal token as the account page lists it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalToken {
    pub id: i64,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

/// What the account page shows beyond the actor itself.
#[derive(Debug, Clone)]
pub struct Overview {
    /// Other live sessions of the user (other browsers or devices).
    pub other_sessions: i64,
    pub tokens: Vec<PersonalToken>,
    pub two_factor_enabled: bool,
}

/// The account page's data for the signed-in user.
pub async fn overview(app: &App, actor: &Actor) -> AppResult<Overview> {
    let now = app.now();
    let mut conn = app.store.acquire().await?;
    let keep = current_session(actor);
    let other_sessions = tokens::count_other_sessions(
        &mut conn.conn(),
        actor.user_id.get(),
        keep,
        now - SESSION_IDLE,
        now,
    )
    .await?;
    let list = tokens::live_personal_tokens(&mut conn.conn(), actor.user_id.get(), now).await?;
    let user = users::by_id(&mut conn.conn(), actor.user_id.get()).await?;
    Ok(Overview {
        other_sessions,
        tokens: list
            .into_iter()
            .map(|t| PersonalToken {
                id: t.id,
                name: t.name,
                created_at: t.created_at,
                expires_at: t.expires_at,
                last_used_at: t.last_used_at,
            })
            .collect(),
        two_factor_enabled: user.is_some_and(|u| u.totp_enabled_at.is_some()),
    })
}

fn current_session(actor: &Actor) -> Option<&str> {
    match &actor.auth {
        AuthMethod::Session { id_hash, .. } => Some(id_hash),
        AuthMethod::Bearer { .. } => None,
    }
}

fn current_token(actor: &Actor) -> Option<i64> {
    match actor.auth {
        AuthMethod::Bearer { token_id } => Some(token_id),
        AuthMethod::Session { .. } => None,
    }
}

/// A password change as typed: the page also sends the confirmation, the API does not.
#[derive(Debug, Clone, Copy)]
pub struct PasswordChange<'a> {
    pub current: &'a str,
    pub new: &'a str,
    pub confirm: Option<&'a str>,
}

/// What a successful change ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ended {
    pub sessions: u64,
    pub tokens: u64,
}

/// The new password of a change, or every problem of the change at once, beside its field.
fn check_change(change: &PasswordChange<'_>, current_ok: bool) -> AppResult<Password> {
    let mut errors = Vec::new();
    if !current_ok {
        errors.push(FieldError::field(
            "current_password",
            "current_password_wrong",
            "the current password is not right",
        ));
    }
    let new = match Password::parse(change.new) {
        Ok(p) => Some(p),
        Err(e) => {
            errors.push(FieldError::field("new_password", e.code(), e.to_string()));
            None
        }
    };
    if new.is_some() && current_ok && change.new == change.current {
        errors.push(FieldError::field(
            "new_password",
            "password_unchanged",
            "the new password must differ from the current one",
        ));
    }
    if change.confirm.is_some_and(|c| c != change.new) {
        errors.push(FieldError::field(
            "confirm",
            "password_mismatch",
            "the two passwords are not the same",
        ));
    }
    match new {
        Some(p) if errors.is_empty() => Ok(p),
        _ => Err(AppError::Validation(errors)),
    }
}

/// The e-mail telling `user` that its password was changed (and whom to call otherwise).
fn password_changed_mail(app: &App, user: &users::UserRow) -> mail::Email {
    mail::Email::compose(
        &user.email,
        &user.full_name,
        user.language.parse().unwrap_or(Language::En),
        "mail-password-changed",
        &[("username", &user.username)],
        None,
        &app.settings.service_centre,
    )
}

/// Changes the actor's own password. The current password must be given; a wrong one changes
/// nothing and is counted (after [`WRONG_CURRENT_LIMIT`] in 15 minutes: 429). Every error is
/// reported at once, beside its field. On success every other session and every bearer token
/// of the user ends (the caller's own session, or its own token, stays), outstanding reset
/// links die, and the user is told by e-mail.
pub async fn change_password(
    app: &App,
    actor: &Actor,
    meta: &RequestMeta,
    change: PasswordChange<'_>,
) -> AppResult<Ended> {
    let now = app.now();
    let mut conn = app.store.acquire().await?;
    let failures = tokens::count_events_of_user_since(
        &mut conn.conn(),
        actor.user_id.get(),
        action::PASSWORD_CHANGE_FAILED,
        now - WRONG_CURRENT_WINDOW,
    )
    .await?;
    if failures >= WRONG_CURRENT_LIMIT {
        return Err(AppError::Throttled {
            code: crate::ErrorCode::PasswordChangeThrottled,
        });
    }
    let user = users::by_id(&mut conn.conn(), actor.user_id.get())
        .await?
        .ok_or(AppError::Unauthenticated)?;
    drop(conn);
    let current_ok = passwords::verify(
        app.settings.password_cost,
        change.current.to_owned(),
        user.password_hash.clone(),
    )
    .await?;

    let checked = check_change(&change, current_ok);
    if !current_ok {
        audit::record_alone(
            app,
            &Who::actor(actor),
            meta,
            action::PASSWORD_CHANGE_FAILED,
            ("user", &actor.user_id.to_string()),
            json!({ "reason": "wrong_current_password" }),
        )
        .await?;
    }
    let new = checked?;
    let hash = passwords::hash(app.settings.password_cost, new.expose().to_owned()).await?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    users::set_password(&mut tx.conn(), actor.user_id.get(), &hash, now).await?;
    auth_repo::void_one_time_tokens_of_user(&mut tx.conn(), actor.user_id.get(), now).await?;
    let sessions = auth_repo::delete_sessions_of_user(
        &mut tx.conn(),
        actor.user_id.get(),
        current_session(actor),
    )
    .await?;
    let tokens = tokens::revoke_tokens_of_user_except(
        &mut tx.conn(),
        actor.user_id.get(),
        current_token(actor),
        None,
        now,
    )
    .await?;
    mail::enqueue(app, &mut tx.conn(), now, &password_changed_mail(app, &user)).await?;
    audit::record(
        &mut tx.conn(),
        now,
        &Who::actor(actor),
        meta,
        action::PASSWORD_CHANGED,
        ("user", &actor.user_id.to_string()),
        json!({ "sessions_ended": sessions, "tokens_revoked": tokens }),
    )
    .await?;
    tx.commit().await?;
    app.wake_jobs();
    Ok(Ended { sessions, tokens })
}

/// "Sign out everywhere else": ends every other session of the user and its sign-in bearer
/// tokens (kind `login`), but keeps the caller's own session or token. Named personal tokens
/// stay: they are revoked one by one, on purpose.
pub async fn end_other_sessions(app: &App, actor: &Actor, meta: &RequestMeta) -> AppResult<Ended> {
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let sessions = auth_repo::delete_sessions_of_user(
        &mut tx.conn(),
        actor.user_id.get(),
        current_session(actor),
    )
    .await?;
    let tokens = tokens::revoke_tokens_of_user_except(
        &mut tx.conn(),
        actor.user_id.get(),
        current_token(actor),
        Some("login"),
        now,
    )
    .await?;
    audit::record(
        &mut tx.conn(),
        now,
        &Who::actor(actor),
        meta,
        action::SESSIONS_ENDED,
        ("user", &actor.user_id.to_string()),
        json!({ "sessions_ended": sessions, "tokens_revoked": tokens }),
    )
    .await?;
    tx.commit().await?;
    Ok(Ended { sessions, tokens })
}

/// A personal token's name, as typed on the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenName(String);

impl TokenName {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        let length = s.chars().count();
        if length == 0 {
            return Err(FieldError::field(
                "name",
                "token_name_required",
                "give the token a name",
            ));
        }
        if length > TOKEN_NAME_MAX_CHARS {
            return Err(FieldError::field(
                "name",
                "token_name_too_long",
                format!(
                    "the name has {length} characters: at most {TOKEN_NAME_MAX_CHARS} are allowed"
                ),
            ));
        }
        if s.chars().any(char::is_control) {
            return Err(FieldError::field(
                "name",
                "token_name_invalid",
                "the name may not contain control characters",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A personal token just made: the secret is given out this once and never stored.
#[derive(Debug, Clone)]
pub struct CreatedToken {
    pub id: i64,
    pub name: String,
    pub token: String,
    pub expires_at: OffsetDateTime,
}

/// Creates a named personal API token valid `days` days (30, 90 or 365). Only its SHA-256 is kept.
pub async fn create_token(
    app: &App,
    actor: &Actor,
    meta: &RequestMeta,
    name: &str,
    days: &str,
) -> AppResult<CreatedToken> {
    let mut errors = Vec::new();
    let name = TokenName::parse(name).map_err(|e| errors.push(e)).ok();
    let days = days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| TOKEN_LIFETIME_DAYS.contains(d));
    if days.is_none() {
        errors.push(FieldError::field(
            "expires_in_days",
            "token_lifetime_invalid",
            "choose 30, 90 or 365 days",
        ));
    }
    let (Some(name), Some(days)) = (name, days) else {
        return Err(AppError::Validation(errors));
    };
    let now = app.now();
    let expires_at = now + Duration::days(days);
    let token = secrets::new_token()?;
    let mut tx = app.store.begin().await?;
    if tokens::count_live_personal_tokens(&mut tx.conn(), actor.user_id.get(), now).await?
        >= MAX_LIVE_PERSONAL_TOKENS
    {
        return Err(AppError::Conflict {
            code: crate::ErrorCode::TooManyTokens,
            message: format!(
                "you already have {MAX_LIVE_PERSONAL_TOKENS} personal tokens: revoke one first"
            ),
        });
    }
    let id = auth_repo::insert_api_token(
        &mut tx.conn(),
        actor.user_id.get(),
        name.as_str(),
        "personal",
        &secrets::token_hash(&token),
        now,
        expires_at,
    )
    .await?;
    audit::record(
        &mut tx.conn(),
        now,
        &Who::actor(actor),
        meta,
        action::TOKEN_CREATED,
        ("api_token", &id.to_string()),
        json!({ "kind": "personal", "name": name.as_str(), "days": days }),
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedToken {
        id,
        name: name.0,
        token,
        expires_at,
    })
}

/// Revokes one of the actor's own live personal tokens; any other id answers 404.
pub async fn revoke_token(app: &App, actor: &Actor, meta: &RequestMeta, id: i64) -> AppResult<()> {
    let now = app.now();
    let mut tx = app.store.begin().await?;
    if !tokens::revoke_personal_token(&mut tx.conn(), actor.user_id.get(), id, now).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx.conn(),
        now,
        &Who::actor(actor),
        meta,
        action::TOKEN_REVOKED,
        ("api_token", &id.to_string()),
        json!({ "kind": "personal" }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Why a self-service request sent nothing (recorded in the audit trail, never told to the caller).
fn refusal(
    user: Option<&users::UserRow>,
    customer_suspended: bool,
    recent: i64,
) -> Option<&'static str> {
    let u = user?;
    if u.status == UserStatus::Disabled.as_str() {
        Some("disabled")
    } else if u.status != UserStatus::Active.as_str() && u.status != UserStatus::Invited.as_str() {
        Some("not_active")
    } else if customer_suspended {
        Some("customer_suspended")
    } else if recent >= RESET_MAILS_PER_HOUR {
        Some("rate_limited")
    } else {
        None
    }
}

/// "Forgot password" (self-service): when the username names an active or invited account
/// whose customer is not suspended, and it has had fewer than [`RESET_MAILS_PER_HOUR`] reset
/// links in the last hour, e-mails a one-time link valid 1 hour. The caller answers the same
/// in every case, and the work done here is the same up to the e-mail itself: every branch
/// looks the user, its customer and its recent links up, and writes one audit event.
/// Sessions do not end here (anyone may ask for anyone); they end when the link is used.
pub async fn request_password_reset(
    app: &App,
    meta: &RequestMeta,
    username: &str,
) -> AppResult<()> {
    let key = username.trim().to_ascii_lowercase();
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let user = users::by_username_key(&mut tx.conn(), &key).await?;
    let customer = customers::by_id(
        &mut tx.conn(),
        user.as_ref().and_then(|u| u.customer_id).unwrap_or(0),
    )
    .await?;
    let recent = tokens::count_links_since(
        &mut tx.conn(),
        user.as_ref().map_or(0, |u| u.id),
        "reset",
        now - Duration::hours(1),
    )
    .await?;
    let suspended = customer.is_some_and(|c| c.status == "suspended");
    let why_not = refusal(user.as_ref(), suspended, recent);
    let sent = match &user {
        Some(u) if why_not.is_none() => {
            auth::send_link(app, &mut tx.conn(), u, LinkPurpose::Reset, false).await?;
            true
        }
        _ => false,
    };
    // The typed name of an unknown account is kept short in the trail: it may be anything.
    let typed: String = key.chars().take(64).collect();
    let (who, object_id) = match &user {
        Some(u) => (Who::user(u), u.id.to_string()),
        None => (Who::system(&typed), String::new()),
    };
    let reason = if user.is_none() {
        Some("unknown_user")
    } else {
        why_not
    };
    audit::record(
        &mut tx.conn(),
        now,
        &who,
        meta,
        action::PASSWORD_RESET_REQUESTED,
        ("user", &object_id),
        match reason {
            None => json!({ "via": "self_service", "sent": true }),
            Some(r) => json!({ "via": "self_service", "sent": false, "reason": r }),
        },
    )
    .await?;
    tx.commit().await?;
    if sent {
        app.wake_jobs();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_names_are_trimmed_bounded_and_printable() {
        assert_eq!(
            TokenName::parse("  nightly export ").unwrap().as_str(),
            "nightly export"
        );
        assert_eq!(
            TokenName::parse("   ").unwrap_err().code,
            "token_name_required"
        );
        assert!(TokenName::parse(&"é".repeat(60)).is_ok());
        assert_eq!(
            TokenName::parse(&"é".repeat(61)).unwrap_err().code,
            "token_name_too_long"
        );
        assert_eq!(
            TokenName::parse("a\u{7}b").unwrap_err().code,
            "token_name_invalid"
        );
    }

    fn user(status: &str) -> users::UserRow {
        users::UserRow {
            id: 1,
            customer_id: Some(1),
            username: "u".into(),
            full_name: "U".into(),
            email: "u@example.com".into(),
            language: "en".into(),
            role: "user".into(),
            modules: String::new(),
            status: status.into(),
            password_hash: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
            last_login_at: None,
            locked_until: None,
            totp_enabled_at: None,
        }
    }

    #[test]
    fn reset_links_go_only_to_usable_accounts_within_the_hourly_budget() {
        assert_eq!(
            refusal(None, false, 0),
            None,
            "unknown: decided by the caller"
        );
        assert_eq!(refusal(Some(&user("active")), false, 0), None);
        assert_eq!(refusal(Some(&user("invited")), false, 2), None);
        assert_eq!(
            refusal(Some(&user("active")), false, 3),
            Some("rate_limited")
        );
        assert_eq!(refusal(Some(&user("disabled")), false, 0), Some("disabled"));
        assert_eq!(
            refusal(Some(&user("active")), true, 0),
            Some("customer_suspended")
        );
    }
}
