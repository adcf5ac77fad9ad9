//! The shell around the features: health, readiness, metrics, languages, the OpenAPI
//! document and the demo.

use crate::harness::{Backend, TestApp, send};
use cs_app::demo::DemoOutcome;
use reqwest::{Method, StatusCode};

crate::on_both!(
    home_shows_each_caller_the_blocks_that_concern_it,
    health_readiness_and_metrics_answer,
    pages_follow_the_browser_then_the_users_language,
    openapi_document_is_pinned_and_lists_every_api_route,
    demo_loads_once_into_an_empty_database,
    queued_mail_is_delivered_once_and_only_when_committed,
    every_page_links_the_icon_the_portal_serves,
);

async fn queued_mail_is_delivered_once_and_only_when_committed(t: &TestApp) {
    use cs_app::mail::{Email, enqueue};
    let email = Email::compose(
        "an@example.com",
        "An Peeters",
        cs_domain::Language::Nl,
        "mail-test",
        &[],
        Some("https://portal.example/x"),
        &t.app().settings.service_centre,
    );
    let mut tx = t.app().store.begin().await.unwrap();
    enqueue(t.app(), &mut tx.conn(), t.app().now(), &email)
        .await
        .unwrap();
    drop(tx); // rolled back: nothing to send
    assert!(t.mail().await.is_empty());
    let mut tx = t.app().store.begin().await.unwrap();
    enqueue(t.app(), &mut tx.conn(), t.app().now(), &email)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // While it waits, the message (and its link) is sealed with the secret key.
    assert_eq!(
        t.count("SELECT COUNT(*) FROM jobs WHERE payload LIKE '%portal.example%' OR payload LIKE '%an@example.com%'")
            .await,
        0
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM jobs WHERE payload LIKE '\"sealed:v1:%'")
            .await,
        1
    );
    let mail = t.mail().await;
    assert_eq!(mail.len(), 1);
    let (name, eml) = &mail[0];
    assert!(
        name.starts_with("20261126T100000Z-") && name.ends_with(".eml"),
        "{name}"
    );
    assert!(
        eml.contains("Subject: Testbericht"),
        "in the recipient's language"
    );
    assert!(eml.contains("text/plain") && eml.contains("text/html"));
    assert_eq!(t.mail().await.len(), 1, "delivered once");
    assert_eq!(
        t.count("SELECT COUNT(*) FROM jobs WHERE status = 'done'")
            .await,
        1
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM jobs WHERE payload LIKE '%portal.example%'")
            .await,
        0,
        "a delivered message (and its link) is not kept in the database"
    );
    // A message queued in clear by an earlier version is still delivered.
    let clear = serde_json::to_string(&email).unwrap();
    let mut c = t.app().store.acquire().await.unwrap();
    cs_store::repo::jobs::enqueue(&mut c.conn(), "send_email", &clear, t.app().now())
        .await
        .unwrap();
    drop(c);
    assert_eq!(t.mail().await.len(), 2);
}

async fn health_readiness_and_metrics_answer(t: &TestApp) {
    let get = |p: &'static str| t.get(p);
    assert_eq!(get("/healthz").await.status, StatusCode::OK);
    assert_eq!(get("/readyz").await.status, StatusCode::OK);
    let m = get("/metrics").await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(m.header("content-type").unwrap().starts_with("text/plain"));
    t.app().store.close().await;
    assert_eq!(get("/readyz").await.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(get("/healthz").await.status, StatusCode::OK);
}

async fn pages_follow_the_browser_then_the_users_language(t: &TestApp) {
    for (accept, lang, word) in [
        ("nl-BE,nl;q=0.9", "nl", "Aanmelden"),
        ("de", "de", "Anmelden"),
        ("fr-BE", "fr", "Se connecter"),
        ("es", "en", "Sign in"),
    ] {
        let rb = t
            .anonymous()
            .request(Method::GET, "/login")
            .header("accept-language", accept);
        let r = send(rb).await;
        let html = r.text;
        assert!(
            html.contains(&format!("<html lang=\"{lang}\">")),
            "{accept}"
        );
        assert!(html.contains(word), "{accept}: {word}");
    }
    let mut b = t.browser();
    b.get("/login").await;
    let r = b
        .post_form("/language", &[("language", "de"), ("next", "/login")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let html = b.get("/login").await.text;
    assert!(html.contains("<html lang=\"de\">"));
    // Signed in, the user's own language wins; switching changes it for next time.
    let mut u = t.signed_in("a.user").await;
    let r = u
        .post_form(
            "/language",
            &[("language", "nl"), ("next", "//evil.example")],
        )
        .await;
    assert_eq!(r.headers["location"], "/", "never redirected off-site");
    let me: serde_json::Value = u.get("/api/v1/me").await.json();
    assert_eq!(me["language"], "nl");
    let bad = u.post_form("/language", &[("language", "xx")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn openapi_document_is_pinned_and_lists_every_api_route(t: &TestApp) {
    let served: serde_json::Value = t.get("/api/v1/openapi.json").await.json();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let pretty = serde_json::to_string_pretty(&served).unwrap() + "\n";
    if std::env::var("UPDATE_OPENAPI").is_ok() && t.backend == Backend::Sqlite {
        std::fs::write(path, &pretty).unwrap();
    }
    let committed =
        std::fs::read_to_string(path).expect("docs/openapi.json (run once with UPDATE_OPENAPI=1)");
    // Not assert_eq!: a whole document in a failure message helps nobody.
    if pretty != committed {
        let line = pretty
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0)
            + 1;
        panic!(
            "the served OpenAPI document differs from docs/openapi.json from line {line}: review the API change and run the tests with UPDATE_OPENAPI=1"
        );
    }
    for route in cs_web::routes().table() {
        if route.path.starts_with("/api/") && route.path != "/api/v1/openapi.json" {
            let method = route.method.as_str().to_lowercase();
            assert!(
                served["paths"][route.path][&method].is_object(),
                "{} {} is not documented",
                route.method,
                route.path
            );
        }
    }
}

async fn demo_loads_once_into_an_empty_database(t: &TestApp) {
    // The fixture is there already: the demo must refuse and change nothing.
    let before = t.count("SELECT COUNT(*) FROM users").await;
    assert_eq!(
        cs_app::demo::load(t.app()).await.unwrap(),
        DemoOutcome::NotEmpty
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM users").await, before);
    // On an empty database it loads a year of data and working logins.
    t.exec("DELETE FROM user_cost_centres").await;
    t.exec("DELETE FROM sessions").await;
    t.exec("DELETE FROM users").await;
    t.exec("DELETE FROM cost_centres").await;
    t.exec("DELETE FROM customers").await;
    t.exec("DELETE FROM products").await;
    let DemoOutcome::Loaded {
        logins,
        transactions,
        registered_items,
    } = cs_app::demo::load(t.app()).await.unwrap()
    else {
        panic!("demo not loaded into an emptied database");
    };
    assert!(transactions > 3000, "{transactions}");
    assert!(registered_items > 500, "{registered_items}");
    assert_eq!(logins.len(), 7);
    // The accounts features have something to show.
    assert_eq!(
        t.count("SELECT COUNT(*) FROM access_requests WHERE status = 'pending'")
            .await,
        3
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM access_requests WHERE status = 'rejected'")
            .await,
        1
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM users WHERE status = 'invited'")
            .await,
        1
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM users WHERE status = 'disabled'")
            .await,
        1
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM api_tokens WHERE kind = 'personal'")
            .await,
        1
    );
    let mut b = t.browser();
    let user = logins.iter().find(|l| l.username == "leuven.user").unwrap();
    assert_eq!(
        b.sign_in(&user.username, &user.password).await.status,
        StatusCode::SEE_OTHER
    );
    let me: serde_json::Value = b.get("/api/v1/me").await.json();
    assert_eq!(me["customer"]["customer_number"], "8800456");
    let sum = t
        .count("SELECT CAST(SUM(amount_cents) AS BIGINT) FROM transactions")
        .await;
    let recomputed = t
        .count(
            "SELECT CAST(SUM((quantity * unit_price_millis + 5) / 10) AS BIGINT) FROM transactions",
        )
        .await;
    assert_eq!(
        sum, recomputed,
        "every amount is quantity × unit price, half-up to the cent"
    );
}

async fn home_shows_each_caller_the_blocks_that_concern_it(t: &TestApp) {
    let mut admin = t.signed_in("a.admin").await;
    let html = admin.get("/").await.text;
    assert!(
        html.contains("Your company&#39;s users") || html.contains("Your company's users"),
        "the users block"
    );
    // Customer A: a.admin, a.user, a.nomod active; a.invited invited; a.disabled disabled.
    assert!(
        html.contains("<a href=\"/users?status=active\">3</a>"),
        "{html}"
    );
    assert!(html.contains("<a href=\"/users?status=invited\">1</a>"));
    assert!(html.contains("<a href=\"/users?status=disabled\">1</a>"));
    assert!(
        !html.contains("Waiting for a decision"),
        "no operator block for a customer"
    );
    let mut user = t.signed_in("a.user").await;
    let html = user.get("/").await.text;
    assert!(
        !html.contains("/users?status="),
        "no users block without user management"
    );
    t.exec("INSERT INTO access_requests (company_name, vat_number, street, postcode, city, country, contact_name, email, phone, language, username, status, created_at) \
            VALUES ('Gamma', 'BE0403170701', 'Rue 2', '1000', 'Bruxelles', 'BE', 'G', 'g@gamma.example', '+3221234567', 'fr', 'gamma.admin', 'pending', '2026-11-26T09:00:00Z')").await;
    let mut op = t.signed_in("op.one").await;
    let html = op.get("/").await.text;
    assert!(html.contains("Waiting for a decision"));
    assert!(
        html.contains("<a href=\"/operator/access-requests\">1</a>"),
        "{html}"
    );
    assert!(
        !html.contains("/users?status="),
        "operators manage users from the customer pages"
    );
}

async fn every_page_links_the_icon_the_portal_serves(t: &TestApp) {
    let link = "<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">";
    assert!(t.get("/login").await.text.contains(link), "/login");
    let mut admin = t.signed_in("a.admin").await;
    assert!(admin.get("/").await.text.contains(link), "/ signed in");
    let icon = t.get("/static/favicon.svg").await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(icon.header("content-type"), Some("image/svg+xml"));
    assert!(
        icon.header("cache-control")
            .is_some_and(|c| c.starts_with("public")),
        "the icon is cached like the stylesheet"
    );
    assert!(icon.text.starts_with("<svg ") && icon.text.contains("#8a1c1c"));
}
