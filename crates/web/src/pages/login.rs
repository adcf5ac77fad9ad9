//! Sign-in and sign-out pages. A failed sign-in keeps the username typed and says why,
//! without telling whether the account exists. An account with a second factor goes on to
//! `/login/two-factor` (pages/two_factor.rs); a locked account or a throttled address
//! answers 429 with its own message.

use super::{Chrome, PageForm, render, safe_next};
use crate::{
    AppState,
    context::{LANG_COOKIE, RequestCtx, cookie, session_cookie_name},
    error::WebError,
    policy::{Policy, Routes},
};
use askama::Template;
use axum::{
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use cs_app::{
    AppError, ErrorCode, auth,
    signin::{self, SignInOutcome},
};
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    r.get("/login", Policy::Public, login_page)
        .post("/login", Policy::Public, login_submit)
        .post("/logout", Policy::SignedIn, logout)
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    username: String,
    next: String,
    error: Option<String>,
    notice: Option<String>,
    /// The error sends the user to the Service Centre: its contact is shown beside it.
    contact: bool,
}

#[derive(Debug, Deserialize, Default)]
struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    done: Option<String>,
}

async fn login_page(ctx: RequestCtx, Query(q): Query<LoginQuery>) -> Response {
    if ctx.actor.is_some() {
        return Redirect::to(safe_next(&q.next)).into_response();
    }
    let chrome = Chrome::new(&ctx, "/login");
    let notice = match q.done.as_deref() {
        Some("password") => Some(chrome.t("password-set-done")),
        Some("logout") => Some(chrome.t("signed-out")),
        Some("two-factor-expired") => Some(chrome.t("two-factor-expired")),
        _ => None,
    };
    render(&LoginPage {
        chrome,
        username: String::new(),
        next: q.next,
        error: None,
        notice,
        contact: false,
    })
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn login_submit(
    State(s): State<AppState>,
    ctx: RequestCtx,
    jar: CookieJar,
    PageForm(f): PageForm<LoginForm>,
) -> Result<Response, WebError> {
    match signin::sign_in(&s.app, &ctx.meta, &f.username, &f.password).await {
        Ok(SignInOutcome::Opened(opened)) => Ok(signed_in(&ctx, jar, *opened, &f.next)),
        Ok(SignInOutcome::SecondFactor { pending_token }) => {
            let mut c = cookie(
                super::two_factor::pending_cookie_name(ctx.secure),
                pending_token,
                ctx.secure,
            );
            c.set_max_age(time::Duration::minutes(5));
            let next: String =
                form_urlencoded::byte_serialize(safe_next(&f.next).as_bytes()).collect();
            Ok((
                jar.add(c),
                Redirect::to(&format!("/login/two-factor?next={next}")),
            )
                .into_response())
        }
        Err(
            e @ (AppError::InvalidCredentials
            | AppError::CustomerSuspended
            | AppError::Throttled { .. }),
        ) => {
            let chrome = Chrome::new(&ctx, "/login");
            let key = format!("error-{}", e.code().as_str().replace('_', "-"));
            let contact = matches!(
                e,
                AppError::CustomerSuspended
                    | AppError::Throttled {
                        code: ErrorCode::AccountLocked
                    }
            );
            let page = LoginPage {
                error: Some(chrome.t(&key)),
                chrome,
                username: f.username,
                next: f.next,
                notice: None,
                contact,
            };
            let mut r = render(&page);
            *r.status_mut() = crate::error::status_of(&e);
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

/// The answer to a completed sign-in: the session cookie (and the account's language, which
/// stays after signing out), then the `next` page if it is local.
pub(super) fn signed_in(
    ctx: &RequestCtx,
    jar: CookieJar,
    opened: auth::OpenedSession,
    next: &str,
) -> Response {
    let c = cookie(session_cookie_name(ctx.secure), opened.token, ctx.secure);
    let mut lang = cookie(
        LANG_COOKIE,
        opened.actor.language.code().to_owned(),
        ctx.secure,
    );
    lang.set_max_age(time::Duration::days(365));
    let next = safe_next(next).to_owned();
    (jar.add(c).add(lang), Redirect::to(&next)).into_response()
}

async fn logout(
    State(s): State<AppState>,
    ctx: RequestCtx,
    jar: CookieJar,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    auth::sign_out(&s.app, &ctx.meta, actor).await?;
    let mut gone = cookie(session_cookie_name(ctx.secure), String::new(), ctx.secure);
    gone.make_removal();
    Ok((jar.add(gone), Redirect::to("/login?done=logout")).into_response())
}
