//! The request context, built once per request before routing: who is signed in (session
//! cookie or bearer token), the page language, the form token and the audit metadata.

use crate::{AppState, error::WebError};
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
}

impl RequestCtx {
    pub fn actor(&self) -> Result<&Actor, AppError> {
        self.actor.as_ref().ok_or(AppError::Unauthenticated)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestCtx {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestCtx>()
            .cloned()
            .ok_or_else(|| WebError(AppError::Internal("request context missing".into())))
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

/// Middleware: resolves the caller and stores the [`RequestCtx`]; renders errors raised
/// below it as JSON (API) or as a page, in the caller's language.
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

pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/static/") || path == "/healthz" || path == "/metrics" {
        return next.run(req).await;
    }
    let app = &state.app;
    let secure = app.settings.secure_cookies();
    let jar = CookieJar::from_headers(req.headers());
    let headers = req.headers();
    let is_api = path.starts_with("/api/");

    let (lookup, method) = if let Some(token) = bearer(headers) {
        (auth::bearer_actor(app, token).await, Via::Bearer)
    } else if let Some(c) = jar.get(session_cookie_name(secure)) {
        (auth::session_actor(app, c.value()).await, Via::Session)
    } else {
        (Ok(None), Via::Anonymous)
    };
    let found = matches!(lookup, Ok(Some(_)));
    let via = if found { method } else { Via::Anonymous };
    // A session cookie that no longer opens a session is cleared from the browser.
    let stale_session = method == Via::Session && !found;
    let actor = match lookup {
        Ok(a) => a,
        Err(e) => {
            return crate::error::render(
                WebError(e).into_response(),
                None,
                Language::En,
                "",
                is_api,
            );
        }
    };

    let lang = actor
        .as_ref()
        .map(|a| a.language)
        .or_else(|| jar.get(LANG_COOKIE).and_then(|c| c.value().parse().ok()))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Language::from_accept_language)
        })
        .unwrap_or_default();

    let mut new_csrf_cookie = None;
    let csrf = match actor.as_ref().map(|a| &a.auth) {
        Some(AuthMethod::Session { csrf_token, .. }) => csrf_token.clone(),
        _ => match jar.get(csrf_cookie_name(secure)) {
            Some(c) if c.value().len() >= 32 => c.value().to_owned(),
            _ if !is_api => match cs_app::secrets::new_token() {
                Ok(t) => {
                    new_csrf_cookie = Some(t.clone());
                    t
                }
                Err(e) => {
                    return crate::error::render(
                        WebError(e).into_response(),
                        None,
                        lang,
                        "",
                        is_api,
                    );
                }
            },
            _ => String::new(),
        },
    };

    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    let headers = req.headers();
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    let origin = app.settings.public_url.origin().ascii_serialization();
    let ctx = RequestCtx {
        actor: actor.clone(),
        via,
        lang,
        csrf,
        meta: RequestMeta {
            ip,
            request_id,
            user_agent,
        },
        origin,
        secure,
        is_api,
    };
    let method = req.method().clone();
    let refuse = |e: AppError| {
        crate::error::render(
            WebError(e).into_response(),
            actor.as_ref(),
            lang,
            &ctx.csrf,
            is_api,
        )
    };
    // Before any work with the request's values: a control character in the query string is
    // refused here, for every route (bodies are screened by the shared extractors).
    if let Err(e) = crate::input::check_query(req.uri().query()) {
        return refuse(e);
    }
    if method == axum::http::Method::POST
        && ADDRESS_THROTTLED_POSTS.contains(&path.as_str())
        && let Err(e) = cs_app::lockout::ensure_address_allowed(app, &ctx.meta).await
    {
        return refuse(e);
    }
    req.extensions_mut().insert(ctx.clone());
    let response = next.run(req).await;
    if let Some(err) = crate::error::pending_error(&response)
        && matches!(*err, AppError::Forbidden | AppError::CsrfRejected)
    {
        if ctx.actor.is_some() {
            audit_refusal(app, &ctx, &method, &path, err.code()).await;
        } else {
            count_anonymous_refusal(app, err.code());
        }
    }
    let mut response = crate::error::render(response, actor.as_ref(), lang, &ctx.csrf, is_api);
    if let Some(t) = new_csrf_cookie
        && let Ok(v) =
            HeaderValue::from_str(&cookie(csrf_cookie_name(secure), t, secure).to_string())
    {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    // …unless this very response sets a new one (a sign-in with an expired cookie): a
    // removal after it would win in the browser and undo the sign-in.
    let sets_session = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with(&format!("{}=", session_cookie_name(secure))));
    if stale_session && !sets_session {
        let mut gone = cookie(session_cookie_name(secure), String::new(), secure);
        gone.make_removal();
        if let Ok(v) = HeaderValue::from_str(&gone.to_string()) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}
