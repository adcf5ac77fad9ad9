//! The request context, built once per request before routing: who is signed in (session
//! cookie or bearer token), the page language, the form token and the audit metadata.

use crate::{
    AppState,
    error::{Caller, WebError},
    view::Viewer,
};
use axum::{
    extract::{ConnectInfo, FromRequestParts, Request, State},
    http::{HeaderMap, HeaderValue, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use cs_app::{Actor, AppError, AuthMethod, RequestMeta, auth};
use cs_domain::Language;
use std::net::SocketAddr;

/// How the caller authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Anonymous,
    Session,
    Bearer,
}

#[derive(Debug, Clone)]
pub struct RequestCtx {
    pub actor: Option<Actor>,
    pub via: Via,
    pub lang: Language,
    /// The token forms must carry: the session's, or the anonymous double-submit cookie's.
    pub csrf: String,
    pub meta: RequestMeta,
    /// The portal's own origin (`scheme://host[:port]`), for Origin checks.
    pub origin: String,
    pub secure: bool,
    pub is_api: bool,
    /// The page asked for (path and query) when a browser may ask it again after signing in:
    /// a page `GET`, never the API, and only a path [`cs_domain::redirect::safe_next`] follows.
    pub return_path: Option<String>,
    /// The portal's settings (the Service Centre's contact, shown by pages).
    pub settings: std::sync::Arc<cs_app::Settings>,
}

impl RequestCtx {
    pub fn actor(&self) -> Result<&Actor, AppError> {
        self.actor.as_ref().ok_or(AppError::Unauthenticated)
    }

    /// Who pages are drawn for.
    pub fn viewer(&self) -> Viewer<'_> {
        Viewer {
            actor: self.actor.as_ref(),
            lang: self.lang,
            csrf: &self.csrf,
            service_centre: &self.settings.service_centre,
        }
    }

    /// Whom an error is rendered for, under this request's id.
    pub fn caller(&self) -> Caller<'_> {
        Caller {
            viewer: self.viewer(),
            request_id: &self.meta.request_id,
            is_api: self.is_api,
            return_to: self.return_path.as_deref(),
        }
    }
}

impl<'a> From<&'a RequestCtx> for Viewer<'a> {
    fn from(ctx: &'a RequestCtx) -> Self {
        ctx.viewer()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestCtx {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestCtx>()
            .cloned()
            .ok_or_else(|| WebError(AppError::internal("request context missing")))
    }
}

pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-cs_session"
    } else {
        "cs_session"
    }
}

pub fn csrf_cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-cs_csrf" } else { "cs_csrf" }
}

pub const LANG_COOKIE: &str = "cs_lang";

/// Requests refused to an address with too many failed sign-ins, besides sign-in itself
/// (whose use case checks the same count): the forgotten-password forms, which would
/// otherwise let a throttled address keep probing accounts.
pub const ADDRESS_THROTTLED_POSTS: &[&str] = &["/password/forgot", "/api/v1/auth/forgot"];

/// A cookie with the portal's attributes: HttpOnly, SameSite=Lax, Path=/, Secure on HTTPS.
pub fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    let mut c = Cookie::new(name, value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(secure);
    c
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// Access-control failures go to the audit trail (ASVS: security events are logged).
async fn audit_refusal(
    app: &cs_app::App,
    ctx: &RequestCtx,
    method: &axum::http::Method,
    path: &str,
    code: &str,
) {
    let who = match &ctx.actor {
        Some(a) => cs_app::audit::Who::actor(a),
        None => cs_app::audit::Who::system("anonymous"),
    };
    let object = format!("{method} {path}");
    let details = serde_json::json!({ "code": code });
    if let Err(e) = cs_app::audit::record_alone(
        app,
        &who,
        &ctx.meta,
        cs_app::audit::action::ACCESS_DENIED,
        ("route", &object),
        details,
    )
    .await
    {
        tracing::warn!(error = %e, "could not audit a refused request");
    }
}

/// A refusal before any identity (an anonymous form without its token, an anonymous 403):
/// counted in `http_refusals_total{code}` and logged at most once a second per code, not
/// written to the audit trail, which anyone could otherwise fill for good with one loop.
fn count_anonymous_refusal(app: &cs_app::App, code: &'static str) {
    use std::sync::{Mutex, OnceLock};
    static LAST_LOGGED: OnceLock<Mutex<Vec<(&'static str, i64)>>> = OnceLock::new();
    metrics::counter!("http_refusals_total", "code" => code).increment(1);
    let second = app.now().unix_timestamp();
    let log = {
        let mut last = LAST_LOGGED
            .get_or_init(|| Mutex::new(Vec::new()))
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match last.iter_mut().find(|(c, _)| *c == code) {
            Some((_, at)) if *at == second => false,
            Some((_, at)) => {
                *at = second;
                true
            }
            None => {
                last.push((code, second));
                true
            }
        }
    };
    if log {
        tracing::warn!(
            code,
            "anonymous request refused (sampled: at most one line a second per code)"
        );
    }
}

/// True when the portal is served over HTTPS (its public URL says so): cookies then get
/// `Secure` and the `__Host-` prefix, and responses HSTS.
pub fn secure_cookies(settings: &cs_app::Settings) -> bool {
    settings.public_url.scheme() == "https"
}

/// The request id the transport layer set on the request (`crate::security::apply`).
fn request_id(req: &Request) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Who the caller is, as far as its credentials say.
struct Identity {
    actor: Option<Actor>,
    via: Via,
    /// A session cookie that no longer opens a session: cleared from the browser.
    stale_session: bool,
}

/// The actor behind the bearer token or the session cookie, if any is presented and alive.
async fn identify(
    app: &cs_app::App,
    headers: &HeaderMap,
    secure: bool,
) -> Result<Identity, AppError> {
    let jar = CookieJar::from_headers(headers);
    let (lookup, presented) = if let Some(token) = bearer(headers) {
        (auth::bearer_actor(app, token).await, Via::Bearer)
    } else if let Some(c) = jar.get(session_cookie_name(secure)) {
        (auth::session_actor(app, c.value()).await, Via::Session)
    } else {
        (Ok(None), Via::Anonymous)
    };
    let actor = lookup?;
    Ok(Identity {
        via: if actor.is_some() {
            presented
        } else {
            Via::Anonymous
        },
        stale_session: presented == Via::Session && actor.is_none(),
        actor,
    })
}

/// The page language: the user's, else the `cs_lang` cookie, else the browser's, else English.
fn language(actor: Option<&Actor>, headers: &HeaderMap) -> Language {
    let jar = CookieJar::from_headers(headers);
    actor
        .map(|a| a.language)
        .or_else(|| jar.get(LANG_COOKIE).and_then(|c| c.value().parse().ok()))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Language::from_accept_language)
        })
        .unwrap_or_default()
}

/// The form token: the session's, else the anonymous double-submit cookie's, else (on a
/// page) a new one, returned a second time to be set as that cookie.
fn form_token(
    actor: Option<&Actor>,
    headers: &HeaderMap,
    secure: bool,
    is_api: bool,
) -> Result<(String, Option<String>), AppError> {
    if let Some(AuthMethod::Session { csrf_token, .. }) = actor.map(|a| &a.auth) {
        return Ok((csrf_token.clone(), None));
    }
    let jar = CookieJar::from_headers(headers);
    match jar.get(csrf_cookie_name(secure)) {
        Some(c) if c.value().len() >= 32 => Ok((c.value().to_owned(), None)),
        _ if !is_api => {
            let t = cs_app::secrets::new_token()?;
            Ok((t.clone(), Some(t)))
        }
        _ => Ok((String::new(), None)),
    }
}

/// Where the request comes from, for the audit trail.
fn request_meta(req: &Request, request_id: String) -> RequestMeta {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    RequestMeta {
        ip,
        request_id,
        user_agent,
    }
}

/// Refusals decided before routing: a control character in the query string (for every
/// route; bodies are screened by the shared extractors), and the forgotten-password forms
/// from an address with too many failed sign-ins.
async fn screen(
    app: &cs_app::App,
    ctx: &RequestCtx,
    method: &axum::http::Method,
    path: &str,
    query: Option<&str>,
) -> Result<(), AppError> {
    crate::input::check_query(query)?;
    if method == axum::http::Method::POST && ADDRESS_THROTTLED_POSTS.contains(&path) {
        cs_app::lockout::ensure_address_allowed(app, &ctx.meta).await?;
    }
    Ok(())
}

/// A 403 (forbidden or csrf_rejected) goes to the audit trail for a signed-in actor, and
/// is counted for an anonymous one.
async fn note_refusal(
    app: &cs_app::App,
    ctx: &RequestCtx,
    method: &axum::http::Method,
    path: &str,
    err: Option<&AppError>,
) {
    let Some(err) = err.filter(|e| matches!(e, AppError::Forbidden | AppError::CsrfRejected))
    else {
        return;
    };
    if ctx.actor.is_some() {
        audit_refusal(app, ctx, method, path, err.code().as_str()).await;
    } else {
        count_anonymous_refusal(app, err.code().as_str());
    }
}

/// Sets the new anonymous form-token cookie, and clears a stale session cookie unless this
/// very response sets a new one (a sign-in with an expired cookie): a removal after it
/// would win in the browser and undo the sign-in.
fn set_cookies(response: &mut Response, new_csrf: Option<String>, stale: bool, secure: bool) {
    if let Some(t) = new_csrf
        && let Ok(v) =
            HeaderValue::from_str(&cookie(csrf_cookie_name(secure), t, secure).to_string())
    {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    let sets_session = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with(&format!("{}=", session_cookie_name(secure))));
    if stale && !sets_session {
        let mut gone = cookie(session_cookie_name(secure), String::new(), secure);
        gone.make_removal();
        if let Ok(v) = HeaderValue::from_str(&gone.to_string()) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
}

/// An error met before the context exists, rendered for an anonymous caller.
fn early_error(
    e: AppError,
    lang: Language,
    settings: &cs_app::Settings,
    request_id: &str,
    is_api: bool,
) -> Response {
    let caller = Caller {
        viewer: Viewer::anonymous(lang, &settings.service_centre),
        request_id,
        is_api,
        return_to: None,
    };
    crate::error::render(WebError(e).into_response(), &caller)
}

/// The page a sign-in should come back to: a page `GET` (or `HEAD`) of this site, with its
/// query; `None` for the API, for forms (a `POST` cannot be asked again by a redirect), for
/// the home page (where a sign-in lands anyway) and for anything not safe to follow.
fn return_path(req: &Request, is_api: bool) -> Option<String> {
    let page_get = matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    let target = req.uri().path_and_query()?.as_str();
    (page_get && !is_api && target != "/")
        .then(|| cs_domain::redirect::safe_next(target))
        .flatten()
        .map(str::to_owned)
}

/// Middleware: resolves the caller and stores the [`RequestCtx`]; renders errors raised
/// below it as JSON (API) or as a page, in the caller's language, under the request id.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let request_id = request_id(&req);
    let is_api = path.starts_with("/api/");
    if path.starts_with("/static/") || path == "/healthz" || path == "/metrics" {
        // No identity here (probes must not wait on a session lookup); an unknown asset is
        // still answered in the error shape.
        let response = next.run(req).await;
        return crate::error::render(
            response,
            &Caller {
                viewer: Viewer::anonymous(Language::default(), &state.app.settings.service_centre),
                request_id: &request_id,
                is_api,
                return_to: None,
            },
        );
    }
    let app = &state.app;
    let secure = secure_cookies(&app.settings);
    let who = match identify(app, req.headers(), secure).await {
        Ok(who) => who,
        Err(e) => return early_error(e, Language::En, &app.settings, &request_id, is_api),
    };
    let lang = language(who.actor.as_ref(), req.headers());
    let (csrf, new_csrf_cookie) =
        match form_token(who.actor.as_ref(), req.headers(), secure, is_api) {
            Ok(token) => token,
            Err(e) => return early_error(e, lang, &app.settings, &request_id, is_api),
        };
    let ctx = RequestCtx {
        actor: who.actor,
        via: who.via,
        lang,
        csrf,
        meta: request_meta(&req, request_id),
        origin: app.settings.public_url.origin().ascii_serialization(),
        secure,
        is_api,
        return_path: return_path(&req, is_api),
        settings: app.settings.clone(),
    };
    let method = req.method().clone();
    let query = req.uri().query().map(str::to_owned);
    let response = match screen(app, &ctx, &method, &path, query.as_deref()).await {
        Ok(()) => {
            req.extensions_mut().insert(ctx.clone());
            let response = next.run(req).await;
            // Not the response itself across the await: its body is not `Sync`.
            let err = crate::error::pending_error(&response);
            note_refusal(app, &ctx, &method, &path, err.as_deref()).await;
            response
        }
        Err(e) => WebError(e).into_response(),
    };
    let mut response = crate::error::render(response, &ctx.caller());
    set_cookies(&mut response, new_csrf_cookie, who.stale_session, secure);
    response
}
