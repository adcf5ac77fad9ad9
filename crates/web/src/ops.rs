//! Operations endpoints (`/healthz`, `/readyz`, `/metrics`) and the static assets.

use crate::{
    AppState,
    policy::{Policy, Routes},
};
use axum::{
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};

pub fn routes(r: Routes) -> Routes {
    r.get("/healthz", Policy::Public, healthz)
        .get("/readyz", Policy::Public, readyz)
        .get("/metrics", Policy::Public, metrics)
        .get("/static/app.css", Policy::Public, stylesheet)
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

/// Prometheus text format.
async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
    let body = s.metrics.as_ref().map(|h| h.render()).unwrap_or_default();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
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
