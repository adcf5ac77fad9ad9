//! The concurrency kit: limits that hold for one request must hold for many sent at the same
//! instant (the lockout, the last administrator), on both backends.

use crate::harness::{PASSWORD, TestApp};
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;

crate::on_both!(
    fifty_parallel_guesses_on_the_token_endpoint_evaluate_ten,
    fifty_parallel_guesses_on_the_sign_in_page_evaluate_ten,
    fifty_parallel_second_factor_codes_evaluate_ten,
    two_admins_demoting_each_other_at_once_leave_one,
);

const WRONG: &str = "this is not the password";
const PARALLEL: usize = 50;

/// Fires `bodies` at `POST /api/v1/auth/token` at once; counts (status, error code).
async fn token_burst(t: &TestApp, bodies: Vec<Value>) -> BTreeMap<(u16, String), usize> {
    let sends = bodies.into_iter().map(|body| async move {
        let r = t
            .http()
            .post(t.url("/api/v1/auth/token"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        (status, v["error"]["code"].as_str().unwrap_or("").to_owned())
    });
    tally(join_all(sends).await)
}

fn tally(outcomes: Vec<(u16, String)>) -> BTreeMap<(u16, String), usize> {
    let mut counts = BTreeMap::new();
    for o in outcomes {
        *counts.entry(o).or_insert(0) += 1;
    }
    counts
}

fn exactly_ten_evaluated(counts: &BTreeMap<(u16, String), usize>, refused_code: &str) {
    let expected = BTreeMap::from([
        ((401, refused_code.to_owned()), 10),
        ((429, "account_locked".to_owned()), PARALLEL - 10),
    ]);
    assert_eq!(counts, &expected);
}

async fn fifty_parallel_guesses_on_the_token_endpoint_evaluate_ten(t: &TestApp) {
    let bodies = vec![json!({"username": "a.user", "password": WRONG}); PARALLEL];
    exactly_ten_evaluated(&token_burst(t, bodies).await, "invalid_credentials");
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'login.failed'")
            .await,
        10,
        "only ten passwords were evaluated"
    );
    // The right password waits for the lock to end, like any other.
    let right = vec![json!({"username": "a.user", "password": PASSWORD})];
    assert_eq!(
        token_burst(t, right).await,
        BTreeMap::from([((429, "account_locked".to_owned()), 1)])
    );
    t.clock.advance(time::Duration::minutes(15));
    assert!(
        !t.bearer("a.user").await.is_empty(),
        "open again after 15 minutes"
    );
}

async fn fifty_parallel_guesses_on_the_sign_in_page_evaluate_ten(t: &TestApp) {
    // Each guess comes from a browser of its own with its own form token, all sent at once.
    let mut browsers = Vec::new();
    for _ in 0..PARALLEL {
        let mut b = t.browser();
        let csrf = b.csrf().await;
        browsers.push((b, csrf));
    }
    let sends = browsers.into_iter().map(|(mut b, csrf)| async move {
        let form = [
            ("_csrf", csrf.as_str()),
            ("username", "a.user"),
            ("password", WRONG),
            ("next", "/"),
        ];
        let r = b.request(Method::POST, "/login", &[], Some(&form)).await;
        let code = match r.status() {
            StatusCode::UNAUTHORIZED => "invalid_credentials",
            StatusCode::TOO_MANY_REQUESTS => "account_locked",
            _ => "other",
        };
        (r.status().as_u16(), code.to_owned())
    });
    exactly_ten_evaluated(&tally(join_all(sends).await), "invalid_credentials");
    assert_eq!(
        t.browser().sign_in("a.user", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

async fn fifty_parallel_second_factor_codes_evaluate_ten(t: &TestApp) {
    let (secret, _) = crate::signin::enrol(t, "a.user").await;
    let right = crate::signin::code_at(t, &secret, 0);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let bodies = vec![json!({"username": "a.user", "password": PASSWORD, "totp": wrong}); PARALLEL];
    exactly_ten_evaluated(&token_burst(t, bodies).await, "invalid_totp");
    let with_right_code = vec![json!({"username": "a.user", "password": PASSWORD, "totp": right})];
    assert_eq!(
        token_burst(t, with_right_code).await,
        BTreeMap::from([((429, "account_locked".to_owned()), 1)])
    );
}

async fn two_admins_demoting_each_other_at_once_leave_one(t: &TestApp) {
    t.exec("UPDATE users SET role = 'admin' WHERE username = 'a.user'")
        .await;
    let ids = [t.fx.users["a.admin"], t.fx.users["a.user"]];
    let tokens = [t.bearer("a.admin").await, t.bearer("a.user").await];
    // Ten rounds of each demoting the other, all at once.
    let sends = (0..20).map(|i| {
        let (token, target) = (&tokens[i % 2], ids[(i + 1) % 2]);
        async move {
            t.http()
                .request(Method::PATCH, t.url(&format!("/api/v1/users/{target}")))
                .bearer_auth(token)
                .json(&json!({"role": "user"}))
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let statuses = join_all(sends).await;
    assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| [StatusCode::OK, StatusCode::CONFLICT, StatusCode::FORBIDDEN].contains(s)),
        "{statuses:?}"
    );
    assert_eq!(
        t.count(
            "SELECT COUNT(*) FROM users u JOIN customers c ON c.id = u.customer_id \
             WHERE c.customer_number = '8800001' AND u.role = 'admin' AND u.status = 'active'"
        )
        .await,
        1,
        "exactly one active administrator is left"
    );
}
