//! Operations endpoints (`/healthz`, `/readyz`, `/metrics`) and the static assets.

use crate::{
    AppState,
    policy::{Policy, Routes},
};
use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderMap, Method, StatusCode, header},
    middleware::Next,
    response::IntoResponse,
    response::Response,
};

pub fn routes(r: Routes) -> Routes {
    r.get("/healthz", Policy::Public, healthz)
        .get("/readyz", Policy::Public, readyz)
        .get("/metrics", Policy::Public, metrics)
        .get("/static/app.css", Policy::Public, stylesheet)
        .get("/static/favicon.svg", Policy::Public, favicon)
}

/// The process is up.
async fn healthz() -> impl IntoResponse {
    "ok"
}

/// The process can serve: its database answers.
async fn readyz(State(s): State<AppState>) -> impl IntoResponse {
    match s.app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// Prometheus text format. With a metrics token configured, only for a caller presenting it
/// (`Authorization: Bearer`, compared in constant time): the figures include sign-in
/// failures, which tell an attacker how a guessing run is going.
async fn metrics(State(s): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(expected) = &s.app.settings.metrics_token_hash {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .unwrap_or_default();
        if !cs_app::secrets::same_secret(&cs_app::secrets::token_hash(given), expected) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "a metrics token is required",
            )
                .into_response();
        }
    }
    let body = s.metrics.as_ref().map(|h| h.render()).unwrap_or_default();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/app.css"),
    )
}

/// The portal's icon (a stamp in the brand colour), for the browser tab and the page header.
async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../static/favicon.svg"),
    )
}

/// The method as a label: one of the standard methods, else `other`, so that invented
/// methods cannot grow the label set (finding: 3,000 of them grew `/metrics` to 8.7 MB).
fn method_label(m: &Method) -> &'static str {
    const STANDARD: [(Method, &str); 9] = [
        (Method::GET, "GET"),
        (Method::HEAD, "HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::PATCH, "PATCH"),
        (Method::DELETE, "DELETE"),
        (Method::OPTIONS, "OPTIONS"),
        (Method::CONNECT, "CONNECT"),
        (Method::TRACE, "TRACE"),
    ];
    STANDARD
        .iter()
        .find(|(s, _)| s == m)
        .map_or("other", |(_, label)| label)
}

/// Counts requests and their latency per route pattern (never the raw path: ids would
/// explode the label set; an unmatched path is `unmatched`), method label and status class.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = method_label(req.method());
    let started = std::time::Instant::now();
    let response = next.run(req).await;
    let status = format!("{}xx", response.status().as_u16() / 100);
    metrics::counter!("http_requests_total", "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_methods_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        for invented in ["FOO", "get", "PROPFIND", "X123"] {
            let m = Method::from_bytes(invented.as_bytes()).unwrap();
            assert_eq!(method_label(&m), "other", "{invented}");
        }
    }
}
