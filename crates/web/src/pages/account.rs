//! The account page (`/account`): who you are, changing your password, signing out every other
//! session, personal API tokens (shown once), the way to the second factor; and the public
//! "forgot password" page (`/password/forgot`), which answers alike for every username.

use super::{Chrome, PageForm, error_text, render};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    local_time,
    policy::{Policy, Routes},
};
use askama::Template;
use axum::{
    extract::{Path, Query, State, rejection::PathRejection},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use cs_app::{
    AppError, FieldError,
    account::{self, PasswordChange},
};
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    r.get("/account", Policy::SignedIn, page)
        .post("/account/password", Policy::SignedIn, change_password)
        .post("/account/sessions/end-others", Policy::SignedIn, end_others)
        .post("/account/tokens", Policy::SignedIn, create_token)
        .post(
            "/account/tokens/{id}/revoke",
            Policy::SignedIn,
            revoke_token,
        )
        .get("/password/forgot", Policy::Public, forgot_page)
        .post("/password/forgot", Policy::Public, forgot_submit)
}

/// The translated message of a field error (`error-<code>`), else the error's own text.
fn message(chrome: &Chrome, e: &FieldError) -> String {
    error_text(chrome.lang, "error-", &e.code, &e.message)
}

/// The message for `field` among `errors`, if any.
fn beside(chrome: &Chrome, errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .filter(|e| e.field.as_deref() == Some(field))
        .map(|e| message(chrome, e))
        .reduce(|a, b| format!("{a} {b}"))
}

struct TokenRow {
    id: i64,
    name: String,
    created: String,
    expires: String,
    last_used: Option<String>,
}

/// Errors of the password form, one per field (passwords are never sent back).
#[derive(Default)]
struct PasswordErrors {
    current: Option<String>,
    new: Option<String>,
    confirm: Option<String>,
}

impl PasswordErrors {
    fn any(&self) -> bool {
        self.current.is_some() || self.new.is_some() || self.confirm.is_some()
    }
}

/// The token form as typed, with its errors.
struct TokenForm {
    name: String,
    days: String,
    name_error: Option<String>,
    days_error: Option<String>,
    error: Option<String>,
}

impl Default for TokenForm {
    fn default() -> Self {
        Self {
            name: String::new(),
            days: "90".into(),
            name_error: None,
            days_error: None,
            error: None,
        }
    }
}

impl TokenForm {
    fn any(&self) -> bool {
        self.name_error.is_some() || self.days_error.is_some() || self.error.is_some()
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    full_name: String,
    username: String,
    email: String,
    role: String,
    customer: Option<String>,
    language: String,
    sessions_text: String,
    tokens: Vec<TokenRow>,
    two_factor_on: bool,
    notice: Option<String>,
    pw: PasswordErrors,
    tf: TokenForm,
    lifetimes: Vec<(String, String)>,
}

async fn account_page(
    s: &AppState,
    ctx: &RequestCtx,
    notice: Option<String>,
    pw: PasswordErrors,
    tf: TokenForm,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let overview = account::overview(&s.app, actor).await?;
    let chrome = Chrome::new(ctx, "/account");
    let tokens = overview
        .tokens
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            created: local_time::minute(chrome.lang, t.created_at),
            expires: local_time::minute(chrome.lang, t.expires_at),
            last_used: t.last_used_at.map(|t| local_time::minute(chrome.lang, t)),
        })
        .collect();
    let lifetimes = account::TOKEN_LIFETIME_DAYS
        .iter()
        .map(|d| {
            let days = d.to_string();
            let label = cs_app::i18n::t_args(chrome.lang, "account-token-days", &[("days", &days)]);
            (days, label)
        })
        .collect();
    let status = if pw.any() || tf.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut r = render(&AccountPage {
        full_name: actor.full_name.clone(),
        username: actor.username.clone(),
        email: actor.email.clone(),
        role: chrome.t(&format!("role-{}", actor.role.as_str())),
        customer: actor
            .customer
            .as_ref()
            .map(|c| format!("{} ({})", c.name, c.number)),
        language: actor.language.endonym().to_owned(),
        sessions_text: match overview.other_sessions {
            0 => chrome.t("account-sessions-none"),
            n => cs_app::i18n::t_args(
                chrome.lang,
                "account-sessions-other",
                &[("count", &n.to_string())],
            ),
        },
        tokens,
        two_factor_on: overview.two_factor_enabled,
        notice,
        pw,
        tf,
        lifetimes,
        chrome,
    });
    if r.status() == StatusCode::OK {
        *r.status_mut() = status;
    }
    Ok(r)
}

#[derive(Debug, Deserialize, Default)]
struct Done {
    #[serde(default)]
    done: Option<String>,
}

async fn page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let key = match q.done.as_deref() {
        Some("password") => Some("account-password-done"),
        Some("sessions") => Some("account-sessions-done"),
        Some("revoked") => Some("account-token-revoked"),
        _ => None,
    };
    let notice = key.map(|k| cs_app::i18n::t(ctx.lang, k));
    account_page(
        &s,
        &ctx,
        notice,
        PasswordErrors::default(),
        TokenForm::default(),
    )
    .await
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

async fn change_password(
    State(s): State<AppState>,
    ctx: RequestCtx,
    PageForm(f): PageForm<PasswordForm>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let change = PasswordChange {
        current: &f.current_password,
        new: &f.new_password,
        confirm: Some(&f.confirm),
    };
    match account::change_password(&s.app, actor, &ctx.meta, change).await {
        Ok(_) => Ok(Redirect::to("/account?done=password").into_response()),
        Err(AppError::Validation(errors)) => {
            let chrome = Chrome::new(&ctx, "/account");
            let pw = PasswordErrors {
                current: beside(&chrome, &errors, "current_password"),
                new: beside(&chrome, &errors, "new_password"),
                confirm: beside(&chrome, &errors, "confirm"),
            };
            account_page(&s, &ctx, None, pw, TokenForm::default()).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn end_others(State(s): State<AppState>, ctx: RequestCtx) -> Result<Response, WebError> {
    account::end_other_sessions(&s.app, ctx.actor()?, &ctx.meta).await?;
    Ok(Redirect::to("/account?done=sessions").into_response())
}

#[derive(Debug, Deserialize)]
struct NewTokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    expires_in_days: String,
}

#[derive(Template)]
#[template(path = "account_token.html")]
struct TokenCreatedPage {
    chrome: Chrome,
    name: String,
    token: String,
    expires: String,
}

async fn create_token(
    State(s): State<AppState>,
    ctx: RequestCtx,
    PageForm(f): PageForm<NewTokenForm>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    match account::create_token(&s.app, actor, &ctx.meta, &f.name, &f.expires_in_days).await {
        // The secret is in this response only: never in a URL, never shown again.
        Ok(created) => Ok(render(&TokenCreatedPage {
            chrome: Chrome::new(&ctx, "/account"),
            name: created.name,
            token: created.token,
            expires: local_time::minute(ctx.lang, created.expires_at),
        })),
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let chrome = Chrome::new(&ctx, "/account");
            let mut tf = TokenForm {
                name: f.name,
                days: f.expires_in_days,
                ..TokenForm::default()
            };
            if let AppError::Validation(errors) = &e {
                tf.name_error = beside(&chrome, errors, "name");
                tf.days_error = beside(&chrome, errors, "expires_in_days");
            } else {
                tf.error =
                    Some(chrome.t(&format!("error-{}", e.code().as_str().replace('_', "-"))));
            }
            let mut r = account_page(&s, &ctx, None, PasswordErrors::default(), tf).await?;
            if matches!(e, AppError::Conflict { .. }) {
                *r.status_mut() = StatusCode::CONFLICT;
            }
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke_token(
    State(s): State<AppState>,
    ctx: RequestCtx,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, WebError> {
    // Anything but a number is an id that does not exist.
    let id = id
        .ok()
        .and_then(|Path(id)| id.parse::<i64>().ok())
        .ok_or(AppError::NotFound)?;
    account::revoke_token(&s.app, ctx.actor()?, &ctx.meta, id).await?;
    Ok(Redirect::to("/account?done=revoked").into_response())
}

#[derive(Template)]
#[template(path = "password_forgot.html")]
struct ForgotPage {
    chrome: Chrome,
    sent: bool,
    username: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct ForgotQuery {
    #[serde(default)]
    sent: Option<String>,
}

async fn forgot_page(ctx: RequestCtx, Query(q): Query<ForgotQuery>) -> Response {
    render(&ForgotPage {
        chrome: Chrome::new(&ctx, "/password/forgot"),
        sent: q.sent.is_some(),
        username: String::new(),
        error: None,
    })
}

#[derive(Debug, Deserialize)]
struct ForgotForm {
    #[serde(default)]
    username: String,
}

/// Every username gets the same answer: a redirect to the same "check your e-mail" page.
async fn forgot_submit(
    State(s): State<AppState>,
    ctx: RequestCtx,
    PageForm(f): PageForm<ForgotForm>,
) -> Result<Response, WebError> {
    if f.username.trim().is_empty() {
        let chrome = Chrome::new(&ctx, "/password/forgot");
        let mut r = render(&ForgotPage {
            error: Some(chrome.t("forgot-username-required")),
            chrome,
            sent: false,
            username: f.username,
        });
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    }
    account::request_password_reset(&s.app, &ctx.meta, &f.username).await?;
    Ok(Redirect::to("/password/forgot?sent=1").into_response())
}
