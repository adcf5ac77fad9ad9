//! Every route of the table, as a caller its policy lets in, with a hostile value in each
//! common query parameter: the security headers are on every answer and no HTML echoes it raw.

use crate::harness::{Browser, TestApp, form_encode};
use cs_web::{Policy, RouteInfo};
use reqwest::{Method, header};

crate::on_both!(hostile_query_values_are_escaped_and_headers_hold_on_every_route,);

/// Characters that break out of HTML text and attributes, with a marker to find them by.
const HOSTILE: &str = "<script>\"'cs-probe`&";
/// The query parameters the portal's pages and API read (an unknown one is ignored, which is
/// fine: the walk is about what comes back).
const PARAMS: [&str; 16] = [
    "search",
    "recipient",
    "actor",
    "action",
    "status",
    "from",
    "to",
    "month",
    "period",
    "next",
    "customer_number",
    "sort",
    "cursor",
    "limit",
    "token",
    "q",
];

/// A caller the route's policy lets in, so the answer comes from the handler.
fn caller_for(policy: Policy) -> &'static str {
    match policy {
        Policy::Public => "anonymous",
        Policy::Operator => "op.one",
        Policy::SignedIn | Policy::Module(_) | Policy::Users => "a.admin",
    }
}

/// A concrete path: the caller's own objects where the route names one.
fn concrete(route: &RouteInfo, t: &TestApp) -> String {
    route
        .path
        .replace("{id}", &t.fx.users["a.user"].to_string())
        .replace("{number}", "8800001")
        .replace("{kind}", "customers")
        .replace("{name}", "volumes")
}

fn query() -> String {
    let value = form_encode(HOSTILE);
    PARAMS
        .iter()
        .map(|p| format!("{p}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

async fn hostile_query_values_are_escaped_and_headers_hold_on_every_route(t: &TestApp) {
    let routes = cs_web::routes();
    let mut walked = 0;
    for route in routes.table() {
        let who = caller_for(route.policy);
        let mut b: Browser = if who == "anonymous" {
            t.browser()
        } else {
            t.signed_in(who).await
        };
        let token = b.csrf().await;
        let path = format!("{}?{}", concrete(route, t), query());
        let r = b
            .request(
                route.method.clone(),
                &path,
                &[("x-csrf-token", &token)],
                None,
            )
            .await;
        let label = format!("{} {} as {who} ({})", route.method, route.path, r.status);
        let h = r.headers.clone();
        assert_eq!(h["x-content-type-options"], "nosniff", "{label}");
        assert_eq!(h["x-frame-options"], "DENY", "{label}");
        assert!(h.contains_key("referrer-policy"), "{label}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{label}: {csp}");
        if who != "anonymous" && !route.path.starts_with("/static/") {
            assert_eq!(h[header::CACHE_CONTROL], "no-store", "{label}");
        }
        let html = h
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/html"));
        let body = r.text;
        if html {
            assert!(
                !body.contains("<script>") && !body.contains("\"'cs-probe"),
                "{label}: the hostile value comes back unescaped"
            );
        }
        if route.method == Method::GET {
            assert!(
                !body.contains(HOSTILE),
                "{label}: the hostile value comes back as it was sent"
            );
        }
        walked += 1;
    }
    assert!(walked >= 40, "only {walked} routes walked");
}
