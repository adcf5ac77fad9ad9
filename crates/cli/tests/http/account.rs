//! The account page, password change and the forgotten-password paths.

use crate::harness::{Browser, PASSWORD, Reply, TestApp, token_of};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use time::Duration;

crate::on_both!(
    account_page_shows_who_you_are_and_where_to_go,
    changing_the_password_needs_the_current_one,
    the_password_policy_holds_on_change,
    a_page_change_ends_other_sessions_and_every_token,
    an_api_change_keeps_only_the_callers_token,
    wrong_current_passwords_are_throttled,
    sign_out_everywhere_else_keeps_this_session_and_personal_tokens,
    personal_tokens_are_shown_once_work_and_can_be_revoked,
    personal_tokens_expire,
    another_users_token_id_is_404,
    the_token_form_checks_name_and_lifetime,
    forgot_answers_alike_and_mails_only_usable_accounts,
    the_forgot_page_answers_alike,
    a_reset_link_works_once_and_ends_every_session,
    a_reset_link_expires_after_an_hour,
    at_most_three_reset_mails_per_hour,
);

async fn me_with(t: &TestApp, token: &str) -> StatusCode {
    t.api(token).get("/api/v1/me").await.status
}

async fn change_api(t: &TestApp, token: &str, current: &str, new: &str) -> Reply {
    t.api(token)
        .post_json(
            "/api/v1/me/password",
            &json!({"current_password": current, "new_password": new}),
        )
        .await
}

async fn forgot(t: &TestApp, username: &str) -> (StatusCode, String) {
    let r = t
        .post_json("/api/v1/auth/forgot", &json!({ "username": username }))
        .await;
    (r.status, r.text)
}

/// Creates a personal token on the account page; returns the page's HTML and the token.
async fn create_token(b: &mut Browser, name: &str, days: &str) -> (String, String) {
    let r = b
        .post_form(
            "/account/tokens",
            &[("name", name), ("expires_in_days", days)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "token creation");
    let html = r.text;
    let marker = "id=\"token-value\" type=\"text\" readonly value=\"";
    let at = html.find(marker).expect("token shown") + marker.len();
    let end = html[at..].find('"').unwrap();
    let token = html[at..at + end].to_owned();
    (html, token)
}

/// The revoke path of the first token listed on the account page.
fn revoke_path(html: &str) -> String {
    let at = html
        .find("action=\"/account/tokens/")
        .expect("a revoke form")
        + "action=\"".len();
    let end = html[at..].find('"').unwrap();
    html[at..at + end].to_owned()
}

async fn account_page_shows_who_you_are_and_where_to_go(t: &TestApp) {
    let mut b = t.signed_in("a.user").await;
    let r = b.get("/account").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text;
    for expected in [
        "Name of a.user",
        "a.user@example.com",
        "Alpha Printing SA (8800001)",
        ">User<",
        "<dd>English</dd>",
        "href=\"/account/two-factor\"",
        "Second factor",
        "name=\"current_password\"",
        "action=\"/account/sessions/end-others\"",
        "action=\"/account/tokens\"",
    ] {
        assert!(html.contains(expected), "missing {expected}");
    }
    assert!(
        !html.contains("maxlength=\"128\""),
        "a longer password is refused by the server, never silently cut by the browser"
    );
    let mut op = t.signed_in("op.one").await;
    let html = op.get("/account").await.text;
    assert!(html.contains("Service Centre") && !html.contains("8800001"));

    let mut anon = t.browser();
    let r = anon.get("/account").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "sign-in first");
    let login = anon.get("/login").await.text;
    assert!(
        login.contains("href=\"/password/forgot\""),
        "sign-in page links to forgot"
    );
    let r = anon.get("/password/forgot").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("name=\"username\""));

    // In the user's language.
    t.exec("UPDATE users SET language = 'nl' WHERE username = 'a.user'")
        .await;
    let html = b.get("/account").await.text;
    assert!(html.contains("<html lang=\"nl\">") && html.contains("Mijn account"));
}

async fn changing_the_password_needs_the_current_one(t: &TestApp) {
    let mut b = t.signed_in("a.user").await;
    let r = b
        .post_form(
            "/account/password",
            &[
                ("current_password", "not my password at all"),
                ("new_password", "a fresh long passphrase"),
                ("confirm", "a fresh long passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    assert!(html.contains("aria-describedby=\"current_password-error\""));
    assert!(html.contains("This is not your current password."));
    assert!(
        !html.contains("not my password at all") && !html.contains("a fresh long passphrase"),
        "passwords are never sent back"
    );

    // Policy and confirmation errors beside their fields, all at once, translated.
    let r = b
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "short"),
                ("confirm", "other"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    assert!(html.contains("aria-describedby=\"new_password-error\""));
    assert!(html.contains("The password is too short: use at least 12 characters."));
    assert!(html.contains("aria-describedby=\"confirm-error\""));
    assert!(!html.contains("current_password-error"));

    let token = t.bearer("a.user").await;
    let r = change_api(
        t,
        &token,
        "still not my password",
        "a fresh long passphrase",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json();
    assert_eq!(v["error"]["details"][0]["field"], "current_password");
    assert_eq!(v["error"]["details"][0]["code"], "current_password_wrong");
    let r = change_api(t, &token, PASSWORD, PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "must change");

    // Nothing changed: the old password still opens a session, the token still works.
    t.signed_in("a.user").await;
    assert_eq!(me_with(t, &token).await, StatusCode::OK);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'password.change_failed'")
            .await,
        2
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'password.changed'")
            .await,
        0
    );
}

async fn the_password_policy_holds_on_change(t: &TestApp) {
    let token = t.bearer("a.admin").await;
    let mut current = PASSWORD.to_owned();
    let refused = [
        ("eleven char".to_owned(), "password_too_short"),
        ("x".repeat(129), "password_too_long"),
        ("é".repeat(129), "password_too_long"),
        ("password123456".to_owned(), "password_common"),
        ("PASSWORD123456".to_owned(), "password_common"),
    ];
    for (new, code) in refused {
        let r = change_api(t, &token, &current, &new).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{new}");
        let v: Value = r.json();
        assert_eq!(v["error"]["details"][0]["field"], "new_password");
        assert_eq!(v["error"]["details"][0]["code"], code, "{new}");
    }
    let sixty_four = "long-pass".repeat(7) + "x";
    assert_eq!(sixty_four.chars().count(), 64);
    let accepted = [
        "twelve chars".to_owned(),
        sixty_four.clone(),
        "y".repeat(128),
        "é".repeat(128),
        "Wachtwoord 🔐 zeer geheim — ñ".to_owned(),
    ];
    for new in accepted {
        let r = change_api(t, &token, &current, &new).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{new}");
        let mut b = t.browser();
        assert_eq!(
            b.sign_in("a.admin", &new).await.status,
            StatusCode::SEE_OTHER
        );
        current = new;
    }
    // Every character counts: the 64-character one needs all 64.
    change_api(t, &token, &current, &sixty_four).await;
    let mut b = t.browser();
    assert_eq!(
        b.sign_in("a.admin", &sixty_four[..63]).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        b.sign_in("a.admin", &sixty_four).await.status,
        StatusCode::SEE_OTHER
    );
    let hashes = t
        .count("SELECT COUNT(*) FROM users WHERE username = 'a.admin' AND password_hash LIKE '$argon2id$%'")
        .await;
    assert_eq!(hashes, 1);
}

async fn a_page_change_ends_other_sessions_and_every_token(t: &TestApp) {
    let mut here = t.signed_in("a.user").await;
    let mut there = t.signed_in("a.user").await;
    let mut other_user = t.signed_in("a.admin").await;
    let login_token = t.bearer("a.user").await;
    let (_, personal) = create_token(&mut here, "nightly export", "90").await;
    let html = here.get("/account").await.text;
    assert!(html.contains("Other active sessions (other browsers or devices): 1"));

    let r = here
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a fresh long passphrase"),
                ("confirm", "a fresh long passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/account?done=password");
    let html = here.get("/account?done=password").await.text;
    assert!(html.contains("Your password is changed."));
    assert!(html.contains("You are not signed in anywhere else."));

    assert_eq!(here.get("/api/v1/me").await.status, StatusCode::OK);
    assert_eq!(
        there.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(me_with(t, &login_token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_with(t, &personal).await, StatusCode::UNAUTHORIZED);
    assert_eq!(other_user.get("/api/v1/me").await.status, StatusCode::OK);

    let mut b = t.browser();
    assert_eq!(
        b.sign_in("a.user", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        b.sign_in("a.user", "a fresh long passphrase").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'password.changed' AND actor = 'a.user'")
            .await,
        1
    );
    // The user is told, in case it was not them.
    let mail = t.mail().await;
    let notice = mail
        .iter()
        .find(|(_, m)| m.contains("<a.user@example.com>"))
        .expect("a notice");
    let text = &notice.1;
    assert!(text.contains("has just been changed"), "{text}");
    assert!(
        !text.contains("a fresh long passphrase"),
        "never the password itself"
    );
}

async fn an_api_change_keeps_only_the_callers_token(t: &TestApp) {
    let mut session = t.signed_in("b.user").await;
    let mine = t.bearer("b.user").await;
    let other = t.bearer("b.user").await;
    let r = change_api(t, &mine, PASSWORD, "another strong passphrase").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(me_with(t, &mine).await, StatusCode::OK);
    assert_eq!(me_with(t, &other).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        session.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );

    // A browser script may use the API with its session and form token.
    let mut b = t.browser();
    let r = b.sign_in("b.user", "another strong passphrase").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let csrf = b.csrf().await;
    let r = b
        .request(
            reqwest::Method::POST,
            "/api/v1/me/password",
            &[
                ("x-csrf-token", &csrf),
                ("content-type", "application/json"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "no body: invalid_json");
    assert_eq!(me_with(t, &mine).await, StatusCode::OK);
}

async fn wrong_current_passwords_are_throttled(t: &TestApp) {
    let token = t.bearer("a.nomod").await;
    for i in 0..5 {
        let r = change_api(
            t,
            &token,
            &format!("wrong guess number {i}"),
            "a fresh long passphrase",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = change_api(t, &token, PASSWORD, "a fresh long passphrase").await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right one now"
    );
    let v: Value = r.json();
    assert_eq!(v["error"]["code"], "password_change_throttled");
    t.clock.advance(Duration::minutes(16));
    let r = change_api(t, &token, PASSWORD, "a fresh long passphrase").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
}

async fn sign_out_everywhere_else_keeps_this_session_and_personal_tokens(t: &TestApp) {
    let mut here = t.signed_in("a.admin").await;
    let mut there = t.signed_in("a.admin").await;
    let mut elsewhere = t.signed_in("a.admin").await;
    let login_token = t.bearer("a.admin").await;
    let (_, personal) = create_token(&mut here, "reporting script", "30").await;
    let mut other_user = t.signed_in("a.user").await;

    let r = here.post_form("/account/sessions/end-others", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/account?done=sessions");
    assert_eq!(here.get("/api/v1/me").await.status, StatusCode::OK);
    assert_eq!(
        there.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        elsewhere.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(me_with(t, &login_token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        me_with(t, &personal).await,
        StatusCode::OK,
        "revoked one by one"
    );
    assert_eq!(other_user.get("/api/v1/me").await.status, StatusCode::OK);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'sessions.ended' AND actor = 'a.admin'")
            .await,
        1
    );
    // Without the form token it is refused.
    let r = here
        .request(
            reqwest::Method::POST,
            "/account/sessions/end-others",
            &[],
            Some(&[]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn personal_tokens_are_shown_once_work_and_can_be_revoked(t: &TestApp) {
    let mut b = t.signed_in("a.user").await;
    let (html, token) = create_token(&mut b, "Invoices <sync>", "365").await;
    assert!(token.len() >= 43, "256 bits: {token}");
    assert!(
        html.contains("Invoices &#60;sync&#62;") || html.contains("Invoices &lt;sync&gt;"),
        "escaped name"
    );
    assert!(!html.contains("<sync>"));
    assert_eq!(
        t.count("SELECT COUNT(*) FROM api_tokens WHERE kind = 'personal' AND name = 'Invoices <sync>' AND LENGTH(token_hash) = 64")
            .await,
        1,
        "stored as SHA-256, kind personal"
    );
    let by_hash = format!(
        "SELECT COUNT(*) FROM api_tokens WHERE token_hash = '{}'",
        cs_app::secrets::token_hash(&token)
    );
    assert_eq!(t.count(by_hash).await, 1);
    let clear = format!("SELECT COUNT(*) FROM api_tokens WHERE token_hash = '{token}'");
    assert_eq!(t.count(clear).await, 0, "never stored in clear");

    // Listed by name, never shown again.
    let page = b.get("/account").await.text;
    assert!(page.contains("Invoices &#60;sync&#62;") || page.contains("Invoices &lt;sync&gt;"));
    assert!(!page.contains(&token), "the secret is shown once only");

    // It works as a bearer token, with the user's rights.
    let r = t.api(&token).get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::OK);
    let me: Value = r.json();
    assert_eq!(me["username"], "a.user");
    assert_eq!(me["customer"]["customer_number"], "8800001");

    let path = revoke_path(&page);
    let r = b.post_form(&path, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/account?done=revoked");
    assert_eq!(me_with(t, &token).await, StatusCode::UNAUTHORIZED);
    let page = b.get("/account?done=revoked").await.text;
    assert!(page.contains("The token has been revoked"));
    assert!(page.contains("You have no personal tokens."));
    assert_eq!(
        b.post_form(&path, &[]).await.status,
        StatusCode::NOT_FOUND,
        "only once"
    );
    assert_eq!(
        t.count(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'token.created' AND actor = 'a.user'"
        )
        .await,
        1
    );
    assert_eq!(
        t.count(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'token.revoked' AND actor = 'a.user'"
        )
        .await,
        1
    );
}

async fn personal_tokens_expire(t: &TestApp) {
    let mut b = t.signed_in("a.user").await;
    let (_, short) = create_token(&mut b, "thirty days", "30").await;
    let (_, long) = create_token(&mut b, "ninety days", "90").await;
    t.clock.advance(Duration::days(30) - Duration::minutes(1));
    assert_eq!(me_with(t, &short).await, StatusCode::OK);
    t.clock.advance(Duration::minutes(2));
    assert_eq!(me_with(t, &short).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_with(t, &long).await, StatusCode::OK);
    let mut b = t.signed_in("a.user").await;
    let page = b.get("/account").await.text;
    assert!(!page.contains("thirty days") && page.contains("ninety days"));
}

async fn another_users_token_id_is_404(t: &TestApp) {
    let mut owner = t.signed_in("b.user").await;
    let (_, token) = create_token(&mut owner, "beta script", "90").await;
    let page = owner.get("/account").await.text;
    let path = revoke_path(&page);
    for who in ["a.user", "a.admin", "op.one", "b.admin"] {
        let mut other = t.signed_in(who).await;
        let r = other.post_form(&path, &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}");
    }
    let mut a = t.signed_in("a.user").await;
    for bad in [
        "/account/tokens/abc/revoke",
        "/account/tokens/99999/revoke",
        "/account/tokens/-1/revoke",
    ] {
        assert_eq!(
            a.post_form(bad, &[]).await.status,
            StatusCode::NOT_FOUND,
            "{bad}"
        );
    }
    assert_eq!(me_with(t, &token).await, StatusCode::OK, "still works");
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'token.revoked'")
            .await,
        0
    );
}

async fn the_token_form_checks_name_and_lifetime(t: &TestApp) {
    let mut b = t.signed_in("a.user").await;
    let long = "n".repeat(61);
    for (name, days, field) in [
        ("   ", "30", "token-name-error"),
        (long.as_str(), "30", "token-name-error"),
        ("a good name", "400", "token-days-error"),
        ("a good name", "", "token-days-error"),
    ] {
        let r = b
            .post_form(
                "/account/tokens",
                &[("name", name), ("expires_in_days", days)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name} {days}");
        let html = r.text;
        assert!(
            html.contains(&format!("aria-describedby=\"{field}\"")),
            "{field}"
        );
        if name == "a good name" {
            assert!(
                html.contains("value=\"a good name\""),
                "what was typed is kept"
            );
        }
    }
    assert_eq!(t.count("SELECT COUNT(*) FROM api_tokens").await, 0);
    create_token(&mut b, &"n".repeat(60), "365").await;
    assert_eq!(t.count("SELECT COUNT(*) FROM api_tokens").await, 1);
    // At most 20 live personal tokens at once.
    for i in 2..=20 {
        create_token(&mut b, &format!("script {i}"), "30").await;
    }
    let r = b
        .post_form(
            "/account/tokens",
            &[("name", "one too many"), ("expires_in_days", "30")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let html = r.text;
    assert!(html.contains("You already have 20 personal tokens."));
    assert!(html.contains("value=\"one too many\""));
    assert_eq!(t.count("SELECT COUNT(*) FROM api_tokens").await, 20);
}

async fn forgot_answers_alike_and_mails_only_usable_accounts(t: &TestApp) {
    let (s_known, body_known) = forgot(t, "a.user").await;
    let (s_unknown, body_unknown) = forgot(t, "nobody.at.all").await;
    assert_eq!(s_known, StatusCode::ACCEPTED);
    assert_eq!((s_known, &body_known), (s_unknown, &body_unknown));
    // Disabled, invited and suspended accounts.
    let (s, body) = forgot(t, "a.disabled").await;
    assert_eq!((s, &body), (s_known, &body_known));
    let (s, body) = forgot(t, " A.Invited ").await;
    assert_eq!((s, &body), (s_known, &body_known));
    t.exec("UPDATE customers SET status = 'suspended' WHERE customer_number = '8800002'")
        .await;
    let (s, body) = forgot(t, "b.user").await;
    assert_eq!((s, &body), (s_known, &body_known));

    assert_eq!(t.mails_to("a.user@example.com").await.len(), 1);
    assert_eq!(
        t.mails_to("a.invited@example.com").await.len(),
        1,
        "invited may set one"
    );
    assert_eq!(t.mails_to("a.disabled@example.com").await.len(), 0);
    assert_eq!(t.mails_to("b.user@example.com").await.len(), 0);
    assert_eq!(t.mail().await.len(), 2, "no other message at all");

    let link = t.link_sent_to("a.user@example.com").await;
    assert!(link.starts_with(&t.base));
    assert_eq!(
        t.count("SELECT COUNT(*) FROM one_time_tokens WHERE purpose = 'reset'")
            .await,
        2
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'password.reset_requested' AND details LIKE '%self_service%'")
            .await,
        5,
        "every request is audited, sent or not"
    );
    // Asking does not sign anyone out: only using the link does.
    let mut b = t.signed_in("a.user").await;
    forgot(t, "a.user").await;
    assert_eq!(b.get("/api/v1/me").await.status, StatusCode::OK);
    // Malformed input is a 400, not an oracle.
    let r = t
        .post_json("/api/v1/auth/forgot", &json!({ "user": "a.user" }))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

async fn the_forgot_page_answers_alike(t: &TestApp) {
    let mut anon = t.browser();
    anon.get("/password/forgot").await;
    let known = anon
        .post_form("/password/forgot", &[("username", "a.admin")])
        .await;
    let unknown = anon
        .post_form("/password/forgot", &[("username", "no.such.user")])
        .await;
    assert_eq!(known.status, StatusCode::SEE_OTHER);
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.headers[header::LOCATION], "/password/forgot?sent=1");
    assert_eq!(
        known.headers[header::LOCATION],
        unknown.headers[header::LOCATION]
    );
    let (k, u) = (known.text, unknown.text);
    assert_eq!(k, u);
    let done = anon.get("/password/forgot?sent=1").await.text;
    assert!(done.contains("If this username belongs to an account"));
    assert_eq!(t.mails_to("a.admin@example.com").await.len(), 1);

    let empty = anon
        .post_form("/password/forgot", &[("username", "  ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text.contains("aria-describedby=\"username-error\""));
    // The anonymous form needs its token like every form.
    let mut fresh = t.browser();
    let r = fresh
        .request(
            reqwest::Method::POST,
            "/password/forgot",
            &[],
            Some(&[("username", "a.admin")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(t.mails_to("a.admin@example.com").await.len(), 1);
}

async fn a_reset_link_works_once_and_ends_every_session(t: &TestApp) {
    let mut one = t.signed_in("a.user").await;
    let mut two = t.signed_in("a.user").await;
    let token = t.bearer("a.user").await;
    forgot(t, "a.user").await;
    let link = t.link_sent_to("a.user@example.com").await;
    assert_eq!(
        t.set_password(token_of(&link), "my brand new passphrase")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let again = t
        .set_password(token_of(&link), "yet another passphrase")
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    let v: Value = again.json();
    assert_eq!(v["error"]["code"], "invalid_link");
    assert_eq!(one.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(two.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me_with(t, &token).await, StatusCode::UNAUTHORIZED);
    let mut b = t.browser();
    assert_eq!(
        b.sign_in("a.user", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        b.sign_in("a.user", "my brand new passphrase").await.status,
        StatusCode::SEE_OTHER
    );
    // An older link dies when a newer one is sent.
    forgot(t, "a.user").await;
    let first = t.link_sent_to("a.user@example.com").await;
    forgot(t, "a.user").await;
    let second = t.link_sent_to("a.user@example.com").await;
    assert_ne!(first, second);
    assert_eq!(
        t.set_password(token_of(&first), "passphrase number three")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        t.set_password(token_of(&second), "passphrase number three")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
}

async fn a_reset_link_expires_after_an_hour(t: &TestApp) {
    forgot(t, "a.admin").await;
    let early = t.link_sent_to("a.admin@example.com").await;
    forgot(t, "b.admin").await;
    let late = t.link_sent_to("b.admin@example.com").await;
    t.clock.advance(Duration::minutes(59));
    assert_eq!(
        t.set_password(token_of(&early), "within the hour still")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    t.clock.advance(Duration::minutes(2));
    let r = t.set_password(token_of(&late), "just past the hour").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let v: Value = r.json();
    assert_eq!(v["error"]["code"], "invalid_link");
    let mut b = t.browser();
    assert_eq!(
        b.sign_in("b.admin", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

async fn at_most_three_reset_mails_per_hour(t: &TestApp) {
    for _ in 0..5 {
        let (s, _) = forgot(t, "a.user").await;
        assert_eq!(s, StatusCode::ACCEPTED);
    }
    assert_eq!(t.mails_to("a.user@example.com").await.len(), 3);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'password.reset_requested' AND details LIKE '%rate_limited%'")
            .await,
        2
    );
    // Another account has its own budget.
    forgot(t, "a.admin").await;
    assert_eq!(t.mails_to("a.admin@example.com").await.len(), 1);
    t.clock.advance(Duration::minutes(61));
    forgot(t, "a.user").await;
    assert_eq!(t.mails_to("a.user@example.com").await.len(), 4);
}
