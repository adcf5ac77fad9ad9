//! The concurrency kit: limits that hold for one request must hold for many sent at the same
//! instant (the lockout, the last administrator, exports held open and unread), on both
//! backends.

use crate::harness::{Customer, PASSWORD, Seed, TestApp};
use cs_domain::CustomerId;
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

crate::on_both!(
    fifty_parallel_guesses_on_the_token_endpoint_evaluate_ten,
    fifty_parallel_guesses_on_the_sign_in_page_evaluate_ten,
    fifty_parallel_second_factor_codes_evaluate_ten,
    two_admins_demoting_each_other_at_once_leave_one,
    parallel_exports,
);

const WRONG: &str = "this is not the password";
const PARALLEL: usize = 50;

/// Fires `bodies` at `POST /api/v1/auth/token` at once; counts (status, error code).
async fn token_burst(t: &TestApp, bodies: Vec<Value>) -> BTreeMap<(u16, String), usize> {
    let sends = bodies.into_iter().map(|body| async move {
        let r = t.token(&body).await;
        (r.status.as_u16(), r.error_code())
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
        let code = match r.status {
            StatusCode::UNAUTHORIZED => "invalid_credentials",
            StatusCode::TOO_MANY_REQUESTS => "account_locked",
            _ => "other",
        };
        (r.status.as_u16(), code.to_owned())
    });
    exactly_ten_evaluated(&tally(join_all(sends).await), "invalid_credentials");
    assert_eq!(
        t.browser().sign_in("a.user", PASSWORD).await.status,
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
            t.api(token)
                .patch_json(&format!("/api/v1/users/{target}"), &json!({"role": "user"}))
                .await
                .status
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

/// Rows per customer and table: each export's CSV is many megabytes, more than the socket
/// buffers of a stalled client and of the server can hold, so an unread export stays running.
const ROWS: i64 = 40_000;

/// A filler that makes each row a few hundred bytes long.
const FILLER: &str = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

/// `ROWS` registered items and `ROWS` transactions on 2026-11-10 for `customer`, written
/// by the database itself (a recursive series), with long recipients and ids.
async fn seed(t: &TestApp, customer: i64, tag: &str) {
    let (product, point) = (format!("REG-{tag}"), format!("CP{tag}"));
    let mut tx = t.app().store.begin().await.unwrap();
    let names = ["Recommandé", "Aangetekend", "Einschreiben", "Registered"];
    let ids = Seed::new(t)
        .product_named(&product, "registered", 0, names)
        .collection_point_named(customer, &point, "Depot")
        .insert_in(&mut tx)
        .await;
    let (product, point) = (ids.product(&product), ids.point(customer, &point));
    let day = time::macros::date!(2026 - 11 - 10);
    let series = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) ";
    let items = format!(
        "{series}INSERT INTO registered_items (barcode, customer_id, deposit_date, \
         collection_point_id, product_id, acknowledgement, recipient_name, recipient_street, \
         recipient_postcode, recipient_city, recipient_country) \
         SELECT $2 || '-' || i, $3, $4, $5, $6, $7, 'Recipient ' || i || ' {FILLER}', \
         'Rue {FILLER}', '1000', 'Bruxelles', 'BE' FROM n"
    );
    let rows = format!(
        "{series}INSERT INTO transactions (transaction_id, customer_id, date, \
         collection_point_id, product_id, quantity, unit_price_millis, amount_cents) \
         SELECT $2 || '-' || i || '-{FILLER}', $3, $4, $5, $6, 1, 1000, 100 FROM n"
    );
    cs_store::execute!(
        &mut tx.conn(),
        sqlx::query(sqlx::AssertSqlSafe(items))
            .bind(ROWS)
            .bind(format!("RI{tag}"))
            .bind(customer)
            .bind(day)
            .bind(point)
            .bind(product)
            .bind(true)
    )
    .unwrap();
    cs_store::execute!(
        &mut tx.conn(),
        sqlx::query(sqlx::AssertSqlSafe(rows))
            .bind(ROWS)
            .bind(format!("T{tag}"))
            .bind(customer)
            .bind(day)
            .bind(point)
            .bind(product)
    )
    .unwrap();
    tx.commit().await.unwrap();
}

/// A customer without exports (8800003), for an operator to name.
async fn third_customer(t: &TestApp) {
    let gamma = Customer::new("8800003", "Gamma Mail SRL")
        .language("fr")
        .street("Rue 3");
    Seed::new(t).customer(gamma).insert().await;
}

/// A client that sends one request, reads the response head and then stops reading, with a
/// small receive buffer: the server's body stays unsent for as long as it is held.
struct Stalled {
    path: String,
    status: u16,
    head: String,
    _socket: tokio::net::TcpStream,
}

async fn stalled(t: &TestApp, token: &str, path: &str) -> Stalled {
    let addr: std::net::SocketAddr = t
        .base
        .trim_start_matches("http://")
        .parse()
        .expect("address");
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut s = socket.connect(addr).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Connection: close\r\n\r\n"
    );
    s.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = s.read(&mut byte).await.unwrap();
        assert_eq!(n, 1, "closed before the head ended: {head:?}");
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    let status = head[9..12].parse().unwrap();
    Stalled {
        path: path.to_owned(),
        status,
        head,
        _socket: s,
    }
}

/// The JSON body of a refused (short, `Connection: close`) answer, read to its end.
async fn rest(mut s: Stalled) -> (Stalled, serde_json::Value) {
    let mut body = Vec::new();
    s._socket.read_to_end(&mut body).await.unwrap();
    let v = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    (s, v)
}

fn header<'a>(s: &'a Stalled, name: &str) -> Option<&'a str> {
    s.head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The maximum of exports held open with unread bodies: a customer's third export, fired
/// at the same instant as its first two, and a fifth export on the instance answer 429
/// `too_many_exports` with `Retry-After` before any byte; meanwhile sign-in and `/me` are
/// served; once the held exports are dropped, exports are served again.
async fn parallel_exports(t: &TestApp) {
    seed(t, t.fx.customer_a, "A").await;
    seed(t, t.fx.customer_b, "B").await;
    let a = t.bearer("a.admin").await;
    let b = t.bearer("b.admin").await;
    let op = t.bearer("op.one").await;
    let items = "/api/v1/registered-items/export?from=2026-11-01&to=2026-11-30&format=csv";
    let rows = "/api/v1/transactions/export?from=2026-11-01&to=2026-11-30&format=csv";

    // Three exports of customer A at the same instant: exactly two run.
    let fired = futures::future::join3(
        stalled(t, &a, items),
        stalled(t, &a, rows),
        stalled(t, &a, items),
    )
    .await;
    let mut held = Vec::new();
    let mut refused = Vec::new();
    for s in [fired.0, fired.1, fired.2] {
        if s.status == 200 {
            held.push(s)
        } else {
            refused.push(s)
        }
    }
    assert_eq!(held.len(), 2, "two of customer A's exports run");
    assert_eq!(refused.len(), 1);
    let (r, v) = rest(refused.pop().unwrap()).await;
    assert_eq!(r.status, 429);
    assert_eq!(v["error"]["code"], "too_many_exports", "{v}");
    assert_eq!(header(&r, "retry-after"), Some("30"));
    assert_eq!(
        t.app().exports.running(CustomerId::new(t.fx.customer_a)),
        (2, 2)
    );

    // Customer B takes the two other places of the instance.
    for path in [rows, items] {
        let s = stalled(t, &b, path).await;
        assert_eq!(s.status, 200, "{}", s.head);
        held.push(s);
    }
    assert_eq!(
        t.app().exports.running(CustomerId::new(t.fx.customer_b)),
        (4, 2)
    );

    // A fifth export, for a customer with none running, finds the instance full.
    third_customer(t).await;
    let r = t
        .api(&op)
        .get("/api/v1/transactions/export?customer_number=8800003&format=xlsx&from=2026-12-01")
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers["retry-after"], "30");
    let v: serde_json::Value = r.json();
    assert_eq!(v["error"]["code"], "too_many_exports");

    // Meanwhile the portal serves sign-ins and other customers' requests.
    let mut browser = t.browser();
    let r = browser.sign_in("a.user", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "sign-in while exports run");
    for token in [t.bearer("b.user").await, a.clone()] {
        let r = t.api(&token).get("/api/v1/me").await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let r = browser.get("/transactions").await;
    assert_eq!(r.status, StatusCode::OK, "a page while exports run");
    assert_eq!(
        t.app().exports.running(CustomerId::new(t.fx.customer_a)),
        (4, 2),
        "still held"
    );

    let held_items = held.iter().filter(|s| s.path == items).count();
    assert!(held_items >= 1);
    // The clients go away: the server finds out at its next write, and every place comes
    // back; then an export runs to its end.
    drop(held);
    tokio::time::timeout(
        std::time::Duration::from_secs(60),
        t.app().exports.until_at_most(0),
    )
    .await
    .expect("the places of gone clients come back");
    // The registered items exports that were cut say so in the trail.
    let cut = held_items;
    let events = crate::registered_items::export_events(t).await;
    assert_eq!(events.len(), cut, "{events:?}");
    for (_, _, _, details) in &events {
        assert_eq!(details["outcome"], "aborted", "{details}");
        assert!(details["rows"].as_i64().unwrap() < ROWS, "{details}");
    }
    let r = t
        .api(&a)
        .get("/api/v1/registered-items/export?from=2026-12-01&to=2026-12-31&format=csv")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text.lines().count(), 1, "the header only");
}
