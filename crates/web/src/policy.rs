//! Authorisation in one place: every route declares a [`Policy`], enforced (with CSRF) by
//! one middleware before any handler runs; the route table lists them for the test that walks every route.

use crate::{AppState, context::RequestCtx, error::WebError};
use axum::{
    Router,
    extract::{Request, State},
    handler::Handler,
    http::Method,
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::{MethodRouter, on},
};
use cs_app::AppError;
use cs_domain::{Module, Role};

/// What a route requires of the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Anyone, signed in or not (sign-in page, health checks, public forms).
    Public,
    /// Any signed-in, active user.
    SignedIn,
    /// A customer user holding the module, or an operator (who names the customer).
    Module(Module),
    /// A customer admin (module `users`) or an operator.
    Users,
    /// Operator staff only: the back office.
    Operator,
}

impl Policy {
    /// Decides for a (possibly anonymous) caller: `Err` is 401 or 403.
    pub fn check(self, actor: Option<&cs_app::Actor>) -> Result<(), AppError> {
        if self == Policy::Public {
            return Ok(());
        }
        let actor = actor.ok_or(AppError::Unauthenticated)?;
        let allowed = match self {
            Policy::Public | Policy::SignedIn => true,
            Policy::Module(m) => actor.role == Role::Operator || actor.can(m),
            Policy::Users => actor.role == Role::Operator || actor.can(Module::Users),
            Policy::Operator => actor.role == Role::Operator,
        };
        if allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// One declared route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub policy: Policy,
    /// Public POSTs of the API that need no CSRF token (SPEC §6).
    pub csrf_exempt: bool,
}

/// The router under construction and the table of what was declared.
pub struct Routes {
    router: Router<AppState>,
    table: Vec<RouteInfo>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    fn add<H, T>(
        mut self,
        method: Method,
        path: &'static str,
        policy: Policy,
        csrf_exempt: bool,
        handler: H,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = axum::routing::MethodFilter::try_from(method.clone())
            .unwrap_or(axum::routing::MethodFilter::GET);
        let info = RouteInfo {
            method,
            path,
            policy,
            csrf_exempt,
        };
        let mr: MethodRouter<AppState> =
            on(filter, handler).route_layer(middleware::from_fn_with_state(info.clone(), enforce));
        self.router = self.router.route(path, mr);
        self.table.push(info);
        self
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        policy: Policy,
        h: H,
    ) -> Self {
        self.add(Method::GET, path, policy, false, h)
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        policy: Policy,
        h: H,
    ) -> Self {
        self.add(Method::POST, path, policy, false, h)
    }

    pub fn patch<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        policy: Policy,
        h: H,
    ) -> Self {
        self.add(Method::PATCH, path, policy, false, h)
    }

    /// A public API POST that carries no session and so needs no CSRF token.
    pub fn public_api_post<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        h: H,
    ) -> Self {
        self.add(Method::POST, path, Policy::Public, true, h)
    }

    pub fn table(&self) -> &[RouteInfo] {
        &self.table
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteInfo>) {
        (self.router, self.table)
    }
}

/// Where a user whose company requires a second factor sets it up.
pub const ENROLMENT_PAGE: &str = "/account/two-factor";

/// What a user who must still set up a second factor may reach: the set-up itself,
/// sign-out, and public routes (the language switch, sign-in, health). Static files skip
/// the gate altogether.
pub fn open_before_enrolment(route: &RouteInfo) -> bool {
    route.policy == Policy::Public
        || route.path == "/logout"
        || route.path == ENROLMENT_PAGE
        || route.path.starts_with("/account/two-factor/")
}

/// The one gate: signed in? allowed? second factor set up where the company requires it?
/// and, for state-changing requests, CSRF.
async fn enforce(State(route): State<RouteInfo>, req: Request, next: Next) -> Response {
    let Some(ctx) = req.extensions().get::<RequestCtx>().cloned() else {
        // Health, metrics and static assets skip identity resolution: public, read-only.
        return if route.policy == Policy::Public && route.method == Method::GET {
            next.run(req).await
        } else {
            WebError(AppError::internal("request context missing")).into_response()
        };
    };
    if let Err(e) = route.policy.check(ctx.actor.as_ref()) {
        return WebError(e).into_response();
    }
    if ctx
        .actor
        .as_ref()
        .is_some_and(|a| a.totp_enrolment_required)
        && !open_before_enrolment(&route)
    {
        return if ctx.is_api {
            WebError(AppError::TotpEnrolmentRequired).into_response()
        } else {
            Redirect::to(ENROLMENT_PAGE).into_response()
        };
    }
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && !route.csrf_exempt {
        match crate::security::check_csrf(&ctx, req).await {
            Ok(req) => next.run(req).await,
            Err(e) => WebError(e).into_response(),
        }
    } else {
        next.run(req).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Routes are added only through [`Routes`], so each has a policy: no other file of
    /// this crate may build a router or add a route directly.
    #[test]
    fn no_route_bypasses_the_policy_table() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![src];
        let mut offenders = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("policy.rs")
                {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for needle in [
                        ".route(",
                        "Router::new(",
                        ".nest(",
                        ".merge(",
                        ".route_service(",
                    ] {
                        if text.contains(needle) {
                            offenders.push(format!("{}: {needle}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "routes must be declared through policy::Routes: {offenders:?}"
        );
    }

    #[test]
    fn every_declared_route_has_a_unique_method_and_path() {
        let routes = crate::routes();
        let mut seen = std::collections::HashSet::new();
        for r in routes.table() {
            assert!(
                seen.insert((r.method.clone(), r.path)),
                "declared twice: {} {}",
                r.method,
                r.path
            );
            assert!(r.path.starts_with('/'));
            if r.csrf_exempt {
                assert_eq!(
                    r.policy,
                    Policy::Public,
                    "only public API POSTs may skip CSRF"
                );
                assert!(r.path.starts_with("/api/v1/"), "{}", r.path);
            }
        }
    }

    #[test]
    fn before_enrolment_only_the_set_up_and_sign_out_are_open() {
        let routes = crate::routes();
        let open: Vec<_> = routes
            .table()
            .iter()
            .filter(|r| r.policy != Policy::Public && open_before_enrolment(r))
            .map(|r| (r.method.as_str().to_owned(), r.path))
            .collect();
        assert!(
            open.contains(&("GET".to_owned(), ENROLMENT_PAGE)),
            "{open:?}"
        );
        assert!(open.contains(&("POST".to_owned(), "/logout")), "{open:?}");
        for (_, path) in &open {
            assert!(
                *path == "/logout" || path.starts_with(ENROLMENT_PAGE),
                "open before enrolment: {path}"
            );
        }
        let home = routes.table().iter().find(|r| r.path == "/").unwrap();
        assert!(!open_before_enrolment(home));
    }

    #[test]
    fn anonymous_is_refused_everywhere_but_public() {
        assert!(Policy::Public.check(None).is_ok());
        for p in [
            Policy::SignedIn,
            Policy::Module(Module::Invoices),
            Policy::Users,
            Policy::Operator,
        ] {
            assert!(matches!(p.check(None), Err(AppError::Unauthenticated)));
        }
    }
}
