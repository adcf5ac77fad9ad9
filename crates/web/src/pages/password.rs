//! The page behind one-time links (`/password/set?token=…`): invitation and reset, in the
//! language of the user the link was sent to. The token travels in a hidden field from the
//! form on; errors keep the page and say what to do.

use super::{Chrome, PageForm, error_text, render};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    policy::{Policy, Routes},
};
use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use cs_app::{AppError, auth};
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    r.get("/password/set", Policy::Public, page)
        .post("/password/set", Policy::Public, submit)
}

#[derive(Template)]
#[template(path = "password_set.html")]
struct SetPasswordPage {
    chrome: Chrome,
    token: String,
    usable: bool,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// The request's context in the language of the user `token` was sent to (the e-mail's
/// language), also when the link has expired or was used; the caller's own language for a
/// token that names nobody.
async fn in_link_language(
    s: &AppState,
    ctx: RequestCtx,
    token: &str,
) -> Result<RequestCtx, WebError> {
    if token.is_empty() {
        return Ok(ctx);
    }
    Ok(match auth::link_language(&s.app, token).await? {
        Some(lang) => RequestCtx { lang, ..ctx },
        None => ctx,
    })
}

async fn page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Query(q): Query<TokenQuery>,
) -> Result<Response, WebError> {
    let ctx = in_link_language(&s, ctx, &q.token).await?;
    let usable = !q.token.is_empty() && auth::link_is_usable(&s.app, &q.token).await?;
    let chrome = Chrome::new(&ctx, "/password/set");
    let mut r = render(&SetPasswordPage {
        chrome,
        token: q.token,
        usable,
        error: None,
    });
    // The link's token is in this page's URL: never let it travel in a Referer.
    r.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !usable {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

#[derive(Debug, Deserialize)]
struct SetPasswordForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn submit(
    State(s): State<AppState>,
    ctx: RequestCtx,
    PageForm(f): PageForm<SetPasswordForm>,
) -> Result<Response, WebError> {
    let ctx = in_link_language(&s, ctx, &f.token).await?;
    let chrome = Chrome::new(&ctx, "/password/set");
    let fail = |chrome: Chrome, token: String, usable: bool, msg: String, status: StatusCode| {
        let mut r = render(&SetPasswordPage {
            chrome,
            token,
            usable,
            error: Some(msg),
        });
        *r.status_mut() = status;
        r
    };
    if f.password != f.confirm {
        let msg = chrome.t("error-password-mismatch");
        return Ok(fail(
            chrome,
            f.token,
            true,
            msg,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    match auth::set_password_with_link(&s.app, &ctx.meta, &f.token, &f.password).await {
        Ok(()) => Ok(Redirect::to("/login?done=password").into_response()),
        Err(AppError::InvalidLink) => {
            let msg = chrome.t("error-invalid-link");
            Ok(fail(
                chrome,
                String::new(),
                false,
                msg,
                StatusCode::BAD_REQUEST,
            ))
        }
        Err(AppError::Validation(details)) => {
            let msg = details
                .first()
                .map(|d| error_text(chrome.lang, "error-", &d.code, &d.message))
                .unwrap_or_default();
            Ok(fail(
                chrome,
                f.token,
                true,
                msg,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(e) => Err(e.into()),
    }
}
