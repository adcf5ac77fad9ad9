//! Lockout, throttling and the TOTP second factor, as an attacker and as a user meet them.

use crate::harness::{Browser, PASSWORD, TestApp, error_code};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use time::Duration;

crate::on_both!(
    second_factor_secrets_are_stored_sealed_and_clear_ones_are_sealed_at_start,
    the_service_centre_removes_a_lost_second_factor,
    ten_failures_lock_the_page_sign_in_for_15_minutes,
    ten_failures_lock_the_token_endpoint_too,
    operator_unlocks_and_nobody_else_may,
    an_address_past_its_failure_limit_is_throttled,
    totp_enrolment_then_every_sign_in_needs_a_fresh_code,
    recovery_codes_work_once,
    token_endpoint_asks_for_the_second_factor,
    second_step_allows_five_codes_within_five_minutes,
    wrong_codes_count_towards_the_lockout,
    turning_the_second_factor_off_needs_the_password,
    a_customer_can_require_the_second_factor,
);

const WRONG: &str = "this is not the password";

/// The six-digit code of `secret` (base32) at the portal's (injected) clock, shifted by
/// `steps` of 30 seconds.
pub(crate) fn code_at(t: &TestApp, secret: &str, steps: i64) -> String {
    let totp = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap();
    let now = cs_domain::Clock::now(&t.clock).unix_timestamp() + steps * 30;
    totp.generate(u64::try_from(now).unwrap()).to_string()
}

/// Turns the second factor on for `username`; returns the secret and the recovery codes.
pub(crate) async fn enrol(t: &TestApp, username: &str) -> (String, Vec<String>) {
    let mut b = t.signed_in(username).await;
    enrol_in(t, &mut b).await
}

async fn enrol_in(t: &TestApp, b: &mut Browser) -> (String, Vec<String>) {
    let r = b
        .post_form_from("/account/two-factor", "/account/two-factor/enrol", &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = b.get("/account/two-factor").await.text;
    assert!(page.contains("<svg"), "the QR code is on the page");
    let marker = "<code id=\"secret\">";
    let at = page.find(marker).expect("secret shown") + marker.len();
    let secret: String = page[at..page[at..].find('<').unwrap() + at]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(secret.len() >= 32, "160-bit secret in base32: {secret}");
    let code = code_at(t, &secret, 0);
    let r = b
        .post_form_from(
            "/account/two-factor",
            "/account/two-factor/confirm",
            &[("code", &code)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text;
    let codes: Vec<String> = html
        .split("<li><code>")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].to_owned())
        .collect();
    assert_eq!(codes.len(), 10, "ten recovery codes shown once");
    (secret, codes)
}

/// Password step of a sign-in with a second factor: must lead to the code step.
async fn password_step(t: &TestApp, username: &str) -> Browser {
    let mut b = t.browser();
    let r = b.sign_in(username, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/login/two-factor?next=%2F");
    assert!(b.cookies.contains_key("cs_pending"));
    assert!(!b.cookies.contains_key("cs_session"), "no session yet");
    b
}

async fn ten_failures_lock_the_page_sign_in_for_15_minutes(t: &TestApp) {
    let mut b = t.browser();
    for _ in 0..10 {
        assert_eq!(
            b.sign_in("a.user", WRONG).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        t.count(
            "SELECT COUNT(*) FROM users WHERE username = 'a.user' AND locked_until IS NOT NULL"
        )
        .await,
        1
    );
    // The right password is refused while locked, with a clear message and the username kept.
    let r = b.sign_in("a.user", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let html = r.text;
    assert!(html.contains("locked for 15 minutes"), "{html}");
    assert!(html.contains("value=\"a.user\""));
    assert!(!b.cookies.contains_key("cs_session"));
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'login.locked'")
            .await,
        1
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'user.locked'")
            .await,
        1
    );
    // A locked attempt is no password check: no further login.failed.
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'login.failed'")
            .await,
        10
    );
    // Other accounts are not affected.
    assert_eq!(
        t.browser().sign_in("a.admin", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    t.clock.advance(Duration::minutes(14));
    assert_eq!(
        b.sign_in("a.user", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    t.clock.advance(Duration::minutes(1));
    let r = b.sign_in("a.user", PASSWORD).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "the lock ends after 15 minutes"
    );
    assert_eq!(b.get("/api/v1/me").await.status, StatusCode::OK);
    // After a sign-in the earlier failures no longer count: one more failure does not lock.
    assert_eq!(
        t.browser().sign_in("a.user", WRONG).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        t.browser().sign_in("a.user", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

async fn ten_failures_lock_the_token_endpoint_too(t: &TestApp) {
    for _ in 0..10 {
        let (s, v) = t
            .token(&json!({"username": "b.user", "password": WRONG}))
            .await
            .status_json();
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(error_code(&v), "invalid_credentials");
    }
    let (s, v) = t
        .token(&json!({"username": "B.User", "password": PASSWORD}))
        .await
        .status_json();
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_code(&v), "account_locked");
    // The lock is per account, in the database: the page refuses too.
    assert_eq!(
        t.browser().sign_in("b.user", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'login.locked'")
            .await,
        2
    );
    t.clock.advance(Duration::minutes(15));
    let s = t
        .token(&json!({"username": "b.user", "password": PASSWORD}))
        .await
        .status;
    assert_eq!(s, StatusCode::OK);
}

async fn operator_unlocks_and_nobody_else_may(t: &TestApp) {
    for _ in 0..10 {
        t.token(&json!({"username": "a.user", "password": WRONG}))
            .await;
    }
    let s = t
        .token(&json!({"username": "a.user", "password": PASSWORD}))
        .await
        .status;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    let id = t.fx.users["a.user"];
    let path = format!("/api/v1/operator/users/{id}/unlock");
    for who in ["a.admin", "b.admin", "a.nomod"] {
        let bearer = t.bearer(who).await;
        let r = t.api(&bearer).post(&path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
    }
    assert_eq!(
        t.anonymous().post(&path).await.status,
        StatusCode::UNAUTHORIZED
    );
    let s = t
        .token(&json!({"username": "a.user", "password": PASSWORD}))
        .await
        .status;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "still locked");
    let op = t.bearer("op.one").await;
    let op = t.api(&op);
    assert_eq!(op.post(&path).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        op.post("/api/v1/operator/users/999999/unlock").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        op.post("/api/v1/operator/users/x/unlock").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'user.unlocked'")
            .await,
        1
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'user.unlocked' AND customer_id IS NOT NULL")
            .await,
        1,
        "recorded under the user's customer, for its administrators"
    );
    let s = t
        .token(&json!({"username": "a.user", "password": PASSWORD}))
        .await
        .status;
    assert_eq!(s, StatusCode::OK, "unlocked");
    // Unlocking cleared the failures: one more does not lock again.
    t.token(&json!({"username": "a.user", "password": WRONG}))
        .await;
    let s = t
        .token(&json!({"username": "a.user", "password": PASSWORD}))
        .await
        .status;
    assert_eq!(s, StatusCode::OK);

    // The page action goes back to the customer's page (or the list, for an operator).
    let mut ob = t.signed_in("op.one").await;
    let r = ob
        .post_form(&format!("/operator/users/{id}/unlock"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/operator/customers/8800001");
    let op_id = t.fx.users["op.one"];
    let r = ob
        .post_form(&format!("/operator/users/{op_id}/unlock"), &[])
        .await;
    assert_eq!(r.headers[header::LOCATION], "/operator/customers");
    let mut admin = t.signed_in("a.admin").await;
    let r = admin
        .post_form(&format!("/operator/users/{id}/unlock"), &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn an_address_past_its_failure_limit_is_throttled(t: &TestApp) {
    // Unknown usernames count for the address only: no account is locked by them.
    let limit = cs_app::lockout::ADDRESS_LIMIT;
    for i in 0..limit {
        let s = t
            .token(&json!({"username": format!("ghost{i}"), "password": WRONG}))
            .await
            .status;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        t.count("SELECT COUNT(*) FROM login_failures WHERE user_id IS NULL")
            .await,
        limit
    );
    let s = t
        .token(&json!({"username": "a.user", "password": PASSWORD}))
        .await
        .status;
    assert_eq!(s, StatusCode::OK, "the limit itself is tolerated");
    let s = t
        .token(&json!({"username": "ghost", "password": WRONG}))
        .await
        .status;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "the failure past the limit is still answered"
    );
    // Past the limit: this address is refused, even with the right password.
    let (s, v) = t
        .token(&json!({"username": "a.user", "password": PASSWORD}))
        .await
        .status_json();
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_code(&v), "too_many_attempts");
    let mut b = t.browser();
    let r = b.sign_in("a.admin", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text.contains("Please wait 15 minutes"));
    // …and so is the forgotten-password request, page and API.
    let r = t
        .post_json("/api/v1/auth/forgot", &json!({"username": "a.user"}))
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_code(&r.json()), "too_many_attempts");
    let r = b
        .post_form("/password/forgot", &[("username", "a.user")])
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Throttled attempts are not counted again: the window simply runs out.
    assert_eq!(
        t.count("SELECT COUNT(*) FROM login_failures").await,
        limit + 1
    );
    t.clock.advance(Duration::minutes(15));
    let s = t
        .token(&json!({"username": "a.user", "password": PASSWORD}))
        .await
        .status;
    assert_eq!(s, StatusCode::OK);
    let r = t
        .post_json("/api/v1/auth/forgot", &json!({"username": "a.user"}))
        .await;
    assert_ne!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn totp_enrolment_then_every_sign_in_needs_a_fresh_code(t: &TestApp) {
    let mut before = t.signed_in("a.user").await; // another session, opened without it
    let mut b = t.signed_in("a.user").await;
    // A wrong code does not turn it on.
    b.post_form_from("/account/two-factor", "/account/two-factor/enrol", &[])
        .await;
    let r = b
        .post_form_from(
            "/account/two-factor",
            "/account/two-factor/confirm",
            &[("code", "000000")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    assert!(
        html.contains("aria-invalid=\"true\""),
        "the error is beside the field"
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM users WHERE totp_enabled_at IS NOT NULL")
            .await,
        0
    );
    let (secret, codes) = enrol_in(t, &mut b).await;
    assert_eq!(
        t.count("SELECT COUNT(*) FROM users WHERE username = 'a.user' AND totp_enabled_at IS NOT NULL AND totp_last_step IS NOT NULL")
            .await,
        1
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM recovery_codes").await, 10);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM recovery_codes WHERE code_hash LIKE '%-%'")
            .await,
        0,
        "stored hashed"
    );
    assert!(!codes[0].is_empty());
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'totp.enabled'")
            .await,
        1
    );
    // The recovery codes are shown once: not on the next view.
    let again = b.get("/account/two-factor").await.text;
    assert!(!again.contains(&codes[0]));
    // The session opened without the second factor ended; this one stays.
    assert_eq!(
        before.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(b.get("/api/v1/me").await.status, StatusCode::OK);

    // Sign-in: the password leads to the code step, no session yet.
    let mut s = password_step(t, "a.user").await;
    assert_eq!(s.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    let page = s.get("/login/two-factor?next=%2F").await;
    assert_eq!(page.status, StatusCode::OK);
    // The code that confirmed the set-up is spent: never accepted twice.
    let spent = code_at(t, &secret, 0);
    let r = s
        .post_form("/login/two-factor", &[("code", &spent), ("next", "/")])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text.contains("already used"));
    t.clock.advance(Duration::seconds(30));
    let fresh = code_at(t, &secret, 0);
    let r = s
        .post_form("/login/two-factor", &[("code", &fresh), ("next", "/")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/");
    assert!(s.cookies.contains_key("cs_session"));
    assert!(
        !s.cookies.contains_key("cs_pending"),
        "the step's cookie is cleared"
    );
    assert_eq!(s.get("/api/v1/me").await.status, StatusCode::OK);
    assert_eq!(t.count("SELECT COUNT(*) FROM pending_logins").await, 0);
    // The same code on another sign-in, within its 90 seconds: refused.
    let mut replay = password_step(t, "a.user").await;
    let r = replay
        .post_form("/login/two-factor", &[("code", &fresh), ("next", "/")])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // One step of skew is accepted (a phone 30 s ahead), then the next one is needed.
    let ahead = code_at(t, &secret, 1);
    let r = replay
        .post_form("/login/two-factor", &[("code", &ahead), ("next", "/")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.count(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'login.ok' AND details LIKE '%totp%'"
        )
        .await,
        2
    );
}

async fn recovery_codes_work_once(t: &TestApp) {
    let (_, codes) = enrol(t, "b.admin").await;
    let mut s = password_step(t, "b.admin").await;
    // Typed with capitals and spaces instead of dashes: still the same code.
    let typed = codes[3].to_uppercase().replace('-', " ");
    let r = s
        .post_form("/login/two-factor", &[("code", &typed), ("next", "/")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM recovery_codes WHERE used_at IS NOT NULL")
            .await,
        1
    );
    let mut again = password_step(t, "b.admin").await;
    let r = again
        .post_form("/login/two-factor", &[("code", &codes[3]), ("next", "/")])
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "a recovery code works once"
    );
    let r = again
        .post_form("/login/two-factor", &[("code", &codes[4]), ("next", "/")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = again.get("/account/two-factor").await.text;
    assert!(page.contains("Unused recovery codes: 8"), "{page}");
}

async fn token_endpoint_asks_for_the_second_factor(t: &TestApp) {
    let (secret, codes) = enrol(t, "a.admin").await;
    let (s, v) = t
        .token(&json!({"username": "a.admin", "password": PASSWORD}))
        .await
        .status_json();
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&v), "totp_required");
    let (s, v) = t
        .token(&json!({"username": "a.admin", "password": PASSWORD, "totp": "123456"}))
        .await
        .status_json();
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&v), "invalid_totp");
    let failures = t
        .count("SELECT COUNT(*) FROM login_failures WHERE user_id = (SELECT id FROM users WHERE username = 'a.admin')")
        .await;
    assert_eq!(failures, 1, "a wrong code is a failed sign-in");
    // A wrong password with a code is still just a wrong password.
    let (s, v) = t
        .token(&json!({"username": "a.admin", "password": WRONG, "totp": "123456"}))
        .await
        .status_json();
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&v), "invalid_credentials");
    t.clock.advance(Duration::seconds(30));
    let code = code_at(t, &secret, 0);
    let (s, v) = t
        .token(&json!({"username": "a.admin", "password": PASSWORD, "totp": code}))
        .await
        .status_json();
    assert_eq!(s, StatusCode::OK, "{v}");
    let bearer = v["token"].as_str().unwrap().to_owned();
    let me = t.api(&bearer).get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    let (s, v) = t
        .token(&json!({"username": "a.admin", "password": PASSWORD, "totp": code}))
        .await
        .status_json();
    assert_eq!(s, StatusCode::UNAUTHORIZED, "replayed");
    assert_eq!(error_code(&v), "invalid_totp");
    let s = t
        .token(&json!({"username": "a.admin", "password": PASSWORD, "totp": codes[0]}))
        .await
        .status;
    assert_eq!(s, StatusCode::OK, "a recovery code works on the API too");
    let s = t
        .token(&json!({"username": "a.admin", "password": PASSWORD, "totp": codes[0]}))
        .await
        .status;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

async fn second_step_allows_five_codes_within_five_minutes(t: &TestApp) {
    enrol(t, "a.user").await;
    let mut s = password_step(t, "a.user").await;
    for _ in 0..4 {
        let r = s
            .post_form("/login/two-factor", &[("code", "000000"), ("next", "/")])
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = s
        .post_form("/login/two-factor", &[("code", "000000"), ("next", "/")])
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "the fifth wrong code ends the step"
    );
    assert_eq!(
        r.headers[header::LOCATION],
        "/login?done=two-factor-expired"
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM pending_logins").await, 0);
    let html = s.get("/login?done=two-factor-expired").await.text;
    assert!(html.contains("sign in again"));
    // A step not finished within 5 minutes expires.
    let mut late = password_step(t, "a.user").await;
    t.clock.advance(Duration::minutes(5));
    let r = late.get("/login/two-factor").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers[header::LOCATION],
        "/login?done=two-factor-expired"
    );
    // Without the step's cookie there is nothing to complete.
    let mut none = t.browser();
    let r = none
        .post_form("/login/two-factor", &[("code", "000000"), ("next", "/")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!none.cookies.contains_key("cs_session"));
}

async fn wrong_codes_count_towards_the_lockout(t: &TestApp) {
    let (secret, _) = enrol(t, "a.user").await;
    for _ in 0..2 {
        let mut s = password_step(t, "a.user").await;
        for _ in 0..5 {
            s.post_form("/login/two-factor", &[("code", "000000"), ("next", "/")])
                .await;
        }
    }
    assert_eq!(
        t.count(
            "SELECT COUNT(*) FROM users WHERE username = 'a.user' AND locked_until IS NOT NULL"
        )
        .await,
        1
    );
    let r = t.browser().sign_in("a.user", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    t.clock.advance(Duration::minutes(15));
    let mut s = password_step(t, "a.user").await;
    let r = s
        .post_form(
            "/login/two-factor",
            &[("code", &code_at(t, &secret, 0)), ("next", "/")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

async fn turning_the_second_factor_off_needs_the_password(t: &TestApp) {
    let (secret, _) = enrol(t, "a.user").await;
    t.clock.advance(Duration::seconds(30));
    let mut s = password_step(t, "a.user").await;
    s.post_form(
        "/login/two-factor",
        &[("code", &code_at(t, &secret, 0)), ("next", "/")],
    )
    .await;
    let r = s
        .post_form_from(
            "/account/two-factor",
            "/account/two-factor/disable",
            &[("password", WRONG)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    assert!(html.contains("not your current password"));
    assert!(!html.contains(WRONG), "the password is never echoed");
    let r = s
        .post_form_from(
            "/account/two-factor",
            "/account/two-factor/disable",
            &[("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM users WHERE totp_secret IS NOT NULL OR totp_enabled_at IS NOT NULL")
            .await,
        0
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM recovery_codes").await, 0);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'totp.disabled'")
            .await,
        1
    );
    let r = t.browser().sign_in("a.user", PASSWORD).await;
    assert_eq!(r.headers[header::LOCATION], "/", "no second step any more");
}

async fn a_customer_can_require_the_second_factor(t: &TestApp) {
    let mut user = t.signed_in("a.user").await; // before the requirement
    let bearer = t.bearer("a.user").await;
    let mut admin = t.signed_in("a.admin").await;
    let page = admin.get("/security").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("0 of 3 active users"));
    let mut nomod = t.signed_in("a.nomod").await;
    assert_eq!(nomod.get("/security").await.status, StatusCode::FORBIDDEN);
    let r = admin
        .post_form("/security", &[("require_totp", "on")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM customers WHERE require_totp = TRUE")
            .await,
        1
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'customer.require_totp'")
            .await,
        1
    );
    // Pages send the user to the set-up; the API refuses with a code of its own.
    let r = user.get("/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/account/two-factor");
    let r = user.get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&r.json()), "totp_enrolment_required");
    let r = t.api(&bearer).get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A fresh sign-in lands on the same gate.
    let mut fresh = t.browser();
    fresh.sign_in("a.user", PASSWORD).await;
    let r = fresh.get("/").await;
    assert_eq!(r.headers[header::LOCATION], "/account/two-factor");
    // Open before enrolment: the set-up page, the language switch, sign-out.
    let setup = fresh.get("/account/two-factor").await;
    assert_eq!(setup.status, StatusCode::OK);
    assert!(setup.text.contains("requires a second factor"));
    let r = fresh
        .post_form_from(
            "/account/two-factor",
            "/language",
            &[("language", "fr"), ("next", "/account/two-factor")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // The admin itself is held to it, and the other customer is not.
    assert_eq!(
        admin.get("/").await.headers[header::LOCATION],
        "/account/two-factor"
    );
    assert_eq!(
        t.signed_in("b.user").await.get("/").await.status,
        StatusCode::OK
    );
    assert_eq!(
        t.signed_in("op.one").await.get("/").await.status,
        StatusCode::OK
    );
    // Sign-out stays open to a gated user.
    let r = fresh
        .post_form_from("/account/two-factor", "/logout", &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        fresh.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    // Once enrolled, everything is open again.
    enrol_in(t, &mut user).await;
    assert_eq!(user.get("/").await.status, StatusCode::OK);
    assert_eq!(user.get("/api/v1/me").await.status, StatusCode::OK);
    // Operators set it for a customer they name; unticking turns it off.
    let mut op = t.signed_in("op.one").await;
    let r = op.get("/security?customer_number=8800002").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = op
        .post_form(
            "/security",
            &[("customer_number", "8800002"), ("require_totp", "on")],
        )
        .await;
    assert_eq!(
        r.headers[header::LOCATION],
        "/security?customer_number=8800002&done=saved"
    );
    assert_eq!(
        t.signed_in("b.user").await.get("/").await.headers[header::LOCATION],
        "/account/two-factor"
    );
    let r = op
        .post_form("/security", &[("customer_number", "8800002")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.signed_in("b.user").await.get("/").await.status,
        StatusCode::OK
    );
}

async fn the_service_centre_removes_a_lost_second_factor(t: &TestApp) {
    let (_secret, codes) = enrol(t, "a.user").await;
    let id = t.fx.users["a.user"];
    // The customer's admin may not; the Service Centre may, from the customer page.
    let admin = t.bearer("a.admin").await;
    let path = format!("/api/v1/operator/users/{id}/second-factor/reset");
    let r = t.api(&admin).post(&path).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut op = t.signed_in("op.one").await;
    let page = op.get("/operator/customers/8800001").await.text;
    assert!(
        page.contains(&format!("/operator/users/{id}/second-factor/reset")),
        "the button is shown"
    );
    // The operator confirms with its own password: without it, or with a wrong one,
    // nothing changes.
    for wrong in ["", WRONG] {
        let r = op
            .post_form_from(
                "/operator/customers/8800001",
                &format!("/operator/users/{id}/second-factor/reset"),
                &[("current_password", wrong)],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{wrong:?}");
    }
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'totp.reset'")
            .await,
        0
    );
    let r = op
        .post_form_from(
            "/operator/customers/8800001",
            &format!("/operator/users/{id}/second-factor/reset"),
            &[("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/operator/customers/8800001");
    // The password alone signs in again; the old recovery codes are gone.
    let s = t
        .token(&json!({"username": "a.user", "password": PASSWORD}))
        .await
        .status;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(t.count("SELECT COUNT(*) FROM recovery_codes WHERE user_id IN (SELECT id FROM users WHERE username = 'a.user')").await, 0, "{} codes voided", codes.len());
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'totp.reset'")
            .await,
        1
    );
    let op_token = t.bearer("op.one").await;
    let op = t.api(&op_token);
    let reset = |body: Value| {
        let op = op.clone();
        async move {
            op.post_json("/api/v1/operator/users/999999/second-factor/reset", &body)
                .await
        }
    };
    let r = reset(json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let v: Value = r.json();
    assert_eq!(error_code(&v), "reauthentication_required");
    let unknown = reset(json!({"current_password": PASSWORD})).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

async fn second_factor_secrets_are_stored_sealed_and_clear_ones_are_sealed_at_start(t: &TestApp) {
    let (secret, _) = enrol(t, "a.user").await;
    let mut c = t.app().store.acquire().await.unwrap();
    let stored: String = cs_store::on_conn!(&mut c.conn(), |x| sqlx::query_scalar(
        "SELECT totp_secret FROM users WHERE username = 'a.user'"
    )
    .fetch_one(x)
    .await)
    .unwrap();
    assert!(stored.starts_with("sealed:v1:"), "{stored}");
    assert!(!stored.contains(&secret));
    // A database of an earlier version holds the secret in clear: the start seals it, and
    // the second factor keeps working.
    cs_store::execute!(
        &mut c.conn(),
        sqlx::query("UPDATE users SET totp_secret = $1 WHERE username = 'a.user'").bind(&secret)
    )
    .unwrap();
    drop(c);
    assert_eq!(
        cs_app::signin::seal_stored_totp_secrets(t.app())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        cs_app::signin::seal_stored_totp_secrets(t.app())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM users WHERE totp_secret LIKE 'sealed:v1:%'")
            .await,
        1
    );
    let s = t
        .token(&json!({"username": "a.user", "password": PASSWORD, "totp": code_at(t, &secret, 1)}))
        .await
        .status;
    assert_eq!(s, StatusCode::OK);
    // A sealed secret copied to another user does not open for it.
    t.exec("UPDATE users SET totp_secret = (SELECT totp_secret FROM users WHERE username = 'a.user'), totp_enabled_at = (SELECT totp_enabled_at FROM users WHERE username = 'a.user') WHERE username = 'a.admin'").await;
    let s = t
        .token(
            &json!({"username": "a.admin", "password": PASSWORD, "totp": code_at(t, &secret, 0)}),
        )
        .await
        .status;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
}
