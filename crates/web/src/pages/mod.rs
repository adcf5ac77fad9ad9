//! Server-rendered pages (askama templates under `templates/`), working without JavaScript,
//! in the caller's language. Each page is a thin handler over one use case.

mod access_requests;
mod account;
mod backoffice;
mod home;
mod imports;
mod jobs;
mod list;
mod login;
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
    response::{Html, IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use cs_app::{Actor, AppError, auth, i18n};
use cs_domain::{Language, Module, Role};
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    let r = r.post("/language", Policy::Public, set_language);
    let r = home::routes(r);
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
        .await
        .map_err(crate::api::body_rejection)?;
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
        WebError(AppError::bad_request("invalid_form", r.body_text()))
    }
}

/// One entry of the navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// Who sees a navigation entry.
#[derive(Debug, Clone, Copy)]
enum Audience {
    Everyone,
    /// Users of a customer holding the module.
    Customer(Module),
    Operator,
}

impl Audience {
    fn includes(self, a: &Actor) -> bool {
        match self {
            Audience::Everyone => true,
            Audience::Customer(m) => a.role != Role::Operator && a.can(m),
            Audience::Operator => a.role == Role::Operator,
        }
    }
}

/// The navigation, in order. Each entry's page declares its own policy; this only decides
/// what is worth showing to whom.
const NAV: &[(&str, &str, Audience)] = &[
    ("/", "nav-home", Audience::Everyone),
    (
        "/transactions",
        "nav-transactions",
        Audience::Customer(Module::Transactions),
    ),
    (
        "/registered-items",
        "nav-registered-items",
        Audience::Customer(Module::Receipts),
    ),
    ("/users", "nav-users", Audience::Customer(Module::Users)),
    ("/audit", "nav-audit", Audience::Customer(Module::Users)),
    (
        "/security",
        "nav-security",
        Audience::Customer(Module::Users),
    ),
    (
        "/operator/access-requests",
        "nav-access-requests",
        Audience::Operator,
    ),
    ("/operator/customers", "nav-customers", Audience::Operator),
    ("/operator/imports", "nav-imports", Audience::Operator),
    ("/operator/audit", "nav-audit", Audience::Operator),
    ("/operator/jobs", "nav-jobs", Audience::Operator),
    ("/account", "nav-account", Audience::Everyone),
];

/// The frame of every page: language, who is signed in, navigation by rights, form token.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub lang: Language,
    pub user_name: Option<String>,
    pub customer_name: Option<String>,
    pub role_label: Option<String>,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    pub languages: Vec<(&'static str, &'static str, bool)>,
}

impl Chrome {
    pub fn new(ctx: &RequestCtx, current: &str) -> Self {
        Self::build(ctx.actor.as_ref(), ctx.lang, ctx.csrf.clone(), current)
    }

    fn build(actor: Option<&Actor>, lang: Language, csrf: String, current: &str) -> Self {
        // Landed pages only: a module's entry appears with the issue that builds its page.
        let nav = match actor {
            Some(a) => NAV
                .iter()
                .filter(|(_, _, audience)| audience.includes(a))
                .map(|(href, key, _)| NavItem {
                    href,
                    label: i18n::t(lang, key),
                    current: *href == current,
                })
                .collect(),
            None => Vec::new(),
        };
        Self {
            lang,
            user_name: actor.map(|a| a.full_name.clone()),
            customer_name: actor.and_then(|a| {
                a.customer
                    .as_ref()
                    .map(|c| format!("{} ({})", c.name, c.number))
            }),
            role_label: actor.map(|a| i18n::t(lang, &format!("role-{}", a.role.as_str()))),
            nav,
            csrf,
            languages: Language::ALL
                .iter()
                .map(|l| (l.code(), l.endonym(), *l == lang))
                .collect(),
        }
    }

    pub fn t(&self, key: &str) -> String {
        i18n::t(self.lang, key)
    }

    pub fn signed_in(&self) -> bool {
        self.user_name.is_some()
    }
}

/// Renders a template as an HTML response; a template error is an internal error.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => WebError(AppError::Internal(format!("template: {e}"))).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub title: String,
    pub message: String,
    pub reference: Option<String>,
}

/// The page's words for an error code: the key `prefix` + the code with `-` for `_`
/// (`bo-error-invalid-limit`), else `fallback` (the use case's own English message) for a
/// code that has no text yet.
fn error_text(lang: Language, prefix: &str, code: &str, fallback: &str) -> String {
    let key = format!("{prefix}{}", code.replace('_', "-"));
    let text = i18n::t(lang, &key);
    if text == key {
        fallback.to_owned()
    } else {
        text
    }
}

impl ErrorPage {
    pub fn new(
        actor: Option<&Actor>,
        lang: Language,
        csrf: &str,
        err: &AppError,
        reference: Option<String>,
    ) -> Self {
        let message = error_text(lang, "error-", err.code(), &err.to_string());
        Self {
            chrome: Chrome::build(actor, lang, csrf.to_owned(), ""),
            title: i18n::t(lang, &format!("error-title-{}", err.status())),
            message,
            reference: matches!(err, AppError::Internal(_))
                .then_some(reference)
                .flatten(),
        }
    }

    pub fn into_response_with(self, status: StatusCode) -> Response {
        let mut r = render(&self);
        *r.status_mut() = status;
        r
    }
}

/// Unknown paths answer 404, signed in or not.
pub async fn not_found() -> WebError {
    WebError(AppError::NotFound)
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
