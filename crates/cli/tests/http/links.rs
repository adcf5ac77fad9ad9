//! One-time links: the operator bootstrap, setting a password by page and by API,
//! single use, expiry, and the password policy.

use crate::harness::{TestApp, token_of};
use cs_app::RequestMeta;
use cs_domain::UserId;
use reqwest::{StatusCode, header};
use time::Duration;

crate::on_both!(
    operator_bootstrap_link_sets_the_password_once,
    the_password_page_keeps_the_link_and_explains_errors,
    links_expire_after_72_hours,
    setting_a_password_ends_all_sessions_and_tokens,
    no_default_accounts_exist,
);

async fn new_operator_link(t: &TestApp, username: &str) -> String {
    let link = cs_app::auth::create_operator(
        t.app(),
        &RequestMeta::cli(),
        username,
        &format!("{username}@operator.example"),
        None,
    )
    .await
    .unwrap();
    assert!(
        link.starts_with(&format!("{}/password/set?token=", t.base)),
        "{link}"
    );
    token_of(&link).to_owned()
}

async fn operator_bootstrap_link_sets_the_password_once(t: &TestApp) {
    let token = new_operator_link(t, "sc.anna").await;
    let mut b = t.browser();
    assert_eq!(
        b.sign_in("sc.anna", "a password not set yet").await.status,
        StatusCode::UNAUTHORIZED
    );

    let short = t.set_password(&token, "eleven char").await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = short.json();
    assert_eq!(v["error"]["details"][0]["field"], "password");

    let long_ok = "ß".repeat(64);
    assert_eq!(
        t.set_password(&token, &long_ok).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        t.set_password(&token, &long_ok).await.status,
        StatusCode::BAD_REQUEST,
        "single use"
    );
    let r = b.sign_in("sc.anna", &long_ok).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let mut other = t.browser();
    assert_eq!(
        other.sign_in("sc.anna", &"ß".repeat(63)).await.status,
        StatusCode::UNAUTHORIZED,
        "all 64 characters count"
    );
    let me: serde_json::Value = b.get("/api/v1/me").await.json();
    assert_eq!(me["role"], "operator");
    let stored: i64 = t.count("SELECT COUNT(*) FROM users WHERE username = 'sc.anna' AND password_hash LIKE '$argon2id$v=19$m=%'").await;
    assert_eq!(stored, 1);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'password.set'")
            .await,
        1
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'operator.created'")
            .await,
        1
    );
}

async fn the_password_page_keeps_the_link_and_explains_errors(t: &TestApp) {
    let token = new_operator_link(t, "sc.bert").await;
    let mut b = t.browser();
    let page = b.get(&format!("/password/set?token={token}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.headers["referrer-policy"], "no-referrer",
        "the token must not leak via Referer"
    );
    let html = page.text;
    assert!(html.contains(&format!("name=\"token\" value=\"{token}\"")));
    let mismatch = b
        .post_form(
            "/password/set",
            &[
                ("token", &token),
                ("password", "a long enough password"),
                ("confirm", "another long password"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = mismatch.text;
    assert!(
        html.contains("role=\"alert\"") && html.contains(&token),
        "error shown, link kept"
    );
    let ok = b
        .post_form(
            "/password/set",
            &[
                ("token", &token),
                ("password", "a long enough password"),
                ("confirm", "a long enough password"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.headers[header::LOCATION], "/login?done=password");
    let used = b.get(&format!("/password/set?token={token}")).await;
    assert_eq!(used.status, StatusCode::BAD_REQUEST);
    assert!(
        !used.text.contains("name=\"password\""),
        "no form behind a used link"
    );
}

async fn links_expire_after_72_hours(t: &TestApp) {
    let early = new_operator_link(t, "sc.carl").await;
    let late = new_operator_link(t, "sc.dora").await;
    t.clock.advance(Duration::hours(71));
    assert_eq!(
        t.set_password(&early, "still within the window")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    t.clock.advance(Duration::hours(1));
    let r = t.set_password(&late, "just past the window").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let v: serde_json::Value = r.json();
    assert_eq!(v["error"]["code"], "invalid_link");
}

async fn setting_a_password_ends_all_sessions_and_tokens(t: &TestApp) {
    let mut one = t.signed_in("a.admin").await;
    let mut two = t.signed_in("a.admin").await;
    let token = t.bearer("a.admin").await;
    let mut tx = t.app().store.begin().await.unwrap();
    let link = cs_app::auth::new_link(
        t.app(),
        &mut tx.conn(),
        UserId::new(t.fx.users["a.admin"]),
        "reset",
        cs_app::auth::RESET_LIFETIME,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let reset = token_of(&link);
    assert_eq!(
        t.set_password(reset, "a brand new passphrase").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(one.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(two.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    let r = t.api(&token).get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

async fn no_default_accounts_exist(t: &TestApp) {
    for (u, p) in [
        ("admin", "admin"),
        ("root", "root"),
        ("operator", "operator"),
        ("admin", "admin-admin-admin"),
    ] {
        let mut b = t.browser();
        assert_eq!(
            b.sign_in(u, p).await.status,
            StatusCode::UNAUTHORIZED,
            "{u}/{p}"
        );
    }
}
