//! Access requests end to end: the public form, the operator's queue, approval and rejection.

use crate::harness::{
    Seed, TestApp, User, error_details, error_fields, extract_csrf, send, token_of,
};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

crate::on_both!(
    one_address_may_send_a_bounded_number_of_requests,
    invalid_fields_are_named_one_by_one_and_nothing_is_stored,
    a_valid_request_is_stored_pending_normalised_and_acknowledged,
    the_form_keeps_what_was_typed_and_shows_each_error_beside_its_field,
    the_username_must_be_free_and_not_already_requested,
    journey_request_approve_invitation_password_sign_in,
    approval_links_an_existing_customer_instead_of_creating_one,
    approval_without_a_customer_number_checks_a_given_one,
    approval_without_any_customer_number_assigns_a_provisional_one,
    rejection_sends_the_reason_in_the_request_language,
    duplicate_pending_requests_are_flagged,
    the_list_is_newest_first_filtered_and_paged,
    deciding_twice_is_a_conflict_and_unknown_ids_are_404,
    a_username_taken_meanwhile_stops_the_approval,
    operator_routes_refuse_customers_and_anonymous_callers,
    operator_pages_review_approve_and_reject,
);

/// A valid request; `overrides` replaces fields.
fn request(overrides: &Value) -> Value {
    let mut v = json!({
        "company_name": "Imprimerie Dupont & Fils SA",
        "vat_number": "BE 0207.519.226",
        "customer_number": "",
        "street": "Rue de la Loi 16",
        "postcode": "1000",
        "city": "Bruxelles",
        "country": "be",
        "contact_name": "Anne Dupont",
        "email": "anne@dupont.example",
        "phone": "+32 2 123.45.67",
        "language": "en",
        "username": "dupont.admin",
        "webpass": "DUPONT-WEB-77",
        "message": "We send about 200 letters a day.",
    });
    if let (Some(base), Some(extra)) = (v.as_object_mut(), overrides.as_object()) {
        for (k, val) in extra {
            base.insert(k.clone(), val.clone());
        }
    }
    v
}

async fn submitted(t: &TestApp, overrides: Value) -> i64 {
    let r = t
        .post_json("/api/v1/access-requests", &request(&overrides))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let v: Value = r.json();
    v["id"].as_i64().unwrap()
}

/// The messages queued for sending, as composed (recipient, subject, plain text), oldest first.
async fn queued_mail(t: &TestApp) -> Vec<(String, String, String)> {
    let mut c = t.app().store.acquire().await.unwrap();
    let payloads: Vec<String> = cs_store::on_conn!(&mut c.conn(), |x| sqlx::query_scalar(
        "SELECT payload FROM jobs WHERE kind = 'send_email' ORDER BY id"
    )
    .fetch_all(x)
    .await)
    .unwrap();
    payloads
        .iter()
        .map(|p| {
            // Sealed while queued: opened with the portal's own key.
            let sealed: String = serde_json::from_str(p).unwrap();
            assert!(sealed.starts_with("sealed:v1:"), "{sealed}");
            let plain = t
                .app()
                .settings
                .secret_keys
                .open("job:send_email", &sealed)
                .unwrap();
            let v: Value = serde_json::from_str(&plain).unwrap();
            (
                v["to"].as_str().unwrap().to_owned(),
                v["subject"].as_str().unwrap().to_owned(),
                v["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn invalid_fields_are_named_one_by_one_and_nothing_is_stored(t: &TestApp) {
    // One bad field at a time: the detail names exactly that field.
    for (overrides, field, code) in [
        (
            json!({"vat_number": "BE0428759498"}),
            "vat_number",
            "vat_checksum",
        ),
        (
            json!({"vat_number": "BE 0428 759 49"}),
            "vat_number",
            "vat_belgian_format",
        ),
        (
            json!({"email": "anne.dupont.example"}),
            "email",
            "email_missing_at",
        ),
        (json!({"email": "anne@localhost"}), "email", "email_domain"),
        (json!({"company_name": "   "}), "company_name", "required"),
        (json!({"phone": "02 12"}), "phone", "phone_too_short"),
        (
            json!({"phone": "call me"}),
            "phone",
            "phone_invalid_character",
        ),
        (
            json!({"customer_number": "88-01"}),
            "customer_number",
            "customer_number_not_digits",
        ),
        (json!({"country": "XX"}), "country", "country_unknown"),
        (json!({"language": "es"}), "language", "language_unknown"),
        (json!({"username": "a"}), "username", "username_too_short"),
        (json!({"webpass": "w".repeat(101)}), "webpass", "too_long"),
        (json!({"message": "m".repeat(2001)}), "message", "too_long"),
        (
            json!({"street": "Rue\nBcc: x@evil.example"}),
            "street",
            "control_character",
        ),
    ] {
        let r = t
            .post_json("/api/v1/access-requests", &request(&overrides))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{overrides}");
        assert_eq!(
            error_details(&r.json()),
            vec![(field.to_owned(), code.to_owned())],
            "{overrides}"
        );
    }
    // Missing fields count as empty: one detail per required field, all at once.
    let r = t
        .post_json(
            "/api/v1/access-requests",
            &json!({"vat_number": "BE0428759498"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json();
    assert_eq!(v["error"]["code"], "validation_failed");
    let fields: Vec<&str> = v["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "company_name",
            "vat_number",
            "street",
            "postcode",
            "city",
            "contact_name",
            "email",
            "phone",
            "username"
        ]
    );
    // Malformed JSON is a 400, not a field problem.
    let r = t
        .anonymous()
        .post_body("/api/v1/access-requests", "application/json", "{not json")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(t.count("SELECT COUNT(*) FROM access_requests").await, 0);
    assert_eq!(t.count("SELECT COUNT(*) FROM jobs").await, 0, "no e-mail");
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'access_request.%'")
            .await,
        0
    );
}

async fn a_valid_request_is_stored_pending_normalised_and_acknowledged(t: &TestApp) {
    let r = t
        .post_json(
            "/api/v1/access-requests",
            &request(&json!({"language": "fr", "customer_number": 8800555, "country": ""})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let v: Value = r.json();
    assert!(v["id"].as_i64().unwrap() > 0);
    assert_eq!(v["status"], "pending");
    assert_eq!(v["vat_number"], "BE0207519226");
    assert_eq!(v["customer_number"], "8800555");
    assert_eq!(v["phone"], "+3221234567");
    assert_eq!(v["country"], "BE", "BE when not given");
    assert_eq!(v["language"], "fr");
    assert_eq!(v["username"], "dupont.admin");
    assert_eq!(v["company_name"], "Imprimerie Dupont & Fils SA");
    assert!(
        v.get("webpass").is_none(),
        "the webpass is never echoed: {v}"
    );
    assert!(
        v.get("duplicates").is_none(),
        "the public learns nothing of other requests"
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM access_requests WHERE status = 'pending' AND webpass = 'DUPONT-WEB-77'")
            .await,
        1
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'access_request.submitted' AND object_type = 'access_request'")
            .await,
        1
    );
    let queued = queued_mail(t).await;
    assert_eq!(queued.len(), 1);
    let (to, subject, text) = &queued[0];
    assert_eq!(to, "anne@dupont.example");
    assert!(
        subject.contains("Nous avons bien reçu"),
        "in French: {subject}"
    );
    assert!(text.starts_with("Bonjour Anne Dupont,"), "{text}");
    assert!(
        text.contains("Imprimerie Dupont & Fils SA") && text.contains("dupont.admin"),
        "{text}"
    );
    assert!(!text.contains("DUPONT-WEB-77"));
    let outbox = t.mail().await;
    assert!(
        outbox
            .iter()
            .any(|(_, m)| m.contains("<anne@dupont.example>")),
        "delivered to the contact"
    );
    // Absent language: the caller's.
    let body = request(
        &json!({"language": null, "username": "second.admin", "vat_number": "BE0835221171"}),
    );
    let rb = t
        .anonymous()
        .request(Method::POST, "/api/v1/access-requests")
        .header(header::ACCEPT_LANGUAGE, "nl-BE,nl;q=0.9")
        .json(&body);
    let r = send(rb).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let v: Value = r.json();
    assert_eq!(v["language"], "nl");
}

async fn the_form_keeps_what_was_typed_and_shows_each_error_beside_its_field(t: &TestApp) {
    let mut b = t.browser();
    let page = b.get("/access-request").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text;
    for field in [
        "company_name",
        "vat_number",
        "customer_number",
        "street",
        "postcode",
        "city",
        "country",
        "contact_name",
        "email",
        "phone",
        "language",
        "username",
        "webpass",
        "message",
    ] {
        assert!(
            html.contains(&format!("name=\"{field}\"")),
            "{field} on the form"
        );
        assert!(
            html.contains(&format!("<label for=\"{field}\"")),
            "{field} labelled"
        );
    }
    let typed = [
        ("company_name", "Imprimerie <Dupont> & Fils"),
        ("vat_number", "BE0428759498"),
        ("customer_number", ""),
        ("street", "Rue de la Loi 16"),
        ("postcode", "1000"),
        ("city", "Bruxelles"),
        ("country", "BE"),
        ("contact_name", "Anne Dupont"),
        ("email", "anne.dupont.example"),
        ("phone", "+32 2 123 45 67"),
        ("language", "nl"),
        ("username", "dupont.admin"),
        ("webpass", "DUPONT-WEB-77"),
        ("message", "Line one\r\nline two"),
    ];
    let r = b.post_form("/access-request", &typed).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    // Everything typed is back, escaped.
    for value in [
        "value=\"Imprimerie &#60;Dupont&#62; &#38; Fils\"",
        "value=\"BE0428759498\"",
        "value=\"Rue de la Loi 16\"",
        "value=\"anne.dupont.example\"",
        "value=\"+32 2 123 45 67\"",
        "value=\"dupont.admin\"",
        "value=\"DUPONT-WEB-77\"",
        "<option value=\"nl\" selected>",
        "Line one\r\nline two</textarea>",
    ] {
        let found = html.contains(value)
            || html.contains(
                &value
                    .replace("&#60;", "&lt;")
                    .replace("&#62;", "&gt;")
                    .replace("&#38;", "&amp;"),
            );
        assert!(found, "kept: {value}");
    }
    assert!(!html.contains("<Dupont>"), "escaped");
    // Each error beside its field, tied to it for assistive technology.
    for field in ["vat_number", "email"] {
        let input = html
            .split(&format!("id=\"{field}\" name=\"{field}\""))
            .nth(1)
            .and_then(|rest| rest.split('>').next())
            .unwrap_or_else(|| panic!("input {field}"));
        assert!(input.contains("aria-invalid=\"true\""), "{field}: {input}");
        assert!(
            input.contains(&format!("{field}-error")),
            "{field}: {input}"
        );
        assert!(
            html.contains(&format!("<p class=\"error\" id=\"{field}-error\">")),
            "{field}"
        );
    }
    let street = html.split("id=\"street\" name=\"street\"").nth(1).unwrap();
    assert!(!street.split('>').next().unwrap().contains("aria-invalid"));
    assert!(
        html.contains("href=\"#vat_number\""),
        "the summary links to the field"
    );
    assert!(
        html.contains("check digits do not match"),
        "translated message"
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM access_requests").await, 0);

    // Corrected: stored, then the confirmation page (post/redirect/get).
    let mut fixed = typed.to_vec();
    fixed[1] = ("vat_number", "BE0428759497");
    fixed[8] = ("email", "anne@dupont.example");
    let r = b.post_form("/access-request", &fixed).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/access-request/sent");
    let sent = b.get("/access-request/sent").await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.text.contains("role=\"status\""));
    assert_eq!(
        t.count("SELECT COUNT(*) FROM access_requests WHERE language = 'nl' AND message = 'Line one\nline two'")
            .await,
        1
    );
    // The form needs its token like the sign-in form.
    let mut stranger = t.browser();
    let r = stranger
        .request(Method::POST, "/access-request", &[], Some(&fixed))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn the_username_must_be_free_and_not_already_requested(t: &TestApp) {
    let r = t
        .post_json(
            "/api/v1/access-requests",
            &request(&json!({"username": "A.Admin"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_details(&r.json()),
        [("username".to_owned(), "username_taken".to_owned())]
    );
    submitted(t, json!({"username": "new.admin"})).await;
    let r = t
        .post_json(
            "/api/v1/access-requests",
            &request(&json!({"username": "NEW.Admin", "vat_number": "BE0835221171"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "requested by a pending request"
    );
    assert_eq!(
        error_details(&r.json()),
        [("username".to_owned(), "username_taken".to_owned())]
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM access_requests").await, 1);
}

async fn journey_request_approve_invitation_password_sign_in(t: &TestApp) {
    let id = submitted(
        t,
        json!({"customer_number": "8800100", "username": "Dupont.Admin"}),
    )
    .await;
    let op = t.api_as("op.one").await;
    let r = op
        .post(&format!("/api/v1/operator/access-requests/{id}/approve"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v: Value = r.json();
    assert_eq!(v["status"], "approved");
    assert_eq!(v["decided_by"], "op.one");
    assert_eq!(v["customer"]["customer_number"], "8800100");
    assert_eq!(v["customer"]["name"], "Imprimerie Dupont & Fils SA");
    assert!(v.get("webpass").is_none());
    assert!(
        v["decided_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-26T10:00:00")
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM customers WHERE customer_number = '8800100' AND name = 'Imprimerie Dupont & Fils SA' AND vat_number = 'BE0207519226' AND language = 'en' AND city = 'Bruxelles' AND country = 'BE'")
            .await,
        1,
        "created from the request"
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM users WHERE username = 'Dupont.Admin' AND username_key = 'dupont.admin' AND role = 'admin' AND status = 'invited' AND email = 'anne@dupont.example' AND full_name = 'Anne Dupont' AND password_hash IS NULL")
            .await,
        1
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM access_requests WHERE status = 'approved' AND decided_at IS NOT NULL AND decided_by IS NOT NULL AND customer_id IS NOT NULL AND user_id IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'access_request.approved' AND actor = 'op.one'")
            .await,
        1
    );
    // Not usable before the password is set.
    let mut b = t.browser();
    assert_eq!(
        b.sign_in("dupont.admin", "a long enough password 1")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let link = t.link_sent_to("anne@dupont.example").await;
    let token = token_of(&link);
    let password = "a long enough password 1";
    let r = t.set_password(token, password).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = b.sign_in("dupont.admin", password).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let me: Value = b.get("/api/v1/me").await.json();
    assert_eq!(me["role"], "admin");
    assert_eq!(me["username"], "Dupont.Admin");
    assert_eq!(me["customer"]["customer_number"], "8800100");
    assert_eq!(me["customer"]["name"], "Imprimerie Dupont & Fils SA");
    assert_eq!(me["status"], "active");
}

async fn approval_links_an_existing_customer_instead_of_creating_one(t: &TestApp) {
    let id = submitted(
        t,
        json!({"customer_number": "8800001", "username": "alpha.second", "email": "boss@alpha.example", "contact_name": "Alpha Boss"}),
    )
    .await;
    let op = t.api_as("op.one").await;
    // The operator sees which customer approval will link.
    let detail: Value = op
        .get(&format!("/api/v1/operator/access-requests/{id}"))
        .await
        .json();
    assert_eq!(
        detail["webpass"], "DUPONT-WEB-77",
        "shown on the single request"
    );
    let r = op
        .post_json(
            &format!("/api/v1/operator/access-requests/{id}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v: Value = r.json();
    assert_eq!(v["customer"]["customer_number"], "8800001");
    assert_eq!(
        v["customer"]["name"], "Alpha Printing SA",
        "the existing customer, unchanged"
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM customers").await,
        2,
        "nothing created"
    );
    let linked = t
        .count("SELECT COUNT(*) FROM users u JOIN customers c ON c.id = u.customer_id WHERE u.username = 'alpha.second' AND c.customer_number = '8800001' AND u.role = 'admin'")
        .await;
    assert_eq!(linked, 1);
    let link = t.link_sent_to("boss@alpha.example").await;
    let token = token_of(&link);
    let r = t.set_password(token, "alpha second password").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let mut b = t.browser();
    assert_eq!(
        b.sign_in("alpha.second", "alpha second password")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let me: Value = b.get("/api/v1/me").await.json();
    assert_eq!(me["customer"]["customer_number"], "8800001");
}

async fn approval_without_a_customer_number_checks_a_given_one(t: &TestApp) {
    let id = submitted(t, json!({})).await;
    let op = t.api_as("op.one").await;
    let path = format!("/api/v1/operator/access-requests/{id}/approve");
    let r = op
        .post_json(&path, &json!({"customer_number": "88 00"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_details(&r.json())[0].0, "customer_number");
    assert_eq!(
        t.count("SELECT COUNT(*) FROM users WHERE username = 'dupont.admin'")
            .await,
        0
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM access_requests WHERE status = 'pending'")
            .await,
        1,
        "a refused approval leaves the request pending"
    );
    let r = op
        .post_json(&path, &json!({"customer_number": "8800200"}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v: Value = r.json();
    assert_eq!(v["customer"]["customer_number"], "8800200");
    assert_eq!(
        v["customer_number"],
        Value::Null,
        "the request keeps what was asked"
    );
}

async fn rejection_sends_the_reason_in_the_request_language(t: &TestApp) {
    let id = submitted(
        t,
        json!({"language": "nl", "contact_name": "Jan Peeters", "email": "jan@peeters.example"}),
    )
    .await;
    let op = t.api_as("op.one").await;
    let path = format!("/api/v1/operator/access-requests/{id}/reject");
    for body in [None, Some(json!({})), Some(json!({"reason": "  "}))] {
        let r = op.call(Method::POST, &path, body.as_ref()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body:?}");
        assert_eq!(
            error_details(&r.json()),
            [("reason".to_owned(), "required".to_owned())]
        );
    }
    let reason = "Uw onderneming heeft nog geen contract voor Collect & Stamp.";
    let r = op.post_json(&path, &json!({"reason": reason})).await;
    assert_eq!(r.status, StatusCode::OK);
    let v: Value = r.json();
    assert_eq!(v["status"], "rejected");
    assert_eq!(v["reason"], reason);
    assert_eq!(v["customer"], Value::Null);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM users WHERE username = 'dupont.admin'")
            .await,
        0
    );
    let mail = queued_mail(t).await;
    let (to, subject, text) = mail.last().unwrap();
    assert_eq!(to, "jan@peeters.example");
    assert!(subject.contains("Uw aanvraag"), "in Dutch: {subject}");
    assert!(text.starts_with("Beste Jan Peeters,"), "{text}");
    assert!(
        text.lines().any(|l| l == reason),
        "the reason on its own line: {text}"
    );
    assert!(
        t.mail()
            .await
            .iter()
            .any(|(_, m)| m.contains("<jan@peeters.example>")),
        "delivered"
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'access_request.rejected' AND actor = 'op.one'")
            .await,
        1
    );
}

async fn duplicate_pending_requests_are_flagged(t: &TestApp) {
    let first = submitted(
        t,
        json!({"username": "dup.one", "customer_number": "8800300"}),
    )
    .await;
    // Same VAT number, written differently.
    let second = submitted(
        t,
        json!({"username": "dup.two", "vat_number": "be0207519226"}),
    )
    .await;
    // Other VAT, same customer number.
    let third = submitted(
        t,
        json!({"username": "dup.three", "vat_number": "BE0835221171", "customer_number": "8800300"}),
    )
    .await;
    let lone = submitted(
        t,
        json!({"username": "lone.one", "vat_number": "BE0428759497"}),
    )
    .await;
    let op = t.api_as("op.one").await;
    let list: Value = op
        .get("/api/v1/operator/access-requests?status=pending")
        .await
        .json();
    let dups = |id: i64| -> Vec<i64> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()["duplicates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_i64().unwrap())
            .collect()
    };
    assert_eq!(dups(first), [second, third]);
    assert_eq!(dups(second), [first]);
    assert_eq!(dups(third), [first]);
    assert!(dups(lone).is_empty());
    for item in list["items"].as_array().unwrap() {
        assert!(item.get("webpass").is_none(), "never in lists");
        assert_eq!(item["webpass_given"], true);
    }
    // On the pages: a mark in the list, a warning on the request.
    let mut b = t.signed_in("op.one").await;
    let html = b.get("/operator/access-requests").await.text;
    assert_eq!(html.matches("Possible duplicate").count(), 3);
    let html = b
        .get(&format!("/operator/access-requests/{second}"))
        .await
        .text;
    assert!(html.contains("id=\"duplicates\""));
    assert!(html.contains(&format!("href=\"/operator/access-requests/{first}\"")));
    let html = b
        .get(&format!("/operator/access-requests/{lone}"))
        .await
        .text;
    assert!(!html.contains("id=\"duplicates\""));
    // A decided request is no longer a pending duplicate.
    let r = op
        .post_json(
            &format!("/api/v1/operator/access-requests/{first}/reject"),
            &json!({"reason": "duplicate"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let list: Value = op.get("/api/v1/operator/access-requests").await.json();
    let third_item = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == third)
        .unwrap();
    assert_eq!(third_item["duplicates"], json!([]));
}

async fn the_list_is_newest_first_filtered_and_paged(t: &TestApp) {
    let mut ids = Vec::new();
    for (i, vat) in ["BE0207519226", "BE0835221171", "BE0428759497"]
        .iter()
        .enumerate()
    {
        ids.push(
            submitted(
                t,
                json!({"username": format!("page.user{i}"), "vat_number": vat}),
            )
            .await,
        );
        t.clock.advance(time::Duration::minutes(5));
    }
    let op = t.api_as("op.one").await;
    let r = op
        .post_json(
            &format!("/api/v1/operator/access-requests/{}/reject", ids[0]),
            &json!({"reason": "no"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let page1: Value = op
        .get("/api/v1/operator/access-requests?limit=2")
        .await
        .json();
    let got: Vec<i64> = page1["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, [ids[2], ids[1]], "newest first");
    let cursor = page1["next_cursor"].as_str().unwrap().to_owned();
    let page2: Value = op
        .get(&format!(
            "/api/v1/operator/access-requests?limit=2&cursor={cursor}"
        ))
        .await
        .json();
    assert_eq!(page2["items"][0]["id"], ids[0]);
    assert_eq!(page2["items"].as_array().unwrap().len(), 1);
    assert_eq!(page2["next_cursor"], Value::Null);
    let pending: Value = op
        .get("/api/v1/operator/access-requests?status=pending")
        .await
        .json();
    assert_eq!(pending["items"].as_array().unwrap().len(), 2);
    let rejected: Value = op
        .get("/api/v1/operator/access-requests?status=rejected")
        .await
        .json();
    assert_eq!(rejected["items"][0]["id"], ids[0]);
    assert_eq!(rejected["items"][0]["reason"], "no");
    let big = op
        .get("/api/v1/operator/access-requests?limit=100000")
        .await;
    assert_eq!(big.status, StatusCode::UNPROCESSABLE_ENTITY);
    let big: Value = big.json();
    assert_eq!(big["error"]["code"], "invalid_limit", "refused, not cut");
    let r = op
        .get("/api/v1/operator/access-requests?status=done&limit=0&cursor=x")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = error_fields(&r.json());
    assert_eq!(fields, ["status", "cursor", "limit"]);
    // The page opens on the pending ones and can show the others.
    let mut b = t.signed_in("op.one").await;
    let html = b.get("/operator/access-requests").await.text;
    assert!(html.contains(&format!("href=\"/operator/access-requests/{}\"", ids[2])));
    assert!(!html.contains(&format!("href=\"/operator/access-requests/{}\"", ids[0])));
    assert!(html.contains("26/11/2026 11:10"), "received, Brussels time");
    let html = b
        .get("/operator/access-requests?status=rejected")
        .await
        .text;
    assert!(html.contains(&format!("href=\"/operator/access-requests/{}\"", ids[0])));
    assert!(html.contains("<option value=\"rejected\" selected>"));
}

async fn deciding_twice_is_a_conflict_and_unknown_ids_are_404(t: &TestApp) {
    let id = submitted(t, json!({"customer_number": "8800400"})).await;
    let op = t.api_as("op.one").await;
    let approve = format!("/api/v1/operator/access-requests/{id}/approve");
    let reject = format!("/api/v1/operator/access-requests/{id}/reject");
    assert_eq!(op.post(&approve).await.status, StatusCode::OK);
    for (path, body) in [(&approve, None), (&reject, Some(json!({"reason": "late"})))] {
        let r = op.call(Method::POST, path, body.as_ref()).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{path}");
        let v: Value = r.json();
        assert_eq!(v["error"]["code"], "already_decided");
    }
    assert_eq!(
        t.count("SELECT COUNT(*) FROM users WHERE username = 'dupont.admin'")
            .await,
        1
    );
    assert_eq!(
        t.count(
            "SELECT COUNT(*) FROM access_requests WHERE status = 'approved' AND reason IS NULL"
        )
        .await,
        1
    );
    for path in [
        "/api/v1/operator/access-requests/999999",
        "/api/v1/operator/access-requests/abc",
    ] {
        assert_eq!(op.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let r = op
        .post_json(
            "/api/v1/operator/access-requests/999999/approve",
            &json!({"customer_number": "1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = op
        .post_json(
            "/api/v1/operator/access-requests/999999/reject",
            &json!({"reason": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn a_username_taken_meanwhile_stops_the_approval(t: &TestApp) {
    let id = submitted(
        t,
        json!({"customer_number": "8800500", "username": "late.admin"}),
    )
    .await;
    // An admin of customer A creates the same username before the operator decides.
    let late = User::new(Some(t.fx.customer_a), "Late.Admin")
        .full_name("Late")
        .email("late@alpha.example")
        .status("invited");
    Seed::new(t).user(late).insert().await;
    let op = t.api_as("op.one").await;
    let r = op
        .post(&format!("/api/v1/operator/access-requests/{id}/approve"))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let v: Value = r.json();
    assert_eq!(v["error"]["code"], "username_taken");
    assert_eq!(
        t.count("SELECT COUNT(*) FROM customers WHERE customer_number = '8800500'")
            .await,
        0,
        "nothing half-done"
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM access_requests WHERE status = 'pending'")
            .await,
        1
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM one_time_tokens").await, 0);
}

async fn operator_routes_refuse_customers_and_anonymous_callers(t: &TestApp) {
    let id = submitted(t, json!({"customer_number": "8800001"})).await;
    let api = [
        (Method::GET, "/api/v1/operator/access-requests".to_owned()),
        (
            Method::GET,
            format!("/api/v1/operator/access-requests/{id}"),
        ),
        (
            Method::POST,
            format!("/api/v1/operator/access-requests/{id}/approve"),
        ),
        (
            Method::POST,
            format!("/api/v1/operator/access-requests/{id}/reject"),
        ),
    ];
    for who in ["a.admin", "a.user", "b.admin"] {
        let token = t.bearer(who).await;
        for (m, path) in &api {
            let body =
                (*m == Method::POST).then(|| json!({"reason": "x", "customer_number": "8800001"}));
            let r = t.api(&token).call(m.clone(), path, body.as_ref()).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{who} {m} {path}");
        }
        let mut b = t.signed_in(who).await;
        for path in [
            "/operator/access-requests".to_owned(),
            format!("/operator/access-requests/{id}"),
        ] {
            assert_eq!(
                b.get(&path).await.status,
                StatusCode::FORBIDDEN,
                "{who} {path}"
            );
        }
        let token = b.csrf().await;
        for action in ["approve", "reject"] {
            let r = b
                .request(
                    Method::POST,
                    &format!("/operator/access-requests/{id}/{action}"),
                    &[],
                    Some(&[
                        ("_csrf", &token),
                        ("reason", "x"),
                        ("customer_number", "8800001"),
                    ]),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{who} {action}");
        }
    }
    for (m, path) in &api {
        let r = t.anonymous().call(m.clone(), path, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "anonymous {path}");
    }
    let mut anon = t.browser();
    let r = anon.get("/operator/access-requests").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers[header::LOCATION],
        "/login?next=/operator/access-requests"
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM access_requests WHERE status = 'pending'")
            .await,
        1,
        "nothing decided"
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM users WHERE username = 'dupont.admin'")
            .await,
        0
    );
    assert!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied'")
            .await
            >= 12,
        "refusals are audited"
    );
}

async fn operator_pages_review_approve_and_reject(t: &TestApp) {
    let to_approve = submitted(t, json!({"username": "page.admin"})).await;
    let to_reject = submitted(
        t,
        json!({"username": "page.rejected", "vat_number": "BE0835221171", "customer_number": "8800001"}),
    )
    .await;
    let mut b = t.signed_in("op.one").await;
    let html = b.get("/operator/access-requests").await.text;
    assert!(
        html.contains("Imprimerie Dupont &#38; Fils SA")
            || html.contains("Imprimerie Dupont &amp; Fils SA")
    );
    assert!(!html.contains("DUPONT-WEB-77"), "no webpass in the list");
    assert!(
        html.contains("aria-current=\"page\""),
        "navigation marks the queue"
    );

    let page = b
        .get(&format!("/operator/access-requests/{to_approve}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text;
    assert!(
        html.contains("DUPONT-WEB-77"),
        "the webpass on the request itself"
    );
    assert!(html.contains("+3221234567"));
    let csrf = extract_csrf(&html).unwrap();
    // A customer number that is not one: the approve form says so beside its field.
    let r = b
        .request(
            Method::POST,
            &format!("/operator/access-requests/{to_approve}/approve"),
            &[],
            Some(&[("_csrf", &csrf), ("customer_number", "88 00")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    assert!(html.contains("id=\"customer_number-error\""));
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"customer_number-error"));
    let r = b
        .request(
            Method::POST,
            &format!("/operator/access-requests/{to_approve}/approve"),
            &[],
            Some(&[("_csrf", &csrf), ("customer_number", "8800600")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let location = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!("/operator/access-requests/{to_approve}?done=approved")
    );
    let html = b.get(&location).await.text;
    assert!(html.contains("The request was approved"));
    assert!(html.contains("8800600"));
    assert!(
        !html.contains("/approve\""),
        "no decision forms once decided"
    );
    t.link_sent_to("anne@dupont.example").await;

    // The existing customer is named before approving; reject with a reason.
    let html = b
        .get(&format!("/operator/access-requests/{to_reject}"))
        .await
        .text;
    assert!(html.contains("Customer 8800001 already exists: Alpha Printing SA"));
    assert!(
        html.contains("differs from the customer"),
        "VAT mismatch warned"
    );
    let r = b
        .request(
            Method::POST,
            &format!("/operator/access-requests/{to_reject}/reject"),
            &[],
            Some(&[("_csrf", &csrf), ("reason", " "), ("confirm", "yes")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("id=\"reason-error\""));
    let r = b
        .request(
            Method::POST,
            &format!("/operator/access-requests/{to_reject}/reject"),
            &[],
            Some(&[
                ("_csrf", &csrf),
                ("reason", "Not the right company."),
                ("confirm", "yes"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Deciding again from a stale page: a clear conflict, not a second decision.
    let r = b
        .request(
            Method::POST,
            &format!("/operator/access-requests/{to_reject}/approve"),
            &[],
            Some(&[("_csrf", &csrf), ("customer_number", "8800001")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text.contains("already been decided"));
    assert_eq!(
        t.count("SELECT COUNT(*) FROM access_requests WHERE status = 'rejected' AND reason = 'Not the right company.'")
            .await,
        1
    );
    // Without the form token: refused.
    let r = b
        .request(
            Method::POST,
            &format!("/operator/access-requests/{to_reject}/reject"),
            &[],
            Some(&[("reason", "x")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn approval_without_any_customer_number_assigns_a_provisional_one(t: &TestApp) {
    let op = t.api_as("op.one").await;
    let mut numbers = Vec::new();
    for username in ["first.admin", "second.admin"] {
        let id = submitted(
            t,
            json!({"username": username, "vat_number": "BE0403170701"}),
        )
        .await;
        let path = format!("/api/v1/operator/access-requests/{id}/approve");
        let r = op.post(&path).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "an approval without any number still works"
        );
        let v: Value = r.json();
        numbers.push(
            v["customer"]["customer_number"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(numbers, ["9900000001", "9900000002"]);
    assert_eq!(t.count("SELECT COUNT(*) FROM users WHERE username = 'second.admin' AND role = 'admin' AND status = 'invited'").await, 1);
}

async fn one_address_may_send_a_bounded_number_of_requests(t: &TestApp) {
    let limit = cs_app::access_requests::SUBMISSION_LIMIT;
    for i in 0..limit {
        let r = t
            .post_json(
                "/api/v1/access-requests",
                &request(&json!({"username": format!("flood{i}")})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "request {i}");
    }
    let r = t
        .post_json(
            "/api/v1/access-requests",
            &request(&json!({"username": "one.too.many"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let v: Value = r.json();
    assert_eq!(v["error"]["code"], "too_many_attempts");
    assert_eq!(t.count("SELECT COUNT(*) FROM access_requests").await, limit);
    t.clock.advance(time::Duration::hours(1));
    let r = t
        .post_json(
            "/api/v1/access-requests",
            &request(&json!({"username": "next.hour"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "the window moves on");
}
