//! The HTTP edge of the portal: the router with a declared policy per route, the request
//! context, pages (askama, four languages) and the JSON API, all over the `cs-app` use cases.

pub mod api;
pub mod chart;
pub mod context;
pub mod error;
pub mod export;
pub mod input;
pub mod local_time;
pub mod ops;
pub mod pages;
pub mod params;
pub mod policy;
pub mod security;
pub mod view;

use axum::Router;
use cs_app::App;
use std::time::Duration;

pub use policy::{Policy, RouteInfo};

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
}

/// The routes of the portal, each with the policy it requires. The router is built from
/// this table only, so no route can exist without a policy.
pub fn routes() -> policy::Routes {
    let r = policy::Routes::new();
    let r = ops::routes(r);
    let r = pages::routes(r);
    api::routes(r)
}

/// The complete application: routes, policies, identity, CSRF, security headers, tracing.
pub fn router(state: AppState) -> Router {
    let (router, _table) = routes().into_parts();
    let secure = context::secure_cookies(&state.app.settings);
    let router = router
        .fallback(pages::not_found)
        .method_not_allowed_fallback(pages::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            Duration::from_secs(30),
            security::time_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            context::resolve,
        ))
        .layer(axum::middleware::from_fn(ops::track))
        .with_state(state);
    security::apply(router, secure)
}
