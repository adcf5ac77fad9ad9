//! Authorisation and request-forgery defences, walked over every declared route: the route
//! table is the router's only source, so a new route is covered here without editing this file.

use crate::harness::{Browser, PASSWORD, TestApp, extract_csrf};
use cs_web::{Policy, RouteInfo};
use reqwest::{Method, StatusCode, header};
use serde_json::json;

crate::on_both!(
    every_route_answers_each_role_as_its_policy_says,
    refused_requests_change_nothing,
    state_changing_forms_need_their_token_and_our_origin,
    every_state_changing_route_refuses_a_missing_token_or_a_foreign_origin,
    unknown_paths_are_404_signed_in_or_not,
    security_headers_on_every_route,
    errors_never_leak_internals,
);

/// The callers of the matrix.
const CALLERS: [&str; 5] = ["anonymous", "a.nomod", "a.user", "a.admin", "op.one"];

/// What `policy` allows for `caller` (written out independently of `Policy::check`).
fn allowed(policy: Policy, caller: &str) -> bool {
    match (policy, caller) {
        (Policy::Public, _) => true,
        (_, "anonymous") => false,
        (Policy::SignedIn, _) => true,
        (Policy::Module(m), "a.user") => ["transactions", "invoices"].contains(&m.as_str()),
        (Policy::Module(_), "a.nomod") => false,
        (Policy::Module(_), "a.admin" | "op.one") => true,
        (Policy::Users, "a.admin" | "op.one") => true,
        (Policy::Users, _) => false,
        (Policy::Operator, "op.one") => true,
        (Policy::Operator, _) => false,
        _ => unreachable!("caller {caller}"),
    }
}

/// A concrete path for a route: ids belong to customer B, so a customer-A caller that is
/// allowed by policy must still get 404 (tenant isolation).
fn concrete(route: &RouteInfo, t: &TestApp) -> (String, bool) {
    let mut path = route.path.to_owned();
    let mut foreign = false;
    for (param, value) in [
        ("{id}", t.fx.users["b.user"].to_string()),
        ("{number}", "8800002".to_owned()),
        ("{kind}", "customers".to_owned()),
        ("{name}", "volumes".to_owned()),
    ] {
        if path.contains(param) {
            foreign |= param != "{kind}" && param != "{name}";
            path = path.replace(param, &value);
        }
    }
    (path, foreign)
}

async fn caller(t: &TestApp, who: &str) -> Browser {
    if who == "anonymous" {
        t.browser()
    } else {
        t.signed_in(who).await
    }
}

async fn every_route_answers_each_role_as_its_policy_says(t: &TestApp) {
    let routes = cs_web::routes();
    let table = routes.table().to_vec();
    assert!(
        table.len() >= 10,
        "the route table looks incomplete: {table:?}"
    );
    for route in &table {
        let (path, foreign) = concrete(route, t);
        let is_api = path.starts_with("/api/");
        for who in CALLERS {
            let mut b = caller(t, who).await;
            let token = if who == "anonymous" {
                String::new()
            } else {
                b.csrf().await
            };
            let headers = [
                ("x-csrf-token", token.as_str()),
                ("content-type", "application/json"),
            ];
            let r = b.request(route.method.clone(), &path, &headers, None).await;
            let status = r.status;
            // A route that asks for the caller's password again has let it through its
            // policy already: that 403 is the use case speaking, not the gate.
            let asks_password = r.text.contains("reauthentication_required");
            let label = format!("{} {path} as {who}", route.method);
            if allowed(route.policy, who) {
                assert!(
                    ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&status)
                        || route.policy == Policy::Public
                        || (status == StatusCode::FORBIDDEN && asks_password),
                    "{label}: allowed but got {status}"
                );
                if foreign && who.starts_with("a.") {
                    assert_eq!(
                        status,
                        StatusCode::NOT_FOUND,
                        "{label}: another customer's object must be 404"
                    );
                }
            } else if who == "anonymous" {
                let expected = if is_api || route.method != Method::GET {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::SEE_OTHER
                };
                if is_api || route.method == Method::GET {
                    assert_eq!(status, expected, "{label}");
                } else {
                    assert!(
                        [StatusCode::UNAUTHORIZED, StatusCode::SEE_OTHER].contains(&status),
                        "{label}: {status}"
                    );
                }
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{label}");
            }
        }
    }
}

async fn refused_requests_change_nothing(t: &TestApp) {
    let before = (
        t.count("SELECT COUNT(*) FROM sessions").await,
        t.count("SELECT COUNT(*) FROM users WHERE status = 'active'")
            .await,
    );
    let mut anon = t.browser();
    for route in cs_web::routes()
        .table()
        .iter()
        .filter(|r| r.method != Method::GET && r.policy != Policy::Public)
    {
        let (path, _) = concrete(route, t);
        let r = anon.request(route.method.clone(), &path, &[], None).await;
        assert!(
            r.status.is_client_error() || r.status == StatusCode::SEE_OTHER,
            "{path}: {}",
            r.status
        );
    }
    let after = (
        t.count("SELECT COUNT(*) FROM sessions").await,
        t.count("SELECT COUNT(*) FROM users WHERE status = 'active'")
            .await,
    );
    assert_eq!(before, after);
}

async fn state_changing_forms_need_their_token_and_our_origin(t: &TestApp) {
    // Signed in: sign-out without the token, with a wrong one, from another site.
    let mut b = t.signed_in("a.admin").await;
    let token = b.csrf().await;
    let no_token = b.request(Method::POST, "/logout", &[], Some(&[])).await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    let wrong = b
        .request(
            Method::POST,
            "/logout",
            &[],
            Some(&[("_csrf", "forged-token-forged-token-forged-token-xx")]),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let foreign = b
        .request(
            Method::POST,
            "/logout",
            &[("origin", "https://evil.example")],
            Some(&[("_csrf", &token)]),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    let cross = b
        .request(
            Method::POST,
            "/logout",
            &[("sec-fetch-site", "cross-site")],
            Some(&[("_csrf", &token)]),
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    assert_eq!(
        b.get("/api/v1/me").await.status,
        StatusCode::OK,
        "still signed in after refused sign-outs"
    );
    let denied = t
        .count("SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied'")
        .await;
    assert_eq!(denied, 4, "each refused sign-out is audited");
    // Browsers may send `Origin: null` (privacy settings, no-referrer pages): the token decides.
    let null_origin = b
        .request(
            Method::POST,
            "/language",
            &[("origin", "null"), ("sec-fetch-site", "same-origin")],
            Some(&[("_csrf", &token), ("language", "fr")]),
        )
        .await;
    assert_eq!(null_origin.status, StatusCode::SEE_OTHER);
    let ours = b
        .request(
            Method::POST,
            "/logout",
            &[("origin", &t.base), ("sec-fetch-site", "same-origin")],
            Some(&[("_csrf", &token)]),
        )
        .await;
    assert_eq!(ours.status, StatusCode::SEE_OTHER);

    // The sign-in form itself carries a token (double-submit cookie).
    let mut anon = t.browser();
    anon.get("/login").await;
    let r = anon
        .request(
            Method::POST,
            "/login",
            &[],
            Some(&[("username", "a.user"), ("password", PASSWORD)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut fresh = t.browser();
    let r = fresh
        .request(
            Method::POST,
            "/login",
            &[],
            Some(&[
                ("_csrf", "x".repeat(43).as_str()),
                ("username", "a.user"),
                ("password", PASSWORD),
            ]),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a token without its cookie is refused"
    );

    // Public API POSTs need no token; a missing Origin alone is no refusal.
    let api = t
        .token(&json!({"username": "a.user", "password": PASSWORD}))
        .await;
    api.assert_status(StatusCode::OK);
    let error = b.request(Method::POST, "/logout", &[], Some(&[])).await;
    assert_ne!(error.status, StatusCode::INTERNAL_SERVER_ERROR);
}

async fn unknown_paths_are_404_signed_in_or_not(t: &TestApp) {
    let mut anon = t.browser();
    let mut signed = t.signed_in("a.user").await;
    // The error page keeps a working frame: its sign-out form carries the session's token.
    let token = signed.csrf().await;
    let page = signed.get("/nope").await.text;
    assert_eq!(extract_csrf(&page).as_deref(), Some(token.as_str()));
    for path in [
        "/nope",
        "/receipts/..%2f..%2fetc%2fpasswd",
        "/api/v1/nope",
        "/static/../Cargo.toml",
    ] {
        for b in [&mut anon, &mut signed] {
            let r = b.get(path).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            if path.starts_with("/api/") {
                r.assert_error(StatusCode::NOT_FOUND, "not_found");
            }
        }
    }
}

async fn security_headers_on_every_route(t: &TestApp) {
    let mut b = t.signed_in("a.admin").await;
    let mut paths: Vec<String> = cs_web::routes()
        .table()
        .iter()
        .filter(|r| r.method == Method::GET)
        .map(|r| concrete(r, t).0)
        .collect();
    paths.push("/does-not-exist".into());
    for path in paths {
        let r = b.get(&path).await;
        let h = r.headers;
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        let referrer = if path.starts_with("/password/set") {
            "no-referrer"
        } else {
            "same-origin"
        };
        assert_eq!(h["referrer-policy"], referrer, "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(h.contains_key("x-request-id"), "{path}");
        if !path.starts_with("/static/") {
            assert_eq!(h[header::CACHE_CONTROL], "no-store", "{path}");
        }
        if let Some(ct) = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
            && ct.starts_with("text/")
        {
            assert!(ct.contains("charset=utf-8"), "{path}: {ct}");
        }
    }
}

async fn errors_never_leak_internals(t: &TestApp) {
    let mut b = t.browser();
    let trace = b.request(Method::TRACE, "/", &[], None).await;
    assert_eq!(trace.status, StatusCode::METHOD_NOT_ALLOWED);
    t.exec("DROP TABLE sessions").await;
    t.exec("DROP TABLE api_tokens").await;
    let r = t
        .token(&json!({"username": "a.user", "password": PASSWORD}))
        .await;
    r.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "internal");
    let body = r.text;
    let lower = body.to_lowercase();
    for leak in [
        "sqlx",
        "select",
        "insert",
        "sessions",
        "panicked",
        "src/",
        "no such table",
        "relation",
    ] {
        assert!(!lower.contains(leak), "error body leaks {leak:?}: {body}");
    }
    let page = b.sign_in("a.user", PASSWORD).await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    let html = page.text.to_lowercase();
    assert!(
        !html.contains("sqlx") && !html.contains("no such table") && !html.contains("relation"),
        "{html}"
    );
}

/// Header or form fields of a request.
type Pairs<'a> = Vec<(&'a str, &'a str)>;

/// A caller the route's policy lets in, so that a refusal can only come from the CSRF check.
fn allowed_caller(policy: Policy) -> &'static str {
    match policy {
        Policy::Public => "anonymous",
        Policy::SignedIn | Policy::Module(_) => "a.user",
        Policy::Users => "a.admin",
        Policy::Operator => "op.one",
    }
}

/// Every cookie-authenticated state-changing route of the table, walked: without the token,
/// with a wrong one, and from another site, each is refused with 403 and changes nothing.
async fn every_state_changing_route_refuses_a_missing_token_or_a_foreign_origin(t: &TestApp) {
    let tables = [
        // (sessions are left out: the test signs its callers in)
        "SELECT COUNT(*) FROM users WHERE status = 'active'",
        "SELECT COUNT(*) FROM access_requests",
        "SELECT COUNT(*) FROM api_tokens",
        "SELECT COUNT(*) FROM one_time_tokens",
        "SELECT COUNT(*) FROM jobs",
        "SELECT COUNT(*) FROM customers WHERE status = 'active'",
    ];
    let mut before = Vec::new();
    for sql in tables {
        before.push(t.count(sql).await);
    }
    let routes: Vec<_> = cs_web::routes()
        .table()
        .iter()
        .filter(|r| r.method != Method::GET && !r.csrf_exempt)
        .cloned()
        .collect();
    assert!(routes.len() >= 10, "{routes:?}");
    for route in &routes {
        let (path, _) = concrete(route, t);
        let who = allowed_caller(route.policy);
        let mut b = caller(t, who).await;
        let token = b.csrf().await;
        let attempts: [(&str, Pairs, Pairs); 3] = [
            ("no token", vec![], vec![("x", "1")]),
            (
                "a wrong token",
                vec![],
                vec![("_csrf", "not-the-token-not-the-token-not-the-tok")],
            ),
            (
                "another site",
                vec![("origin", "https://evil.example")],
                vec![("_csrf", token.as_str())],
            ),
        ];
        for (what, headers, form) in attempts {
            let r = b
                .request(route.method.clone(), &path, &headers, Some(&form))
                .await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{} {path} as {who} with {what}",
                route.method
            );
            let body = r.text;
            if path.starts_with("/api/") {
                assert!(body.contains("csrf_rejected"), "{path}: {body}");
            } else {
                assert!(
                    body.contains("came from another site"),
                    "{path}: the CSRF page"
                );
            }
        }
    }
    for (sql, was) in tables.iter().zip(before) {
        assert_eq!(t.count(sql).await, was, "a refused request changed {sql}");
    }
}
