//! Sign-in hardening pages: the second step of a sign-in (`/login/two-factor`), the user's
//! own second factor (`/account/two-factor`: set up with a QR code, recovery codes shown
//! once, turn off with the password), a customer's "second factor required" setting
//! (`/security`) and the Service Centre's unlock of a locked account.

use super::{Chrome, PageForm, error_text, login, render, safe_next};
use crate::{
    AppState,
    context::{RequestCtx, cookie},
    error::WebError,
    local_time,
    policy::{Policy, Routes},
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use cs_app::{AppError, signin};
use cs_domain::UserId;
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    r.get("/login/two-factor", Policy::Public, second_step_page)
        .post("/login/two-factor", Policy::Public, second_step_submit)
        .get("/account/two-factor", Policy::SignedIn, account_page)
        .post("/account/two-factor/enrol", Policy::SignedIn, enrol)
        .post("/account/two-factor/confirm", Policy::SignedIn, confirm)
        .post("/account/two-factor/disable", Policy::SignedIn, disable)
        .get("/security", Policy::Users, security_page)
        .post("/security", Policy::Users, security_submit)
        .post("/operator/users/{id}/unlock", Policy::Operator, unlock)
        .post(
            "/operator/users/{id}/second-factor/reset",
            Policy::Operator,
            reset_second_factor,
        )
}

/// The cookie that carries a sign-in waiting for its second factor (5 minutes).
pub fn pending_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-cs_pending"
    } else {
        "cs_pending"
    }
}

fn without_pending(ctx: &RequestCtx, jar: CookieJar) -> CookieJar {
    let mut gone = cookie(pending_cookie_name(ctx.secure), String::new(), ctx.secure);
    gone.make_removal();
    jar.add(gone)
}

/// The message of the error `code` (`error-<code>` in the locales).
fn message(chrome: &Chrome, e: &AppError) -> String {
    chrome.t(&format!("error-{}", e.code().as_str().replace('_', "-")))
}

/// The first detail of a validation error for `field`, translated when we have its words.
fn field_message(chrome: &Chrome, e: &AppError, field: &str) -> Option<String> {
    e.details()
        .iter()
        .find(|d| d.field.as_deref() == Some(field))
        .map(|d| error_text(chrome.lang, "two-factor-error-", &d.code, &d.message))
}

// ---------------------------------------------------------------------------------------
// The second step of a sign-in

#[derive(Template)]
#[template(path = "two_factor_login.html")]
struct SecondStepPage {
    chrome: Chrome,
    next: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

async fn second_step_page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    jar: CookieJar,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    if ctx.actor.is_some() {
        return Ok(Redirect::to(safe_next(&q.next)).into_response());
    }
    let live = match jar.get(pending_cookie_name(ctx.secure)) {
        Some(c) => signin::second_step_is_live(&s.app, c.value()).await?,
        None => false,
    };
    if !live {
        return Ok((
            without_pending(&ctx, jar),
            Redirect::to(&expired_sign_in(&q.next)),
        )
            .into_response());
    }
    Ok(render(&SecondStepPage {
        chrome: Chrome::new(&ctx, "/login"),
        next: q.next,
        error: None,
    }))
}

/// Back to the sign-in page when the first step has expired, still carrying the page that
/// was asked for.
fn expired_sign_in(next: &str) -> String {
    match cs_domain::redirect::next_query_value(next).filter(|n| n != "/") {
        Some(n) => format!("/login?done=two-factor-expired&next={n}"),
        None => "/login?done=two-factor-expired".to_owned(),
    }
}

#[derive(Debug, Deserialize)]
struct SecondStepForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

async fn second_step_submit(
    State(s): State<AppState>,
    ctx: RequestCtx,
    jar: CookieJar,
    PageForm(f): PageForm<SecondStepForm>,
) -> Result<Response, WebError> {
    let expired = |jar| {
        (
            without_pending(&ctx, jar),
            Redirect::to(&expired_sign_in(&f.next)),
        )
            .into_response()
    };
    let Some(pending) = jar
        .get(pending_cookie_name(ctx.secure))
        .map(|c| c.value().to_owned())
    else {
        return Ok(expired(jar));
    };
    match signin::complete_second_step(&s.app, &ctx.meta, &pending, &f.code).await {
        Ok(opened) => Ok(login::signed_in(
            &ctx,
            without_pending(&ctx, jar),
            opened,
            &f.next,
        )),
        Err(AppError::Unauthenticated) => Ok(expired(jar)),
        Err(e @ (AppError::InvalidTotp | AppError::Throttled { .. })) => {
            let chrome = Chrome::new(&ctx, "/login");
            let page = SecondStepPage {
                error: Some(message(&chrome, &e)),
                chrome,
                next: f.next,
            };
            let mut r = render(&page);
            *r.status_mut() = crate::error::status_of(&e);
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------
// The user's own second factor

#[derive(Template)]
#[template(path = "two_factor_account.html")]
struct AccountPage {
    chrome: Chrome,
    enabled: bool,
    enabled_on: String,
    required: bool,
    /// While setting up: the QR code (inline SVG) and the secret for typing by hand.
    qr_svg: Option<String>,
    secret: String,
    /// Shown once, right after the set-up is confirmed.
    recovery_codes: Vec<String>,
    recovery_left: i64,
    code_error: Option<String>,
    password_error: Option<String>,
    notice: Option<String>,
}

/// The otpauth URI as an SVG QR code, for inline use (no script, no external request).
fn qr_svg(uri: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| AppError::internal(format!("QR code: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    // Inline in HTML: without the XML declaration, hidden from assistive technology (the
    // secret is given as text beside it).
    let svg = svg
        .split_once("?>")
        .map(|(_, rest)| rest.to_owned())
        .unwrap_or(svg);
    Ok(svg.replacen("<svg ", "<svg aria-hidden=\"true\" focusable=\"false\" ", 1))
}

/// The secret in groups of four, as authenticator apps show it.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Debug, Default)]
struct Extras {
    recovery_codes: Vec<String>,
    code_error: Option<String>,
    password_error: Option<String>,
    notice: Option<String>,
}

async fn account_view(
    s: &AppState,
    ctx: &RequestCtx,
    extras: Extras,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let status = signin::two_factor_status(&s.app, actor).await?;
    let (qr, secret) = match &status.enrolment {
        Some(e) => (Some(qr_svg(&e.uri)?), grouped(&e.secret)),
        None => (None, String::new()),
    };
    Ok(render(&AccountPage {
        chrome: Chrome::new(ctx, "/account"),
        enabled: status.enabled_at.is_some(),
        enabled_on: status
            .enabled_at
            .map(|t| local_time::date(ctx.lang, t))
            .unwrap_or_default(),
        required: status.required,
        qr_svg: qr,
        secret,
        recovery_codes: extras.recovery_codes,
        recovery_left: status.recovery_codes_left,
        code_error: extras.code_error,
        password_error: extras.password_error,
        notice: extras.notice,
    }))
}

#[derive(Debug, Deserialize, Default)]
struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

async fn account_page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let notice = match q.done.as_deref() {
        Some("disabled") => Some(cs_app::i18n::t(ctx.lang, "two-factor-disabled")),
        _ => None,
    };
    account_view(
        &s,
        &ctx,
        Extras {
            notice,
            ..Extras::default()
        },
    )
    .await
}

async fn enrol(State(s): State<AppState>, ctx: RequestCtx) -> Result<Response, WebError> {
    signin::start_enrolment(&s.app, ctx.actor()?, &ctx.meta).await?;
    Ok(Redirect::to("/account/two-factor").into_response())
}

#[derive(Debug, Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn confirm(
    State(s): State<AppState>,
    ctx: RequestCtx,
    PageForm(f): PageForm<CodeForm>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    match signin::confirm_enrolment(&s.app, actor, &ctx.meta, &f.code).await {
        Ok(codes) => {
            let notice = Some(cs_app::i18n::t(ctx.lang, "two-factor-enabled"));
            // The actor loaded before the change may still carry the enrolment gate; the
            // page is rendered for the state after it.
            let mut ctx = ctx.clone();
            if let Some(a) = ctx.actor.as_mut() {
                a.totp_enrolment_required = false;
            }
            account_view(
                &s,
                &ctx,
                Extras {
                    recovery_codes: codes,
                    notice,
                    ..Extras::default()
                },
            )
            .await
        }
        Err(e @ AppError::Validation(_)) => {
            let chrome = Chrome::new(&ctx, "/account");
            let code_error = field_message(&chrome, &e, "code");
            let mut r = account_view(
                &s,
                &ctx,
                Extras {
                    code_error,
                    ..Extras::default()
                },
            )
            .await?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    #[serde(default)]
    password: String,
}

async fn disable(
    State(s): State<AppState>,
    ctx: RequestCtx,
    PageForm(f): PageForm<PasswordForm>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    match signin::disable(&s.app, actor, &ctx.meta, &f.password).await {
        Ok(()) => Ok(Redirect::to("/account/two-factor?done=disabled").into_response()),
        Err(e @ AppError::Validation(_)) => {
            let chrome = Chrome::new(&ctx, "/account");
            let password_error = field_message(&chrome, &e, "password");
            let mut r = account_view(
                &s,
                &ctx,
                Extras {
                    password_error,
                    ..Extras::default()
                },
            )
            .await?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------
// A customer's requirement, and the Service Centre's unlock

#[derive(Template)]
#[template(path = "two_factor_security.html")]
struct SecurityPage {
    chrome: Chrome,
    /// Set for operators, who name the customer.
    customer_number: Option<String>,
    customer_label: String,
    required: bool,
    coverage: String,
    notice: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct SecurityQuery {
    #[serde(default)]
    customer_number: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

async fn security_page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Query(q): Query<SecurityQuery>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let o = signin::security_overview(&s.app, actor, q.customer_number.as_deref()).await?;
    let chrome = Chrome::new(&ctx, "/security");
    let notice = q.done.is_some().then(|| chrome.t("totp-policy-saved"));
    let coverage = cs_app::i18n::t_args(
        ctx.lang,
        "totp-policy-coverage",
        &[
            ("enrolled", &o.enrolled.to_string()),
            ("total", &o.active_users.to_string()),
        ],
    );
    Ok(render(&SecurityPage {
        customer_number: actor.is_operator().then(|| o.customer_number.clone()),
        customer_label: format!("{} ({})", o.customer_name, o.customer_number),
        required: o.require_totp,
        coverage,
        notice,
        chrome,
    }))
}

#[derive(Debug, Deserialize)]
struct SecurityForm {
    #[serde(default)]
    customer_number: Option<String>,
    /// A checkbox: present (any value) when ticked.
    #[serde(default)]
    require_totp: Option<String>,
}

async fn security_submit(
    State(s): State<AppState>,
    ctx: RequestCtx,
    PageForm(f): PageForm<SecurityForm>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let number = f.customer_number.as_deref().filter(|n| !n.is_empty());
    signin::set_require_totp(&s.app, actor, &ctx.meta, number, f.require_totp.is_some()).await?;
    let to = match (actor.is_operator(), number) {
        (true, Some(n)) => {
            let n: String = form_urlencoded::byte_serialize(n.as_bytes()).collect();
            format!("/security?customer_number={n}&done=saved")
        }
        _ => "/security?done=saved".to_owned(),
    };
    Ok(Redirect::to(&to).into_response())
}

/// After a Service Centre action on a user: back to its customer's page (operators have none).
fn back_to_customer(number: Option<String>) -> Response {
    let to = match number {
        Some(n) => {
            let n: String = form_urlencoded::byte_serialize(n.as_bytes()).collect();
            format!("/operator/customers/{n}")
        }
        None => "/operator/customers".to_owned(),
    };
    Redirect::to(&to).into_response()
}

/// Service Centre: unlocks an account, then back to its customer's page.
async fn unlock(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = UserId::new(crate::params::path_id(&id)?);
    let number = cs_app::lockout::unlock(&s.app, ctx.actor()?, &ctx.meta, id).await?;
    Ok(back_to_customer(number))
}

#[derive(Debug, Deserialize)]
struct ReauthForm {
    #[serde(default)]
    current_password: String,
}

/// Service Centre: removes a lost second factor, with the operator's own password typed
/// beside the button, then back to its customer's page.
async fn reset_second_factor(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
    PageForm(f): PageForm<ReauthForm>,
) -> Result<Response, WebError> {
    let id = UserId::new(crate::params::path_id(&id)?);
    let password = Some(f.current_password.as_str());
    let number = signin::reset_second_factor(&s.app, ctx.actor()?, &ctx.meta, id, password).await?;
    Ok(back_to_customer(number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_code_is_inline_svg_without_xml_declaration() {
        let svg =
            qr_svg("otpauth://totp/Collect%20%26%20Stamp:a.user?secret=JBSWY3DPEHPK3PXP").unwrap();
        assert!(svg.starts_with("<svg aria-hidden=\"true\""), "{svg:.80}");
        assert!(!svg.contains("<?xml"));
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn secret_is_grouped_by_four() {
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }
}
