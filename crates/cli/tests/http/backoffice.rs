//! The operator's back office: customers, suspension, the Service Centre's reset, audit search.

use crate::harness::{PASSWORD, TestApp, item_strings, send};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};
use time::{Duration, macros::datetime};

crate::on_both!(
    operators_search_customers_by_number_name_and_vat_with_paging,
    customer_page_shows_contract_cost_centres_and_users,
    suspension_signs_users_out_until_reactivated,
    service_centre_reset_mails_that_user_only_and_ends_its_sessions,
    audit_search_filters_by_action_customer_actor_dates_and_pages,
    customer_admins_see_only_their_own_customers_events,
    non_operators_are_refused_on_every_operator_route,
    unreadable_query_or_body_is_a_bad_request,
);

fn field_of_first_error(v: &Value) -> &str {
    v["error"]["details"][0]["field"].as_str().unwrap_or("")
}

async fn operators_search_customers_by_number_name_and_vat_with_paging(t: &TestApp) {
    t.exec("UPDATE customers SET vat_number = 'BE0403170701' WHERE customer_number = '8800002'")
        .await;
    t.exec(
        "INSERT INTO customers (customer_number, name, vat_number, language, created_at) \
         VALUES ('42', 'Gamma 100% Pure', 'NL123456789B01', 'nl', '2026-11-26T10:00:00Z')",
    )
    .await;
    let op = t.api_as("op.one").await;

    // Customer numbers in numeric order, paged by keyset.
    let (s, first) = op
        .get("/api/v1/operator/customers?limit=2")
        .await
        .status_json();
    assert_eq!(s, StatusCode::OK);
    assert_eq!(item_strings(&first, "customer_number"), ["42", "8800001"]);
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let (_, second) = op
        .get(&format!(
            "/api/v1/operator/customers?limit=2&cursor={cursor}"
        ))
        .await
        .status_json();
    assert_eq!(item_strings(&second, "customer_number"), ["8800002"]);
    assert!(second["next_cursor"].is_null());
    let a = &first["items"][1];
    assert_eq!(a["name"], "Alpha Printing SA");
    assert_eq!(a["vat_number"], "BE0428759497");
    assert_eq!(a["language"], "en");
    assert_eq!(a["status"], "active");
    assert_eq!(a["users"], 5, "every user of A, whatever its status");
    assert_eq!(second["items"][0]["users"], 2);

    for (search, expected) in [
        ("8800", vec!["8800001", "8800002"]),
        ("88000", vec!["8800001", "8800002"]),
        ("8800002", vec!["8800002"]),
        ("alpha", vec!["8800001"]),
        ("LOGISTICS", vec!["8800002"]),
        ("BE 0403.170.701", vec!["8800002"]),
        ("0428759497", vec!["8800001"]),
        ("%", vec!["42"]),
        ("nobody", vec![]),
    ] {
        let q: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("search", search)
            .finish();
        let (s, v) = op
            .get(&format!("/api/v1/operator/customers?{q}"))
            .await
            .status_json();
        assert_eq!(s, StatusCode::OK, "{search}");
        assert_eq!(
            item_strings(&v, "customer_number"),
            expected,
            "search {search:?}"
        );
    }

    t.exec("UPDATE customers SET status = 'suspended' WHERE customer_number = '8800002'")
        .await;
    let (_, v) = op
        .get("/api/v1/operator/customers?status=suspended")
        .await
        .status_json();
    assert_eq!(item_strings(&v, "customer_number"), ["8800002"]);
    let (_, v) = op
        .get("/api/v1/operator/customers?status=active&search=88")
        .await
        .status_json();
    assert_eq!(item_strings(&v, "customer_number"), ["8800001"]);
    let (s, v) = op
        .get("/api/v1/operator/customers?status=closed")
        .await
        .status_json();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of_first_error(&v), "status");
    let (s, v) = op
        .get("/api/v1/operator/customers?limit=0")
        .await
        .status_json();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of_first_error(&v), "limit");
    let (s, v) = op
        .get("/api/v1/operator/customers?cursor=x'--")
        .await
        .status_json();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of_first_error(&v), "cursor");

    // The page: the search is kept, only matching customers are listed, each links to its page.
    let mut b = t.signed_in("op.one").await;
    let r = b.get("/operator/customers?search=alpha").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text;
    assert!(html.contains("Alpha Printing SA"), "{html}");
    assert!(!html.contains("Beta Logistics"));
    assert!(html.contains("value=\"alpha\""));
    assert!(html.contains("href=\"/operator/customers/8800001\""));
    let r = b.get("/operator/customers?status=closed").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    assert!(html.contains("aria-describedby=\"status-error\""), "{html}");
}

async fn customer_page_shows_contract_cost_centres_and_users(t: &TestApp) {
    t.exec(
        "UPDATE customers SET collection_days = 'mon,thu', options = 'early_collect' \
         WHERE customer_number = '8800001'",
    )
    .await;
    t.exec("INSERT INTO collection_points (customer_id, code, name, street, postcode, city) \
            SELECT id, 'CP1', 'Main site', 'Rue 1', '1000', 'Bruxelles' FROM customers WHERE customer_number = '8800001'")
        .await;
    // a.user signs in at 10:00 UTC (11:00 in Brussels), then is locked for ten minutes.
    t.signed_in("a.user").await;
    t.exec("UPDATE users SET locked_until = '2026-11-26T10:10:00Z' WHERE username = 'a.user'")
        .await;
    t.exec("UPDATE users SET locked_until = '2026-11-26T09:00:00Z' WHERE username = 'a.admin'")
        .await;
    let op = t.api_as("op.one").await;
    let (s, v) = op
        .get("/api/v1/operator/customers/8800001")
        .await
        .status_json();
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["customer_number"], "8800001");
    assert_eq!(v["name"], "Alpha Printing SA");
    assert_eq!(v["city"], "Bruxelles");
    assert_eq!(v["status"], "active");
    assert_eq!(v["contract"]["collection_days"], json!(["mon", "thu"]));
    assert_eq!(v["contract"]["options"], json!(["early_collect"]));
    assert_eq!(v["contract"]["receipt_retention_days"], 365);
    assert_eq!(v["contract"]["receipt_retention_default"], true);
    let codes: Vec<&str> = v["cost_centres"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["CA1", "CA2"]);
    assert_eq!(v["collection_points"][0]["code"], "CP1");
    let users = v["users"].as_array().unwrap();
    let names: Vec<&str> = users
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["a.admin", "a.user", "a.nomod", "a.invited", "a.disabled"]
    );
    let a_user = &users[1];
    assert_eq!(a_user["cost_centres"], json!(["CA1"]));
    assert_eq!(a_user["role"], "user");
    assert_eq!(a_user["last_login_at"], "2026-11-26T10:00:00Z");
    assert_eq!(a_user["locked_until"], "2026-11-26T10:10:00Z");
    assert!(users[0]["locked_until"].is_null(), "a past lock is no lock");
    assert!(users[0]["modules"].as_array().unwrap().len() >= 5);

    let mut b = t.signed_in("op.one").await;
    let r = b.get("/operator/customers/8800001").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text;
    for expected in [
        "Alpha Printing SA",
        "BE0428759497",
        "Monday, Thursday",
        "early_collect",
        "365 days (default)",
        "Finance",
        "Main site",
        "a.user",
        "a.disabled",
        "26/11/2026 11:00:00",
        "26/11/2026 11:10:00",
        "href=\"/users?customer_number=8800001\"",
        &format!("action=\"/operator/users/{}/unlock\"", t.fx.users["a.user"]),
        &format!(
            "action=\"/operator/customers/8800001/users/{}/password-reset\"",
            t.fx.users["a.nomod"]
        ),
        "action=\"/operator/customers/8800001/suspend\"",
    ] {
        assert!(html.contains(expected), "page lacks {expected:?}");
    }
    assert!(
        !html.contains("b.user"),
        "another customer's user is listed"
    );
    assert!(
        !html.contains(&format!("/operator/users/{}/unlock", t.fx.users["a.admin"])),
        "unlock is offered only while locked"
    );
    assert!(
        !html.contains(&format!(
            "users/{}/password-reset",
            t.fx.users["a.disabled"]
        )),
        "no reset for a disabled user"
    );

    t.exec("UPDATE customers SET receipt_retention_days = 400 WHERE customer_number = '8800001'")
        .await;
    let (_, v) = op
        .get("/api/v1/operator/customers/8800001")
        .await
        .status_json();
    assert_eq!(v["contract"]["receipt_retention_days"], 400);
    assert_eq!(v["contract"]["receipt_retention_default"], false);
    let html = b.get("/operator/customers/8800001").await.text;
    assert!(html.contains("400 days") && !html.contains("(default)"));

    for number in ["8899999", "abc", "88000011111"] {
        let (s, v) = op
            .get(&format!("/api/v1/operator/customers/{number}"))
            .await
            .status_json();
        assert_eq!(s, StatusCode::NOT_FOUND, "{number}");
        assert_eq!(v["error"]["code"], "not_found");
        let r = b.get(&format!("/operator/customers/{number}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{number}");
    }
}

async fn suspension_signs_users_out_until_reactivated(t: &TestApp) {
    let mut b_user = t.signed_in("b.user").await;
    let b_api = t.api_as("b.admin").await;
    let mut a_user = t.signed_in("a.user").await;
    assert_eq!(b_user.get("/api/v1/me").await.status, StatusCode::OK);

    let mut op = t.signed_in("op.one").await;
    let r = op
        .post_form(
            "/operator/customers/8800002/suspend",
            &[("reason", "unpaid invoices"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers[header::LOCATION],
        "/operator/customers/8800002?done=suspended"
    );
    let html = op
        .get("/operator/customers/8800002?done=suspended")
        .await
        .text;
    assert!(html.contains("The customer is suspended"));
    assert!(html.contains("action=\"/operator/customers/8800002/reactivate\""));

    assert_eq!(
        b_user.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    let s = b_api.get("/api/v1/me").await.status;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(
        t.count(
            "SELECT COUNT(*) FROM sessions WHERE user_id IN \
             (SELECT u.id FROM users u JOIN customers c ON c.id = u.customer_id WHERE c.customer_number = '8800002')"
        )
        .await,
        0,
        "the sessions are gone, not just refused"
    );
    assert_eq!(
        t.count(
            "SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL AND user_id IN \
             (SELECT u.id FROM users u JOIN customers c ON c.id = u.customer_id WHERE c.customer_number = '8800002')"
        )
        .await,
        0
    );
    assert_eq!(a_user.get("/api/v1/me").await.status, StatusCode::OK);

    let mut fresh = t.browser();
    let r = fresh.sign_in("b.user", PASSWORD).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .token(&json!({"username": "b.admin", "password": PASSWORD}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let v: Value = r.json();
    assert_eq!(v["error"]["code"], "customer_suspended");

    let op_api = t.api_as("op.one").await;
    let (_, v) = op_api
        .get("/api/v1/operator/audit?action=customer.suspended")
        .await
        .status_json();
    let e = &v["items"][0];
    assert_eq!(e["actor"], "op.one");
    assert_eq!(e["customer_number"], "8800002");
    assert_eq!(e["object_type"], "customer");
    assert_eq!(e["object_id"], "8800002");
    assert_eq!(e["details"]["reason"], "unpaid invoices");
    assert_eq!(e["details"]["sessions_ended"], 1);
    assert_eq!(e["details"]["tokens_revoked"], 1);

    // Reactivation through the API; a second one changes and records nothing.
    for _ in 0..2 {
        let s = op_api
            .post_json(
                "/api/v1/operator/customers/8800002/reactivate",
                &json!({"reason": "paid"}),
            )
            .await
            .status;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'customer.reactivated'")
            .await,
        1
    );
    assert_eq!(
        fresh.sign_in("b.user", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(fresh.get("/api/v1/me").await.status, StatusCode::OK);

    // The API needs no body; a bad one and an overlong reason are refused, nothing changed.
    let s = op_api
        .post_json(
            "/api/v1/operator/customers/8800001/suspend",
            &json!({"reason": "x".repeat(501)}),
        )
        .await
        .status;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let suspend = "/api/v1/operator/customers/8800001/suspend";
    let r = send(op_api.request(Method::POST, suspend).body("{not json")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(a_user.get("/api/v1/me").await.status, StatusCode::OK);
    let r = op_api.post(suspend).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        a_user.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    let s = op_api
        .post("/api/v1/operator/customers/8899999/suspend")
        .await
        .status;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The page keeps an overlong reason and says what is wrong beside the field.
    let long = "y".repeat(501);
    let r = op
        .post_form(
            "/operator/customers/8800001/reactivate",
            &[("reason", &long)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    assert!(html.contains(&long));
    assert!(html.contains("aria-describedby=\"reason-error\""));
    assert!(html.contains("at most 500 characters"));
}

async fn service_centre_reset_mails_that_user_only_and_ends_its_sessions(t: &TestApp) {
    let mut a_user = t.signed_in("a.user").await;
    let a_api = t.api_as("a.user").await;
    let mut other = t.signed_in("a.admin").await;
    let op = t.api_as("op.one").await;
    let before = t.mail().await.len();

    let reset = |customer: &'static str, username: &'static str| {
        let op = op.clone();
        async move {
            op.post_json(
                "/api/v1/operator/password-resets",
                &json!({"customer_number": customer, "username": username}),
            )
            .await
            .status_json()
        }
    };
    // Another customer's user, an unknown user, an unknown customer: 404, nothing sent.
    for (customer, username) in [
        ("8800001", "b.user"),
        ("8800002", "a.user"),
        ("8800001", "nobody"),
        ("8800001", "op.one"),
        ("8899999", "a.user"),
    ] {
        let (s, v) = reset(customer, username).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{customer} {username}");
        assert_eq!(v["error"]["code"], "not_found");
    }
    let (s, v) = reset("88-01", "a.user").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of_first_error(&v), "customer_number");
    let (s, _) = reset("8800001", "a.disabled").await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(t.mail().await.len(), before, "no mail for a refused reset");
    assert_eq!(a_user.get("/api/v1/me").await.status, StatusCode::OK);

    // The username is matched without case, as at sign-in.
    // In the user's language.
    t.exec("UPDATE users SET language = 'fr' WHERE username = 'a.user'")
        .await;
    let (s, _) = reset("8800001", "A.User").await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let mail = t.mail().await;
    assert_eq!(mail.len(), before + 1, "exactly one message");
    let eml = &mail.last().unwrap().1;
    assert!(eml.contains("<a.user@example.com>"));
    assert!(eml.contains("<html lang=\"fr\">"));
    let token = t.token_sent_to("a.user@example.com").await;
    assert_eq!(
        a_user.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED,
        "the user's sessions end at once"
    );
    let s = a_api.get("/api/v1/me").await.status;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "and its tokens");
    assert_eq!(
        other.get("/api/v1/me").await.status,
        StatusCode::OK,
        "nobody else is signed out"
    );

    let (_, v) = op
        .get("/api/v1/operator/audit?action=password.reset_requested")
        .await
        .status_json();
    let e = &v["items"][0];
    assert_eq!(e["actor"], "op.one");
    assert_eq!(e["customer_number"], "8800001");
    assert_eq!(e["object_id"], t.fx.users["a.user"].to_string());
    assert_eq!(e["details"]["via"], "service_centre");
    assert_eq!(v["items"].as_array().unwrap().len(), 1);

    // The link sets a new password once.
    let set = |password: &'static str| t.set_password(&token, password);
    assert_eq!(
        set("a fresh passphrase for a.user").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        set("another fresh passphrase").await.status,
        StatusCode::BAD_REQUEST
    );
    let mut again = t.browser();
    assert_eq!(
        again
            .sign_in("a.user", "a fresh passphrase for a.user")
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    // A link is valid for one hour.
    let (s, _) = reset("8800001", "a.nomod").await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let token = t.token_sent_to("a.nomod@example.com").await;
    t.clock.advance(Duration::minutes(61));
    let r = t.set_password(&token, "too late for this link").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // The same action from the customer page.
    let mut page = t.signed_in("op.one").await;
    let admin = t.fx.users["a.admin"];
    let r = page
        .post_form(
            &format!("/operator/customers/8800001/users/{admin}/password-reset"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let location = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!("/operator/customers/8800001?done=reset&user={admin}")
    );
    assert!(
        t.link_sent_to("a.admin@example.com")
            .await
            .contains("/password/set?token=")
    );
    let html = page.get(&location).await.text;
    assert!(html.contains("was sent to a.admin"), "{html}");
    let count = t.mail().await.len();
    let b_user = t.fx.users["b.user"];
    let r = page
        .post_form(
            &format!("/operator/customers/8800001/users/{b_user}/password-reset"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = page
        .post_form("/operator/customers/8800001/users/x/password-reset", &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(t.mail().await.len(), count);
}

fn ids(v: &Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect()
}

fn actions(v: &Value) -> Vec<(String, String)> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actor"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn audit_search_filters_by_action_customer_actor_dates_and_pages(t: &TestApp) {
    // 26 Nov 10:00 UTC: a.user and b.user sign in, a.admin fails.
    t.signed_in("a.user").await;
    t.signed_in("b.user").await;
    let mut b = t.browser();
    b.sign_in("a.admin", "not the password").await;
    // 26 Nov 23:30 UTC is already 27 Nov in Brussels.
    t.clock.set(datetime!(2026-11-26 23:30:00 UTC));
    t.signed_in("b.user").await;
    // 28 Nov.
    t.clock.set(datetime!(2026-11-28 09:00:00 UTC));
    let op = t.api_as("op.one").await;

    let (s, v) = op
        .get("/api/v1/operator/audit?action=login.ok")
        .await
        .status_json();
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        actions(&v),
        [
            ("login.ok".to_owned(), "op.one".to_owned()),
            ("login.ok".into(), "b.user".into()),
            ("login.ok".into(), "b.user".into()),
            ("login.ok".into(), "a.user".into()),
        ],
        "newest first"
    );
    let e = &v["items"][3];
    assert_eq!(e["at"], "2026-11-26T10:00:00Z");
    assert_eq!(e["customer_number"], "8800001");
    assert_eq!(e["object_type"], "user");
    assert_eq!(e["object_id"], t.fx.users["a.user"].to_string());
    assert!(e["request_id"].as_str().is_some_and(|r| !r.is_empty()));
    assert!(e["ip"].as_str().is_some());
    assert!(e["details"].is_object());

    let (_, v) = op
        .get("/api/v1/operator/audit?action=login.*")
        .await
        .status_json();
    assert_eq!(v["items"].as_array().unwrap().len(), 5);
    let (_, v) = op
        .get("/api/v1/operator/audit?action=login.failed")
        .await
        .status_json();
    assert_eq!(actions(&v), [("login.failed".into(), "a.admin".into())]);
    let (_, v) = op
        .get("/api/v1/operator/audit?action=login&limit=500")
        .await
        .status_json();
    assert!(v["items"].as_array().unwrap().is_empty(), "exact unless *");

    let (_, v) = op
        .get("/api/v1/operator/audit?customer_number=8800002&action=login.*")
        .await
        .status_json();
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["customer_number"] == "8800002")
    );
    let (_, v) = op
        .get("/api/v1/operator/audit?actor=B.USER")
        .await
        .status_json();
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let s = op
        .get("/api/v1/operator/audit?customer_number=8899999")
        .await
        .status;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Days are Brussels days, both ends included.
    let day = |from: &str, to: &str| {
        format!("/api/v1/operator/audit?action=login.ok&from={from}&to={to}")
    };
    let (_, v) = op.get(&day("2026-11-26", "2026-11-26")).await.status_json();
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let (_, v) = op.get(&day("2026-11-27", "2026-11-27")).await.status_json();
    assert_eq!(
        actions(&v),
        [("login.ok".into(), "b.user".into())],
        "23:30 UTC is the next day in Brussels"
    );
    let (_, v) = op.get(&day("2026-11-27", "")).await.status_json();
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let (_, v) = op.get(&day("", "2026-11-27")).await.status_json();
    assert_eq!(v["items"].as_array().unwrap().len(), 3);
    let (s, v) = op.get(&day("26/11/2026", "2026-11-27")).await.status_json();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of_first_error(&v), "from");
    let (s, v) = op.get(&day("2026-11-28", "2026-11-27")).await.status_json();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of_first_error(&v), "to");

    // Keyset paging walks the whole trail once, newest first.
    let (_, all) = op
        .get("/api/v1/operator/audit?limit=500")
        .await
        .status_json();
    let all = ids(&all);
    assert!(all.len() >= 6);
    assert!(all.windows(2).all(|w| w[0] > w[1]));
    let mut walked = Vec::new();
    let mut path = "/api/v1/operator/audit?limit=2".to_owned();
    loop {
        let (s, v) = op.get(&path).await.status_json();
        assert_eq!(s, StatusCode::OK);
        let page = ids(&v);
        assert!(page.len() <= 2);
        walked.extend(page);
        match v["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/operator/audit?limit=2&cursor={c}"),
            None => break,
        }
    }
    // The paging requests themselves are not audited, so the trail did not move.
    assert_eq!(walked, all);
    let s = op.get("/api/v1/operator/audit?cursor=abc").await.status;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // The page shows Brussels times and keeps the filters in its next-page link.
    let mut page = t.signed_in("op.one").await;
    let r = page
        .get("/operator/audit?action=login.ok&customer_number=8800001")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text;
    assert!(html.contains("26/11/2026 11:00:00"), "{html}");
    assert!(html.contains("a.user"));
    assert!(!html.contains("b.user"));
    assert!(html.contains("value=\"login.ok\""));
    let r = page.get("/operator/audit?action=login.*").await;
    let html = r.text;
    assert!(html.contains("27/11/2026 00:30:00"), "{html}");
    let r = page.get("/operator/audit?from=yesterday").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    assert!(html.contains("value=\"yesterday\""));
    assert!(html.contains("aria-describedby=\"from-error\""));
    let r = page.get("/operator/audit?customer_number=8899999").await;
    let html = r.text;
    assert!(html.contains("aria-describedby=\"customer_number-error\""));
}

async fn customer_admins_see_only_their_own_customers_events(t: &TestApp) {
    // Events of B, of A, and one without a customer.
    t.signed_in("b.user").await;
    t.browser().sign_in("b.user", "not the password").await;
    t.signed_in("a.user").await;
    t.browser()
        .sign_in("nobody.at.all", "not the password")
        .await;
    let op = t.api_as("op.one").await;
    let s = op
        .post_json(
            "/api/v1/operator/password-resets",
            &json!({"customer_number": "8800001", "username": "a.nomod"}),
        )
        .await
        .status;
    assert_eq!(s, StatusCode::ACCEPTED);

    let admin = t.api_as("a.admin").await;
    for path in [
        "/api/v1/audit?limit=500",
        "/api/v1/audit?limit=500&customer_number=8800002",
        "/api/v1/audit?limit=500&actor=b.user",
    ] {
        let (s, v) = admin.get(path).await.status_json();
        assert_eq!(s, StatusCode::OK, "{path}");
        for e in v["items"].as_array().unwrap() {
            assert_eq!(e["customer_number"], "8800001", "{path}: {e}");
            assert_ne!(e["actor"], "b.user", "{path}");
        }
    }
    let (_, v) = admin.get("/api/v1/audit?limit=500").await.status_json();
    let seen = actions(&v);
    assert!(seen.contains(&("login.ok".into(), "a.user".into())));
    assert!(
        seen.contains(&("password.reset_requested".into(), "op.one".into())),
        "what the Service Centre did for the customer is in its trail: {seen:?}"
    );
    assert!(!seen.iter().any(|(_, who)| who == "nobody.at.all"));

    let mut page = t.signed_in("a.admin").await;
    let r = page.get("/audit").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text;
    assert!(html.contains("a.user"));
    assert!(!html.contains("b.user") && !html.contains("nobody.at.all"));
    assert!(!html.contains("name=\"customer_number\""));
    let html = page
        .get("/audit?customer_number=8800002&actor=b.user")
        .await
        .text;
    assert!(!html.contains("b.user</td>"));

    // b.admin sees B's events and none of A's.
    let b_admin = t.api_as("b.admin").await;
    let (_, v) = b_admin.get("/api/v1/audit?limit=500").await.status_json();
    assert!(!v["items"].as_array().unwrap().is_empty());
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["customer_number"] == "8800002")
    );

    // A user without user management has no trail to read; operators name the customer.
    let user = t.api_as("a.user").await;
    let s = user.get("/api/v1/audit").await.status;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = op.get("/api/v1/audit").await.status_json();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of_first_error(&v), "customer_number");
    let (s, v) = op
        .get("/api/v1/audit?customer_number=8800002&limit=500")
        .await
        .status_json();
    assert_eq!(s, StatusCode::OK);
    assert!(actions(&v).contains(&("login.failed".into(), "b.user".into())));
    let mut op_page = t.signed_in("op.one").await;
    let r = op_page.get("/audit?customer_number=8800002").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers[header::LOCATION],
        "/operator/audit?customer_number=8800002"
    );
}

async fn non_operators_are_refused_on_every_operator_route(t: &TestApp) {
    let routes: Vec<_> = cs_web::routes()
        .table()
        .iter()
        .filter(|r| r.path.starts_with("/operator/") || r.path.starts_with("/api/v1/operator/"))
        .cloned()
        .collect();
    let ours = [
        "/operator/customers",
        "/operator/customers/{number}",
        "/operator/customers/{number}/suspend",
        "/operator/customers/{number}/reactivate",
        "/operator/customers/{number}/users/{id}/password-reset",
        "/operator/audit",
        "/api/v1/operator/customers",
        "/api/v1/operator/customers/{number}",
        "/api/v1/operator/customers/{number}/suspend",
        "/api/v1/operator/customers/{number}/reactivate",
        "/api/v1/operator/password-resets",
        "/api/v1/operator/audit",
    ];
    for path in ours {
        assert!(
            routes.iter().any(|r| r.path == path),
            "{path} is not declared"
        );
    }
    let mails = t.mail().await.len();
    for who in ["a.admin", "a.user", "b.admin"] {
        let mut b = t.signed_in(who).await;
        let token = t.bearer(who).await;
        let csrf = b.csrf().await;
        for route in &routes {
            let path = route
                .path
                .replace("{number}", "8800001")
                .replace("{id}", &t.fx.users["a.user"].to_string())
                .replace("{kind}", "customers");
            let form = [("_csrf", csrf.as_str()), ("reason", "x")];
            let body = (route.method != Method::GET).then_some(&form[..]);
            let r = b.request(route.method.clone(), &path, &[], body).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{} {path} as {who}",
                route.method
            );
            let body = json!({"customer_number": "8800001", "username": "a.user"});
            let body = (route.method != Method::GET).then_some(&body);
            let r = t.api(&token).call(route.method.clone(), &path, body).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{} {path} as {who} (bearer)",
                route.method
            );
        }
    }
    assert_eq!(
        t.count("SELECT COUNT(*) FROM customers WHERE status = 'active'")
            .await,
        2,
        "nothing suspended"
    );
    assert_eq!(t.mail().await.len(), mails, "no reset sent");
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied'")
            .await,
        (3 * routes.len() * 2) as i64,
        "each refusal is audited"
    );
}

/// Parameters that cannot be read answer 400 `invalid_query`, and an optional body that is
/// not JSON 400 `invalid_json`, on the lists and decisions of the operator's API alike.
async fn unreadable_query_or_body_is_a_bad_request(t: &TestApp) {
    let op = t.api_as("op.one").await;
    for path in [
        "/api/v1/operator/customers?limit=1&limit=2",
        "/api/v1/operator/audit?cursor=1&cursor=2",
        "/api/v1/operator/access-requests?status=pending&status=rejected",
    ] {
        let (s, v) = op.get(path).await.status_json();
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_query")),
            "{path}"
        );
    }
    for path in [
        "/api/v1/operator/customers/8800002/suspend",
        "/api/v1/operator/access-requests/1/reject",
    ] {
        let r = op.post_body(path, "application/json", "{").await;
        r.assert_error(StatusCode::BAD_REQUEST, "invalid_json");
    }
    let (_, customer) = op
        .get("/api/v1/operator/customers/8800002")
        .await
        .status_json();
    assert_eq!(
        customer["status"], "active",
        "a refused suspension changes nothing"
    );
}
