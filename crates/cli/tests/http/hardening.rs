//! What an outside probe found (issue 8), held on both backends: control characters, dates
//! out of range, limits and oversized bodies, error details, metrics labels and their token,
//! and audit flooding.

use crate::harness::{TestApp, error_details, send};
use cs_cli::config::Secret;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};
use std::collections::BTreeSet;

crate::on_both!(
    control_characters_are_refused_naming_the_field,
    dates_outside_2000_to_2100_are_invalid_date_everywhere,
    limits_above_500_and_oversized_bodies_answer_in_the_error_shape,
    a_rejected_import_lists_exactly_line_column_code_message,
    invented_methods_and_paths_do_not_grow_the_metrics,
    a_metrics_token_guards_the_metrics,
    anonymous_refusals_are_counted_not_audited,
);

async fn control_characters_are_refused_naming_the_field(t: &TestApp) {
    let admin = t.api_as("a.admin").await;
    let op = t.api_as("op.one").await;
    // These answered 500 on PostgreSQL (and the export dropped the connection).
    for (api, path, field) in [
        (&admin, "/api/v1/users?search=a%00b", "search"),
        (
            &admin,
            "/api/v1/registered-items?recipient=%00",
            "recipient",
        ),
        (
            &admin,
            "/api/v1/registered-items/export?format=csv&recipient=x%00",
            "recipient",
        ),
        (
            &admin,
            "/api/v1/transactions?cost_centre=%01",
            "cost_centre",
        ),
        (&admin, "/api/v1/audit?actor=%00", "actor"),
        (&admin, "/api/v1/audit?action=login%00", "action"),
        (&op, "/api/v1/operator/audit?actor=%7F", "actor"),
        (&op, "/api/v1/operator/customers?search=%0A", "search"),
    ] {
        let (status, v) = api.get(path).await.status_json();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {v}");
        assert_eq!(v["error"]["code"], "invalid_characters", "{path}: {v}");
        assert_eq!(
            error_details(&v),
            [(field.to_owned(), "invalid_characters".to_owned())],
            "{path}"
        );
    }
    // The pages answer alike.
    let mut b = t.signed_in("a.admin").await;
    let page = b.get("/registered-items?recipient=%00").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text.contains("control character"));

    // JSON bodies: NUL refused with its path; line breaks and tabs allowed in a text.
    let submit = |body: Value| async move { t.post_json("/api/v1/access-requests", &body).await };
    let r = submit(json!({"message": "hello\u{0}", "contact_name": "x"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json();
    assert_eq!(v["error"]["code"], "invalid_characters");
    assert_eq!(
        error_details(&v),
        [("message".to_owned(), "invalid_characters".to_owned())]
    );
    let r = submit(json!({"message": "line one\r\nline\ttwo"})).await;
    let v: Value = r.json();
    assert_ne!(v["error"]["code"], "invalid_characters", "{v}");
    assert!(
        error_details(&v).iter().all(|(f, _)| f != "message"),
        "a multi-line message is fine: {v}"
    );

    // Form fields: the same rule on the sign-in form, before any sign-in work.
    let mut anon = t.browser();
    let r = anon
        .post_form("/login", &[("username", "a.admin\u{0}"), ("password", "x")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'login.failed'")
            .await,
        0,
        "refused before the sign-in use case"
    );
}

async fn dates_outside_2000_to_2100_are_invalid_date_everywhere(t: &TestApp) {
    let admin = t.api_as("a.admin").await;
    let op = t.api_as("op.one").await;
    for (api, path, field) in [
        // 500 on SQLite before: the year could not be formatted.
        (&op, "/api/v1/operator/audit?from=0000-01-01", "from"),
        // 200 before, while transactions answered 422.
        (&admin, "/api/v1/registered-items?from=-9999-01-01", "from"),
        (
            &admin,
            "/api/v1/registered-items/export?format=csv&to=2101-01-01",
            "to",
        ),
        (&admin, "/api/v1/transactions?from=1999-12-31", "from"),
        (
            &admin,
            "/api/v1/transactions/export?format=csv&to=2101-01-01",
            "to",
        ),
        (&admin, "/api/v1/audit?to=9999-12-31", "to"),
    ] {
        let (status, v) = api.get(path).await.status_json();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {v}");
        assert_eq!(v["error"]["code"], "invalid_date", "{path}: {v}");
        assert_eq!(
            error_details(&v),
            [(field.to_owned(), "invalid_date".to_owned())],
            "{path}"
        );
        let message = v["error"]["details"][0]["message"].as_str().unwrap();
        assert!(message.contains("2000 to 2100"), "{path}: {message}");
    }
    // The edges of the range are served.
    let (status, v) = op
        .get("/api/v1/operator/audit?from=2000-01-01&to=2100-12-31")
        .await
        .status_json();
    assert_eq!(status, StatusCode::OK, "{v}");
}

async fn limits_above_500_and_oversized_bodies_answer_in_the_error_shape(t: &TestApp) {
    let admin = t.api_as("a.admin").await;
    let op = t.api_as("op.one").await;
    for path in [
        "/api/v1/registered-items?limit=501",
        "/api/v1/transactions?limit=100000",
        "/api/v1/audit?limit=501",
    ] {
        let (status, v) = admin.get(path).await.status_json();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {v}");
        assert_eq!(v["error"]["code"], "invalid_limit", "{path}: {v}");
    }
    let status = admin.get("/api/v1/registered-items?limit=500").await.status;
    assert_eq!(status, StatusCode::OK);

    // Past the body limit (2 MiB, by a little, so that the client has sent it all): JSON 413 on every kind of body reader. The suspend and
    // reject routes answered plain text before.
    let big = format!("{{\"reason\":\"{}\"}}", "x".repeat((2 << 20) + (64 << 10)));
    for path in [
        "/api/v1/operator/customers/8800001/suspend",
        "/api/v1/operator/access-requests/1/reject",
        "/api/v1/operator/password-resets",
    ] {
        let r = op.post_body(path, "application/json", big.clone()).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        let v: Value = r.json();
        assert_eq!(v["error"]["code"], "payload_too_large", "{path}");
    }
    assert_eq!(
        t.count("SELECT COUNT(*) FROM customers WHERE status = 'active'")
            .await,
        2,
        "nothing suspended"
    );
    // A form page too, as a page: past the form limit (64 KiB; small enough that the
    // client finishes sending before the answer).
    let mut b = t.browser();
    let token = b.csrf().await;
    let reason = "x".repeat(80 << 10);
    let r = b
        .request(
            Method::POST,
            "/login",
            &[],
            Some(&[("_csrf", &token), ("username", &reason)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        r.header(header::CONTENT_TYPE)
            .unwrap()
            .starts_with("text/html")
    );
}

async fn a_rejected_import_lists_exactly_line_column_code_message(t: &TestApp) {
    let op = t.api_as("op.one").await;
    for body in ["", "nonsense,columns\n1,2\n"] {
        let r = op
            .post_body("/api/v1/operator/imports/customers", "text/csv", body)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let v: Value = r.json();
        assert_eq!(v["error"]["code"], "import_rejected");
        let declared: BTreeSet<&str> = [
            "code",
            "message",
            "request_id",
            "details",
            "error_count",
            "rows_read",
            "import_id",
        ]
        .into();
        let keys: BTreeSet<&str> = v["error"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert!(keys.is_subset(&declared), "{keys:?}");
        let list = v["error"]["details"].as_array().unwrap();
        assert!(!list.is_empty());
        for d in list {
            let keys: BTreeSet<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                BTreeSet::from(["line", "column", "code", "message"]),
                "{d}"
            );
            assert!(!d["code"].as_str().unwrap().is_empty());
        }
    }
}

/// The bytes of the metrics lines that invented methods and paths land on.
fn folded(metrics: &str) -> usize {
    metrics
        .lines()
        .filter(|l| l.contains("method=\"other\"") || l.contains("route=\"unmatched\""))
        .map(str::len)
        .sum()
}

async fn invented_methods_and_paths_do_not_grow_the_metrics(t: &TestApp) {
    let metrics = || async { t.get("/metrics").await.text };
    let send = |i: usize| {
        let method = Method::from_bytes(format!("INVENTED{i}").as_bytes()).unwrap();
        let path = format!("/no/such/path/{i}");
        async move { t.anonymous().call(method, &path, None).await }
    };
    // The folded labels exist once; then 3,000 more requests only move their counts. (The
    // recorder is shared by the tests of this process, so only these lines are measured.)
    send(0).await;
    t.get("/no/such/page").await;
    let before = folded(&metrics().await);
    for i in 1..=3000 {
        send(i).await;
    }
    let after = metrics().await;
    let grown = folded(&after).saturating_sub(before);
    assert!(grown < 1024, "grew by {grown} bytes");
    assert!(!after.contains("INVENTED"), "no invented method is a label");
    assert!(!after.contains("/no/such/path"), "no raw path is a label");
}

async fn a_metrics_token_guards_the_metrics(t: &TestApp) {
    // Unset: public, as before.
    let r = t.get("/metrics").await;
    assert_eq!(r.status, StatusCode::OK);
    let token = "metrics-token-0123456789abcdef";
    let Some(guarded) = TestApp::spawn_with(t.backend, "metrics_token", |c| {
        c.metrics_token = Some(Secret::new(token));
    })
    .await
    else {
        return;
    };
    let ask = |auth: Option<String>| {
        let mut rb = guarded.anonymous().request(Method::GET, "/metrics");
        if let Some(a) = auth {
            rb = rb.header(header::AUTHORIZATION, a);
        }
        send(rb)
    };
    for auth in [
        None,
        Some("Bearer wrong".to_owned()),
        Some(format!("Bearer {token}x")),
        Some(format!("Basic {token}")),
    ] {
        let r = ask(auth.clone()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert!(!r.text.contains("http_requests_total"));
    }
    let r = ask(Some(format!("Bearer {token}"))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("http_requests_total"));
    assert!(
        !format!("{:?}", guarded.app().settings).contains(token),
        "the token is never printed"
    );
    guarded.finish().await;
}

async fn anonymous_refusals_are_counted_not_audited(t: &TestApp) {
    // An anonymous form without its token: refused, counted, not in the trail.
    for _ in 0..5 {
        let rb = t
            .anonymous()
            .request(Method::POST, "/login")
            .form(&[("username", "a.admin"), ("password", "x")]);
        let r = send(rb).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    let denied = "SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied'";
    assert_eq!(t.count(denied).await, 0);
    let metrics = t.get("/metrics").await.text;
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("http_refusals_total{code=\"csrf_rejected\"}")),
        "counted"
    );

    // A failed sign-in stays audited, known username or not (SPEC §2).
    let mut anon = t.browser();
    anon.sign_in("a.admin", "wrong password here").await;
    anon.sign_in("nobody.known", "wrong password here").await;
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'login.failed'")
            .await,
        2
    );

    // A signed-in actor's refusal stays audited, its 60,000-character path cut to 256.
    let mut user = t.signed_in("a.user").await;
    let long = format!("/users/{}", "9".repeat(60_000));
    let r = user.get(&long).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(t.count(denied).await, 1);
    assert_eq!(
        t.count(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied' \
             AND length(object_id) = 256"
        )
        .await,
        1
    );
    assert_eq!(
        t.count("SELECT CAST(COALESCE(MAX(length(object_id)), 0) AS BIGINT) FROM audit_events")
            .await,
        256
    );
}
