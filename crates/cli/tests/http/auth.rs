//! Sign-in, sessions, cookies and bearer tokens.

use crate::harness::{PASSWORD, TestApp};
use reqwest::{Method, StatusCode, header};
use serde_json::json;
use time::Duration;

crate::on_both!(
    sign_in_opens_a_session_with_safe_cookie,
    failed_sign_in_keeps_the_username_and_is_audited,
    unknown_user_and_wrong_password_answer_alike,
    invited_disabled_and_suspended_users_cannot_sign_in,
    a_session_id_from_before_sign_in_is_worthless,
    sign_out_ends_the_session_on_the_server,
    sessions_expire_after_30_idle_minutes_and_12_hours,
    bearer_tokens_work_and_bad_credentials_get_json_errors,
    me_shows_user_and_customer_and_ignores_customer_number,
    audit_chain_verifies_and_detects_tampering,
    username_is_case_insensitive,
    next_never_leaves_the_site_on_any_route_that_takes_it,
    a_sign_in_over_an_expired_session_cookie_keeps_the_new_session,
);

async fn sign_in_opens_a_session_with_safe_cookie(t: &TestApp) {
    let mut b = t.browser();
    let r = b.sign_in("a.user", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/");
    let set = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("cs_session="))
        .expect("session cookie");
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Lax"), "{set}");
    assert!(set.contains("Path=/"), "{set}");
    let token = set
        .trim_start_matches("cs_session=")
        .split(';')
        .next()
        .unwrap();
    assert!(token.len() >= 43, "at least 256 bits: {token}");
    let home = b.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    let html = home.text;
    assert!(html.contains("Name of a.user"));
    assert!(html.contains("Alpha Printing SA (8800001)"));
    let ok = t
        .count("SELECT COUNT(*) FROM audit_events WHERE action = 'login.ok'")
        .await;
    assert_eq!(ok, 1);
}

async fn failed_sign_in_keeps_the_username_and_is_audited(t: &TestApp) {
    let mut b = t.browser();
    let r = b.sign_in("a.user", "not the password at all").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let html = r.text;
    assert!(html.contains("role=\"alert\""));
    assert!(
        html.contains("value=\"a.user\""),
        "the typed username is kept"
    );
    assert!(
        !html.contains("not the password at all"),
        "the password is never echoed"
    );
    let failed = t
        .count("SELECT COUNT(*) FROM audit_events WHERE action = 'login.failed'")
        .await;
    assert_eq!(failed, 1);
    assert!(!b.cookies.contains_key("cs_session"));
}

async fn unknown_user_and_wrong_password_answer_alike(t: &TestApp) {
    let mut b = t.browser();
    let wrong = b.sign_in("a.user", "wrong password here").await;
    let (s1, h1) = (wrong.status, wrong.text);
    let unknown = b.sign_in("nobody.here", "wrong password here").await;
    let (s2, h2) = (unknown.status, unknown.text);
    assert_eq!(s1, s2);
    assert_eq!(h1.replace("a.user", "X"), h2.replace("nobody.here", "X"));
    let api = |u: &'static str| {
        let body = json!({"username": u, "password": "wrong password here"});
        async move { t.token(&body).await }
    };
    let a = api("a.user").await;
    let b2 = api("nobody.here").await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.status, b2.status);
    let alike = crate::errors::without_request_id;
    assert_eq!(alike(a.json()), alike(b2.json()));
}

async fn invited_disabled_and_suspended_users_cannot_sign_in(t: &TestApp) {
    for u in ["a.invited", "a.disabled"] {
        let mut b = t.browser();
        assert_eq!(
            b.sign_in(u, PASSWORD).await.status,
            StatusCode::UNAUTHORIZED,
            "{u}"
        );
    }
    // A signed-in user of a customer that gets suspended loses access at once.
    let mut b = t.signed_in("b.user").await;
    t.exec("UPDATE customers SET status = 'suspended' WHERE customer_number = '8800002'")
        .await;
    assert_eq!(b.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    let mut fresh = t.browser();
    let r = fresh.sign_in("b.admin", PASSWORD).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("suspended"));
    let token_for = |password: &'static str| {
        let body = json!({"username": "b.admin", "password": password});
        async move { t.token(&body).await }
    };
    token_for(PASSWORD)
        .await
        .assert_error(StatusCode::FORBIDDEN, "customer_suspended");
    let wrong = token_for("not the password").await;
    assert_eq!(
        wrong.status,
        StatusCode::UNAUTHORIZED,
        "without the password nothing is told"
    );
}

async fn a_session_id_from_before_sign_in_is_worthless(t: &TestApp) {
    let mut b = t.browser();
    b.cookies.insert(
        "cs_session".into(),
        "planted-by-an-attacker-0123456789abcdefghijk".into(),
    );
    b.sign_in("a.user", PASSWORD).await;
    let after = b.cookies.get("cs_session").cloned().unwrap();
    assert_ne!(after, "planted-by-an-attacker-0123456789abcdefghijk");
    let mut old = t.browser();
    old.cookies.insert(
        "cs_session".into(),
        "planted-by-an-attacker-0123456789abcdefghijk".into(),
    );
    assert_eq!(old.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
}

async fn sign_out_ends_the_session_on_the_server(t: &TestApp) {
    let mut b = t.signed_in("a.admin").await;
    let saved = b.cookies.clone();
    let r = b.post_form("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let mut replay = t.browser();
    replay.cookies = saved;
    assert_eq!(
        replay.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    let page = replay.get("/").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.headers[header::LOCATION], "/login");
    assert_eq!(t.count("SELECT COUNT(*) FROM sessions").await, 0);
}

async fn sessions_expire_after_30_idle_minutes_and_12_hours(t: &TestApp) {
    let mut idle = t.signed_in("a.user").await;
    let _forgotten = t.signed_in("a.admin").await;
    t.clock.advance(Duration::minutes(29));
    assert_eq!(idle.get("/api/v1/me").await.status, StatusCode::OK);
    t.clock.advance(Duration::minutes(31));
    assert_eq!(
        idle.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );

    // The periodic clean-up deletes what expired and keeps what lives.
    assert_eq!(
        t.count("SELECT COUNT(*) FROM sessions").await,
        1,
        "expired, not yet purged"
    );
    let mut busy = t.signed_in("a.user").await;
    assert_eq!(
        cs_app::auth::purge_expired_sessions(t.app()).await.unwrap(),
        1
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM sessions").await, 1);
    for _ in 0..35 {
        t.clock.advance(Duration::minutes(20));
        assert_eq!(busy.get("/api/v1/me").await.status, StatusCode::OK);
    }
    t.clock.advance(Duration::minutes(19));
    assert_eq!(
        busy.get("/api/v1/me").await.status,
        StatusCode::OK,
        "11 h 59 min"
    );
    t.clock.advance(Duration::minutes(2));
    assert_eq!(
        busy.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED,
        "12 h absolute"
    );
}

async fn bearer_tokens_work_and_bad_credentials_get_json_errors(t: &TestApp) {
    let token = t.bearer("a.admin").await;
    let me = t.api(&token).get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    let v: serde_json::Value = me.json();
    assert_eq!(v["username"], "a.admin");
    assert_eq!(v["role"], "admin");
    assert_eq!(
        t.count("SELECT COUNT(*) FROM api_tokens WHERE last_used_at IS NOT NULL")
            .await,
        1,
        "a token's last use is recorded"
    );
    // Written at most once a minute: a use 30 s later leaves it, one 61 s later moves it.
    let recorded = "SELECT COUNT(*) FROM api_tokens WHERE last_used_at = '2026-11-26T10:00:00Z' \
                    OR last_used_at = '2026-11-26 10:00:00+00'";
    let use_token = || async {
        let r = t.api(&token).get("/api/v1/me").await;
        r.assert_status(StatusCode::OK);
    };
    t.clock.advance(time::Duration::seconds(30));
    use_token().await;
    assert_eq!(
        t.count(recorded).await,
        1,
        "not rewritten within the minute"
    );
    t.clock.advance(time::Duration::seconds(31));
    use_token().await;
    assert_eq!(t.count(recorded).await, 0, "rewritten after a minute");

    let bad = t
        .token(&json!({"username": "a.admin", "password": "wrong wrong wrong"}))
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    let v: serde_json::Value = bad.json();
    assert_eq!(v["error"]["code"], "invalid_credentials");
    assert!(v["error"]["details"].is_array());

    let malformed = t
        .anonymous()
        .post_body("/api/v1/auth/token", "application/json", "{\"username\":")
        .await;
    malformed.assert_error(StatusCode::BAD_REQUEST, "invalid_json");

    let forged = t.api("not-a-token").get("/api/v1/me").await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    assert_eq!(forged.headers[header::WWW_AUTHENTICATE], "Bearer");

    t.clock.advance(Duration::hours(12));
    let expired = t.api(&token).get("/api/v1/me").await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
}

async fn me_shows_user_and_customer_and_ignores_customer_number(t: &TestApp) {
    let mut b = t.signed_in("a.user").await;
    let v: serde_json::Value = b.get("/api/v1/me?customer_number=8800002").await.json();
    for field in [
        "id",
        "username",
        "full_name",
        "email",
        "language",
        "role",
        "modules",
        "cost_centres",
        "status",
    ] {
        assert!(v.get(field).is_some(), "missing {field}");
    }
    assert_eq!(v["customer"]["customer_number"], "8800001");
    assert_eq!(v["customer"]["name"], "Alpha Printing SA");
    assert_eq!(v["modules"], json!(["transactions", "invoices"]));
    assert_eq!(v["cost_centres"], json!(["CA1"]));
    let token = t.bearer("op.one").await;
    let op: serde_json::Value = t.api(&token).get("/api/v1/me").await.json();
    assert_eq!(op["role"], "operator");
    assert!(op["customer"].is_null());
}

async fn audit_chain_verifies_and_detects_tampering(t: &TestApp) {
    let mut b = t.browser();
    b.sign_in("a.user", PASSWORD).await;
    b.sign_in("a.user", "wrong password here").await;
    t.signed_in("b.admin").await;
    let mut c = t.app().store.acquire().await.unwrap();
    let checked = cs_app::audit::verify_chain(&mut c.conn()).await.unwrap();
    assert_eq!(checked, Ok(3));
    t.exec("UPDATE audit_events SET ip = '10.9.9.9' WHERE action = 'login.failed'")
        .await;
    let tampered = cs_app::audit::verify_chain(&mut c.conn()).await.unwrap();
    assert!(tampered.is_err(), "an edited event must break the chain");
}

async fn username_is_case_insensitive(t: &TestApp) {
    let mut b = t.browser();
    assert_eq!(
        b.sign_in("A.User", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let r = b.request(Method::GET, "/api/v1/me", &[], None).await;
    let v: serde_json::Value = r.json();
    assert_eq!(v["username"], "a.user");
}

/// Behind HTTPS (PUBLIC_URL `https://…`) the cookies get `Secure` and the `__Host-` prefix,
/// and HSTS is sent. The harness serves plain HTTP on 127.0.0.1, as a TLS proxy would see it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_portal_uses_host_prefixed_secure_cookies_and_hsts() {
    let Some(t) = TestApp::spawn_with(crate::harness::Backend::Sqlite, "https_cookies", |c| {
        c.public_url = Some("https://portal.example".parse().unwrap());
    })
    .await
    else {
        return;
    };
    let mut b = t.browser();
    let login = b.get("/login").await;
    assert_eq!(
        login.headers["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    let csrf_cookie = login
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("__Host-cs_csrf="))
        .expect("__Host- CSRF cookie");
    assert!(
        csrf_cookie.contains("Secure")
            && csrf_cookie.contains("Path=/")
            && !csrf_cookie.contains("Domain=")
    );
    let r = b
        .post_form(
            "/login",
            &[
                ("username", "a.user"),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let session = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("__Host-cs_session="))
        .expect("__Host- session cookie");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(attribute), "{attribute}: {session}");
    }
    assert_eq!(b.get("/api/v1/me").await.status, StatusCode::OK);
    t.finish().await;
}

/// Values of `next` that a browser would read as another site, or that cannot stand in a
/// `Location` header (`%09` is a tab, which the browser drops: `/\t/evil` is `//evil`).
const HOSTILE_NEXT: [&str; 8] = [
    "/%09/evil.example/x",
    "/%0a/evil.example",
    "/%0d%0aSet-Cookie:%20x=1",
    "%20//evil.example",
    "//evil.example",
    "/%5Cevil.example",
    "https://evil.example",
    "/%00",
];

async fn next_never_leaves_the_site_on_any_route_that_takes_it(t: &TestApp) {
    for next in HOSTILE_NEXT {
        // Already signed in: the sign-in page sends the browser on at once.
        let mut b = t.signed_in("a.user").await;
        let r = b.get(&format!("/login?next={next}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(r.headers[header::LOCATION], "/", "{next}");
        // The sign-in form itself.
        let mut b = t.browser();
        b.get("/login").await;
        let decoded: String = url::form_urlencoded::parse(format!("n={next}").as_bytes())
            .map(|(_, v)| v.into_owned())
            .collect();
        let r = b
            .post_form(
                "/login",
                &[
                    ("username", "a.user"),
                    ("password", PASSWORD),
                    ("next", &decoded),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(r.headers[header::LOCATION], "/", "{next}");
    }
    // A path of the site is followed.
    let mut b = t.browser();
    b.get("/login").await;
    let r = b
        .post_form(
            "/login",
            &[
                ("username", "a.user"),
                ("password", PASSWORD),
                ("next", "/account?tab=tokens"),
            ],
        )
        .await;
    assert_eq!(r.headers[header::LOCATION], "/account?tab=tokens");
}

async fn a_sign_in_over_an_expired_session_cookie_keeps_the_new_session(t: &TestApp) {
    let mut b = t.signed_in("a.user").await;
    let stale = b.cookies["cs_session"].clone();
    // The session ends on the server (idle too long) while the sign-in page is open; the
    // browser still sends the old cookie with the form.
    t.clock.advance(Duration::minutes(31));
    let csrf = b.csrf().await;
    b.cookies.insert("cs_session".to_owned(), stale);
    let form = [
        ("_csrf", csrf.as_str()),
        ("username", "a.user"),
        ("password", PASSWORD),
        ("next", "/"),
    ];
    let r = b.request(Method::POST, "/login", &[], Some(&form)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let cleared = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|v| v.starts_with("cs_session="))
        .any(|v| v.contains("Max-Age=0") || v.starts_with("cs_session=;"));
    assert!(!cleared, "the new session cookie is not cleared again");
    assert_eq!(b.get("/api/v1/me").await.status, StatusCode::OK);
}
