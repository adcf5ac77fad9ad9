//! The Service Centre's daily work on the pages: the search box, a customer's links to its
//! data, the confirmation pages of suspend, disable and reject, the upload that answers with
//! a redirect to its report, import problems in the operator's language, the dry run's
//! wording, the activity log in words, and the imports list newest first.

use crate::harness::{Browser, RegisteredItem, Seed, TestApp, Transaction, extract_csrf};
use cs_store::repo::import_runs::NewImportRun;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};
use time::macros::{date, datetime};

crate::on_both!(
    the_search_box_finds_a_customer_an_item_or_a_transaction,
    a_customers_page_links_to_its_data,
    suspend_disable_and_reject_ask_on_a_page_of_their_own,
    an_upload_answers_with_a_redirect_to_its_report,
    import_problems_are_in_the_operators_language_on_the_page_only,
    a_dry_run_says_what_it_would_insert,
    the_activity_log_reads_as_words,
    the_imports_list_is_newest_first,
);

/// A national barcode: `010` and 27 digits.
fn national(n: u64) -> String {
    format!("010{n:027}")
}

fn location(r: &crate::harness::Reply) -> String {
    r.header(header::LOCATION)
        .unwrap_or_else(|| panic!("no Location ({}): {}", r.status, r.text))
        .to_owned()
}

async fn the_search_box_finds_a_customer_an_item_or_a_transaction(t: &TestApp) {
    let b = t.fx.customer_b;
    let barcode = national(77);
    Seed::new(t)
        .product("LETTER", "postage", 0)
        .product("REG-BE", "registered", 0)
        .collection_point(b, "MAIN")
        .transactions([
            Transaction::new(
                b,
                "TX-B-1",
                date!(2026 - 11 - 03),
                "MAIN",
                "LETTER",
                (12, 985),
            ),
            // A transaction id that is also a customer number: both are answers.
            Transaction::new(
                b,
                "8800001",
                date!(2026 - 11 - 04),
                "MAIN",
                "LETTER",
                (1, 985),
            ),
        ])
        .registered_items([RegisteredItem::new(
            b,
            &barcode,
            date!(2026 - 06 - 15),
            "MAIN",
            "REG-BE",
        )])
        .insert()
        .await;
    let mut op = t.signed_in("op.one").await;

    // The box sits on the operator's customer list.
    let html = op.page("/operator/customers").await;
    assert!(html.contains("action=\"/operator/search\""), "{html}");

    // A customer number: the customer's page.
    let r = op.get("/operator/search?q=8800002").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/operator/customers/8800002");

    // A barcode, whatever its date and customer: the registered item.
    let r = op.get(&format!("/operator/search?q=+{barcode}+")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let to = location(&r);
    assert_eq!(
        to,
        format!("/registered-items?customer_number=8800002&barcode={barcode}")
    );
    let html = op.page(&to).await;
    assert!(html.contains(&barcode), "the item is listed: {html}");

    // A transaction id: the transaction, with its customer and a link to that day.
    let html = op.page("/operator/search?q=TX-B-1").await;
    assert!(html.contains("TX-B-1"));
    assert!(html.contains("Beta Logistics NV (8800002)"), "{html}");
    assert!(
        html.contains(
            "href=\"/transactions?customer_number=8800002&#38;from=2026-11-03&#38;to=2026-11-03\""
        ),
        "{html}"
    );
    assert!(html.contains("03/11/2026"), "the date as people write it");
    assert!(!html.contains("More than one"), "one match is not several");

    // A text that names two things lists both.
    let html = op.page("/operator/search?q=8800001").await;
    assert!(
        html.contains("href=\"/operator/customers/8800001\""),
        "{html}"
    );
    assert!(html.contains("from=2026-11-04"), "{html}");
    assert!(html.contains("More than one thing matches"), "{html}");

    // Nothing found, said plainly; a blank box finds nothing and says nothing.
    let html = op.page("/operator/search?q=no-such-thing").await;
    assert!(html.contains("Nothing found"), "{html}");
    assert!(
        html.contains("value=\"no-such-thing\""),
        "what was typed is kept"
    );
    let html = op.page("/operator/search?q=").await;
    assert!(!html.contains("Nothing found"));
    let r = op
        .get(&format!("/operator/search?q={}", "x".repeat(65)))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("operator-search-error"));

    // Tenant-wide is for the Service Centre only.
    for who in ["a.admin", "a.user", "b.admin"] {
        let mut c = t.signed_in(who).await;
        let r = c.get("/operator/search?q=8800002").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
        assert!(!r.text.contains("TX-B-1"));
    }
    let r = t.browser().get("/operator/search?q=8800002").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/login"));
}

async fn a_customers_page_links_to_its_data(t: &TestApp) {
    let mut op = t.signed_in("op.one").await;
    let html = op.page("/operator/customers/8800001").await;
    for path in [
        "/transactions?customer_number=8800001",
        "/registered-items?customer_number=8800001",
        "/users?customer_number=8800001",
        "/operator/audit?customer_number=8800001",
    ] {
        assert!(
            html.contains(&format!("href=\"{path}\"")),
            "no link to {path}"
        );
        // Each link works for the operator, on that customer.
        let page = op.page(path).await;
        assert!(page.contains("8800001"), "{path} names the customer");
        assert!(!page.contains("Beta Logistics"), "{path}");
    }
    // The customer's own users cannot follow an operator's link into another customer.
    let mut a = t.signed_in("a.admin").await;
    let page = a.page("/users?customer_number=8800002").await;
    assert!(!page.contains("b.user"));
}

async fn suspend_disable_and_reject_ask_on_a_page_of_their_own(t: &TestApp) {
    let mut op = t.signed_in("op.one").await;
    let status = |number: &'static str| {
        format!("SELECT status FROM customers WHERE customer_number = '{number}'")
    };

    // Suspend: the customer page's button leads to a page of its own.
    let html = op.page("/operator/customers/8800002").await;
    assert!(html.contains("<form method=\"get\" action=\"/operator/customers/8800002/suspend\""));
    let html = op.page("/operator/customers/8800002/suspend").await;
    assert!(html.contains("<form method=\"post\" action=\"/operator/customers/8800002/suspend\""));
    assert!(html.contains("name=\"confirm\" value=\"yes\""));
    assert!(extract_csrf(&html).is_some(), "the form carries its token");
    assert!(
        html.contains("href=\"/operator/customers/8800002\""),
        "a way back"
    );
    // Without the confirmation: asked again, nothing done (the reason is kept).
    let r = op
        .post_form(
            "/operator/customers/8800002/suspend",
            &[("reason", "unpaid")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("name=\"confirm\" value=\"yes\""));
    assert!(r.text.contains("value=\"unpaid\""));
    assert_eq!(t.text(status("8800002")).await, "active");
    // With it: done.
    let r = op
        .post_form(
            "/operator/customers/8800002/suspend",
            &[("reason", "unpaid"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(t.text(status("8800002")).await, "suspended");
    // An overlong reason is shown beside its field on the confirmation page.
    let long = "z".repeat(501);
    let r = op
        .post_form(
            "/operator/customers/8800001/suspend",
            &[("reason", &long), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("aria-describedby=\"reason-error\""));
    assert!(r.text.contains("name=\"confirm\" value=\"yes\""));
    assert_eq!(t.text(status("8800001")).await, "active");
    // The API is unchanged: it acts at once.
    let api = t.api_as("op.one").await;
    let s = api
        .post("/api/v1/operator/customers/8800002/reactivate")
        .await
        .status;
    assert_eq!(s, StatusCode::NO_CONTENT);

    // Disable a user, as the customer's admin and as the Service Centre.
    let user = t.fx.users["a.user"];
    let user_status = format!("SELECT status FROM users WHERE id = {user}");
    let mut admin = t.signed_in("a.admin").await;
    let html = admin.page(&format!("/users/{user}")).await;
    assert!(html.contains(&format!(
        "<form method=\"get\" action=\"/users/{user}/disable\""
    )));
    let html = admin.page(&format!("/users/{user}/disable")).await;
    assert!(html.contains(&format!(
        "<form method=\"post\" action=\"/users/{user}/disable\""
    )));
    let r = admin
        .post_form(&format!("/users/{user}/disable"), &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("name=\"confirm\" value=\"yes\""));
    assert_eq!(t.text(&user_status).await, "active");
    let r = admin
        .post_form(&format!("/users/{user}/disable"), &[("confirm", "no")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(t.text(&user_status).await, "active");
    // Another customer's user: 404 on the page as on the form.
    let other = t.fx.users["b.user"];
    let r = admin.get(&format!("/users/{other}/disable")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let html = op
        .page(&format!("/users/{user}/disable?customer_number=8800001"))
        .await;
    assert!(
        html.contains(&format!(
            "action=\"/users/{user}/disable?customer_number=8800001\""
        )),
        "{html}"
    );
    let r = op
        .post_form(
            &format!("/users/{user}/disable?customer_number=8800001"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(t.text(&user_status).await, "disabled");
    // Once disabled, the confirmation page leads back to the user.
    let r = op
        .get(&format!("/users/{user}/disable?customer_number=8800001"))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // Reject an access request.
    let s = t
        .anonymous()
        .post_json(
            "/api/v1/access-requests",
            &json!({
                "company_name": "Imprimerie Dupont & Fils SA",
                "vat_number": "BE 0207.519.226",
                "street": "Rue de la Loi 16",
                "postcode": "1000",
                "city": "Bruxelles",
                "country": "be",
                "contact_name": "Anne Dupont",
                "email": "anne@dupont.example",
                "phone": "+32 2 123.45.67",
                "language": "en",
                "username": "dupont.admin",
            }),
        )
        .await
        .status;
    assert!(s.is_success(), "{s}");
    let id = t.count("SELECT MAX(id) FROM access_requests").await;
    let request_status = format!("SELECT status FROM access_requests WHERE id = {id}");
    let html = op.page(&format!("/operator/access-requests/{id}")).await;
    assert!(html.contains(&format!(
        "<form method=\"get\" action=\"/operator/access-requests/{id}/reject\""
    )));
    let html = op
        .page(&format!("/operator/access-requests/{id}/reject"))
        .await;
    assert!(html.contains("anne@dupont.example"), "says who is told");
    assert!(html.contains("name=\"confirm\" value=\"yes\""));
    let r = op
        .post_form(
            &format!("/operator/access-requests/{id}/reject"),
            &[("reason", "Not a customer of ours.")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("Not a customer of ours."));
    assert_eq!(t.text(&request_status).await, "pending");
    let r = op
        .post_form(
            &format!("/operator/access-requests/{id}/reject"),
            &[("reason", " "), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("id=\"reason-error\""));
    assert_eq!(t.text(&request_status).await, "pending");
    let r = op
        .post_form(
            &format!("/operator/access-requests/{id}/reject"),
            &[("reason", "Not a customer of ours."), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(t.text(&request_status).await, "rejected");
}

const POINTS_OK: &str = "customer_number,code,name,street,postcode,city\n\
                         8800001,QUAI,Quai,Quai 1,1070,Anderlecht\n";
/// Line 2: a missing name; line 3: an unknown customer.
const POINTS_BAD: &str = "customer_number,code,name,street,postcode,city\n\
                          8800001,GARE,,Rue de la Gare 1,1070,Anderlecht\n\
                          8899999,GARE,Gare,Rue de la Gare 1,1070,Anderlecht\n";

/// Uploads `body` as a collection-points file through the page.
async fn upload(b: &mut Browser, body: &str, dry_run: bool) -> crate::harness::Reply {
    let page = b.page("/operator/imports").await;
    let csrf = extract_csrf(&page).unwrap();
    let mut form = reqwest::multipart::Form::new()
        .text("_csrf", csrf)
        .text("kind", "collection-points");
    if dry_run {
        form = form.text("dry_run", "true");
    }
    let form = form.part(
        "file",
        reqwest::multipart::Part::bytes(body.as_bytes().to_vec())
            .file_name("points.csv")
            .mime_str("text/csv")
            .unwrap(),
    );
    let rb = b.builder(Method::POST, "/operator/imports").multipart(form);
    b.send(rb).await
}

async fn an_upload_answers_with_a_redirect_to_its_report(t: &TestApp) {
    let mut op = t.signed_in("op.one").await;
    let r = upload(&mut op, POINTS_OK, false).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let to = location(&r);
    let id = t.count("SELECT MAX(id) FROM import_runs").await;
    assert_eq!(to, format!("/operator/imports/{id}"));
    assert!(
        !to.contains("csrf") && !to.contains('?'),
        "no token in {to}"
    );
    // Reloading the report shows it again and imports nothing again.
    for _ in 0..2 {
        let html = op.page(&to).await;
        assert!(html.contains("The file was imported."), "{html}");
        assert!(html.contains("points.csv"));
    }
    assert_eq!(t.count("SELECT COUNT(*) FROM import_runs").await, 1);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM collection_points WHERE code = 'QUAI'")
            .await,
        1
    );
    // A rejected file is recorded too: its report is a page of its own as well.
    let r = upload(&mut op, POINTS_BAD, false).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let html = op.page(&location(&r)).await;
    assert!(
        html.contains("<td class=\"num\">2</td><td>name</td>"),
        "{html}"
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM import_runs").await, 2);
}

async fn import_problems_are_in_the_operators_language_on_the_page_only(t: &TestApp) {
    let api = t.api_as("op.one").await;
    let r = api
        .post_body(
            "/api/v1/operator/imports/collection-points",
            "text/csv",
            POINTS_BAD.to_owned(),
        )
        .await;
    let v = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "import_rejected");
    let details: Vec<(u64, String, String, String)> = v["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["column"].as_str().unwrap().to_owned(),
                d["code"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // The API keeps the importer's English words (SPEC §4).
    assert_eq!(
        details,
        [
            (
                2,
                "name".into(),
                "field_required".into(),
                "a value is required".into()
            ),
            (
                3,
                "customer_number".into(),
                "unknown_reference".into(),
                "no customer 8899999 (import it with the customers feed first)".into()
            ),
        ]
    );
    let id = v["error"]["import_id"].as_i64().unwrap();
    let (_, runs) = api.get("/api/v1/operator/imports").await.status_json();
    assert_eq!(runs["items"][0]["id"], id, "{runs}");
    assert_eq!(
        runs["items"][0]["errors"][0]["message"],
        "a value is required"
    );

    // The page says the same in the operator's language.
    let mut op = t.signed_in("op.one").await;
    for (lang, required, no_customer) in [
        ("en", "a value is required", "no customer 8899999"),
        ("fr", "une valeur est obligatoire", "aucun client 8899999"),
        ("nl", "een waarde is verplicht", "geen klant 8899999"),
        ("de", "ein Wert ist erforderlich", "kein Kunde 8899999"),
    ] {
        op.post_form("/language", &[("language", lang), ("next", "/")])
            .await;
        let html = op.page(&format!("/operator/imports/{id}")).await;
        assert!(html.contains(&format!("<html lang=\"{lang}\"")), "{lang}");
        assert!(html.contains(required), "{lang}: {html}");
        assert!(html.contains(no_customer), "{lang}: {html}");
        if lang != "en" {
            assert!(!html.contains("a value is required"), "{lang}");
        }
    }
    // A run recorded before problems kept their values is shown in its English words.
    t.exec(format!(
        "UPDATE import_runs SET errors = '[{{\"line\":2,\"column\":\"name\",\"code\":\"field_required\",\"message\":\"a value is required\"}}]' WHERE id = {id}"
    ))
    .await;
    let html = op.page(&format!("/operator/imports/{id}")).await;
    assert!(html.contains("a value is required"), "{html}");
}

async fn a_dry_run_says_what_it_would_insert(t: &TestApp) {
    let mut op = t.signed_in("op.one").await;
    let r = upload(&mut op, POINTS_OK, true).await;
    // A dry run records nothing, so its report is the answer itself.
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text;
    assert!(html.contains("Would be inserted"), "{html}");
    assert!(!html.contains("<dt>Inserted</dt>"), "{html}");
    assert!(html.contains("nothing was changed"));
    assert_eq!(t.count("SELECT COUNT(*) FROM import_runs").await, 0);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM collection_points WHERE code = 'QUAI'")
            .await,
        0
    );
    // The API's summary keeps its fields.
    let v: Value = t
        .api_as("op.one")
        .await
        .post_body(
            "/api/v1/operator/imports/collection-points?dry_run=true",
            "text/csv",
            POINTS_OK.to_owned(),
        )
        .await
        .json();
    assert_eq!(v["dry_run"], true, "{v}");
    assert_eq!(v["inserted"], 1, "{v}");
}

async fn the_activity_log_reads_as_words(t: &TestApp) {
    // A sign-in, and a refusal written as `access.denied` on `route GET /operator/audit`.
    let mut a_user = t.signed_in("a.user").await;
    assert_eq!(
        a_user.get("/operator/audit").await.status,
        StatusCode::FORBIDDEN
    );
    let mut op = t.signed_in("op.one").await;
    let html = op.page("/operator/audit?customer_number=8800001").await;
    assert!(html.contains("<strong>Signed in</strong>"), "{html}");
    assert!(html.contains("<strong>Access refused</strong>"), "{html}");
    assert!(html.contains("page /operator/audit"), "{html}");
    assert!(!html.contains("route GET"), "{html}");
    // The code is no longer the action's cell, only a detail (what the filter takes).
    assert!(!html.contains("<td><code>login.ok</code></td>"), "{html}");
    assert!(html.contains("<code>login.ok</code>"), "{html}");
    // Fewer columns: when, who, what, details.
    let head = &html[html.find("<thead>").unwrap()..html.find("</thead>").unwrap()];
    assert_eq!(head.matches("<th ").count(), 4, "{head}");

    // A customer's administrator reads its own trail in its language.
    let mut admin = t.signed_in("a.admin").await;
    admin
        .post_form("/language", &[("language", "fr"), ("next", "/")])
        .await;
    let html = admin.page("/audit").await;
    assert!(html.contains("<strong>Connexion</strong>"), "{html}");
    assert!(html.contains("<strong>Accès refusé</strong>"), "{html}");

    // The API keeps the action codes.
    let (_, v) = t
        .api_as("op.one")
        .await
        .get("/api/v1/operator/audit?customer_number=8800001&limit=500")
        .await
        .status_json();
    let actions: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"login.ok"), "{actions:?}");
    assert!(actions.contains(&"access.denied"), "{actions:?}");
}

fn run(file_name: &'static str, finished_at: time::OffsetDateTime) -> NewImportRun<'static> {
    NewImportRun {
        kind: "products",
        file_name,
        sha256: "00",
        actor: "op.one",
        actor_user_id: None,
        started_at: finished_at,
        finished_at,
        outcome: "imported",
        rows_read: 1,
        inserted: 1,
        already_present: 0,
        updated: 0,
        error_count: 0,
        lock_millis: Some(1),
        errors: "[]",
    }
}

async fn the_imports_list_is_newest_first(t: &TestApp) {
    // Recorded out of order (as the demo does), two of them in the same second.
    Seed::new(t)
        .import_run(run("ten.csv", datetime!(2026-11-26 10:00:00 UTC)))
        .import_run(run("nine.csv", datetime!(2026-11-26 09:00:00 UTC)))
        .import_run(run("ten-later-id.csv", datetime!(2026-11-26 10:00:00 UTC)))
        .import_run(run("eleven.csv", datetime!(2026-11-26 11:00:00 UTC)))
        .insert()
        .await;
    let newest_first = ["eleven.csv", "ten-later-id.csv", "ten.csv", "nine.csv"];

    let mut op = t.signed_in("op.one").await;
    let html = op.page("/operator/imports").await;
    let at: Vec<usize> = newest_first
        .iter()
        .map(|f| html.find(&format!("<td>{f}</td>")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");

    // The API in the same order, page by page.
    let api = t.api_as("op.one").await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/operator/imports?limit=1".to_owned();
    loop {
        let (s, v) = api.get(&path).await.status_json();
        assert_eq!(s, StatusCode::OK, "{v}");
        for item in v["items"].as_array().unwrap() {
            seen.push(item["file_name"].as_str().unwrap().to_owned());
        }
        match v["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/operator/imports?limit=1&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, newest_first);
    let r = api.get("/api/v1/operator/imports?cursor=12").await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_cursor");
}
