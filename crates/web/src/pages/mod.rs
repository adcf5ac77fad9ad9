//! Server-rendered pages (askama templates under `templates/`), working without JavaScript,
//! in the caller's language. Each page is a thin handler over one use case.

mod access_requests;
mod account;
mod audit_words;
mod backoffice;
mod confirm;
mod help;
mod home;
mod imports;
mod jobs;
mod list;
mod login;
mod operator_search;
mod password;
mod registered_items;
mod transactions;
mod two_factor;
mod users;

use crate::{
    context::RequestCtx,
    error::WebError,
    policy::{Policy, Routes},
};
use askama::Template;
use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use cs_app::{AppError, ErrorCode, auth};
use cs_domain::Language;
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    let r = r.post("/language", Policy::Public, set_language);
    let r = home::routes(r);
    let r = help::routes(r);
    let r = login::routes(r);
    let r = password::routes(r);
    let r = access_requests::routes(r);
    let r = account::routes(r);
    let r = users::routes(r);
    let r = transactions::routes(r);
    let r = two_factor::routes(r);
    let r = imports::routes(r);
    let r = registered_items::routes(r);
    let r = jobs::routes(r);
    let r = operator_search::routes(r);
    let r = confirm::routes(r);
    backoffice::routes(r)
}

/// A form body whose rejection speaks the portal's error vocabulary (rendered as a page):
/// 400 `invalid_form`, 413 `payload_too_large`, 422 `invalid_characters` for a field that
/// holds a control character ([`crate::input::check_form`]).
#[derive(Debug)]
pub struct PageForm<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for PageForm<T> {
    type Rejection = WebError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::Bytes::from_request(
            axum::extract::Request::from_parts(parts.clone(), body),
            state,
        )
        .await?;
        crate::input::check_form(&bytes).map_err(WebError)?;
        let req = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
        let axum::Form(v) = axum::Form::<T>::from_request(req, state).await?;
        Ok(PageForm(v))
    }
}

impl From<axum::extract::rejection::FormRejection> for WebError {
    fn from(r: axum::extract::rejection::FormRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return crate::api::too_large();
        }
        WebError(AppError::bad_request(ErrorCode::InvalidForm, r.body_text()))
    }
}

pub use crate::view::{Chrome, NavItem, error_text};

/// Renders a template as an HTML response; a template error is an internal error of the
/// page that called this.
#[track_caller]
pub fn render<T: Template>(t: &T) -> Response {
    match crate::view::html(t) {
        Ok(r) => r,
        Err(e) => WebError(AppError::internal_from("template", e)).into_response(),
    }
}

/// Unknown paths answer 404, signed in or not.
pub async fn not_found() -> WebError {
    WebError(AppError::NotFound)
}

/// A known path asked with a method it does not take (axum adds the `Allow` header).
pub async fn method_not_allowed() -> WebError {
    WebError(AppError::MethodNotAllowed)
}

#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    pub language: String,
    #[serde(default)]
    pub next: String,
}

/// The language switch: remembered in a cookie, and on the account when signed in.
async fn set_language(
    ctx: RequestCtx,
    jar: CookieJar,
    state: axum::extract::State<crate::AppState>,
    PageForm(f): PageForm<LanguageForm>,
) -> Result<Response, WebError> {
    let lang: Language =
        f.language
            .parse()
            .map_err(|e: cs_domain::language::UnknownLanguage| {
                AppError::invalid("language", "unknown_language", e.to_string())
            })?;
    if let Some(actor) = &ctx.actor {
        auth::set_language(&state.app, actor, lang).await?;
    }
    let mut c = crate::context::cookie(
        crate::context::LANG_COOKIE,
        lang.code().to_owned(),
        ctx.secure,
    );
    c.set_max_age(time::Duration::days(365));
    let next = safe_next(&f.next);
    Ok((jar.add(c), Redirect::to(next)).into_response())
}

/// Only paths of this site are followed after a form, never another site: anything else
/// is `/` (the rules: [`cs_domain::redirect::safe_next`]).
pub fn safe_next(next: &str) -> &str {
    cs_domain::redirect::safe_next(next).unwrap_or("/")
}

/// `Cache-Control` and friends are set globally; this marks HTML explicitly for pages built by hand.
pub fn html_headers() -> [(header::HeaderName, &'static str); 1] {
    [(header::CONTENT_TYPE, "text/html; charset=utf-8")]
}
