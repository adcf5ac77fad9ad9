//! User management by a customer's administrators, end to end: the API and the pages, the
//! invitation, the last-admin rule, disabling, resets, tenant isolation, operators.

use crate::harness::{
    Api, Browser, PASSWORD, TestApp, error_fields, extract_csrf, item_strings, token_of,
};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};
use time::Duration;

crate::on_both!(
    sensitive_changes_ask_for_the_administrators_password_again,
    a_new_user_is_invited_and_signs_in_with_exactly_its_rights,
    invitation_links_last_72_hours,
    invited_users_have_no_rights_and_stay_invited_when_re_enabled,
    the_last_active_admin_can_be_neither_demoted_nor_disabled,
    disabling_a_user_ends_its_sessions_and_tokens_at_once,
    password_reset_mails_a_link_and_ends_sessions,
    another_customers_user_is_not_found_and_nothing_changes,
    users_without_user_management_are_refused,
    operators_name_the_customer,
    validation_errors_name_each_field,
    search_status_filter_and_paging,
    changes_are_audited_with_the_changed_fields,
    pages_create_edit_disable_and_reset,
    pages_show_errors_beside_fields_and_the_last_admin_refusal,
);

/// The fields of an error's details, sorted.
fn fields(v: &Value) -> Vec<String> {
    let mut f = error_fields(v);
    f.sort();
    f
}

async fn create(api: &Api, body: Value) -> Value {
    let (status, v) = api.post_json("/api/v1/users", &body).await.status_json();
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v
}

fn new_user(username: &str) -> Value {
    json!({
        "username": username,
        "full_name": format!("Full {username}"),
        "email": format!("{username}@example.com"),
        "language": "en",
        "role": "user",
        "modules": ["transactions"],
        "cost_centres": [],
    })
}

async fn a_new_user_is_invited_and_signs_in_with_exactly_its_rights(t: &TestApp) {
    let admin = t.api_as("a.admin").await;
    let r = admin
        .post_json(
            "/api/v1/users",
            &json!({
                "username": "Anne.Dupont",
                "full_name": "  Anne Dupont ",
                "email": "anne.dupont@Alpha.BE",
                "language": "fr",
                "role": "user",
                "modules": ["reports", "invoices"],
                "cost_centres": ["CA2"],
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let location = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    let created: Value = r.json();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/v1/users/{id}"));
    assert_eq!(
        created,
        json!({
            "id": id, "username": "Anne.Dupont", "full_name": "Anne Dupont",
            "email": "anne.dupont@alpha.be", "language": "fr", "role": "user",
            "modules": ["invoices", "reports"], "cost_centres": ["CA2"], "status": "invited",
        })
    );

    // Invited: no password, no rights.
    let mut b = t.browser();
    assert_eq!(
        b.sign_in("anne.dupont", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );

    // The invitation, in the user's language, with a one-time link.
    let eml = t.mail_to("anne.dupont@alpha.be").await;
    assert!(eml.contains("Anne.Dupont"), "the username is in the mail");
    assert!(
        eml.contains("72 heures"),
        "in French, with the link's lifetime: {eml}"
    );
    let link = t.link_sent_to("anne.dupont@alpha.be").await;
    assert_eq!(
        t.set_password(token_of(&link), "a brand new passphrase")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        t.set_password(token_of(&link), "a second new passphrase")
            .await
            .status,
        StatusCode::BAD_REQUEST,
        "single use"
    );

    let mut anne = t.browser();
    assert_eq!(
        anne.sign_in("ANNE.DUPONT", "a brand new passphrase")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let me: Value = anne.get("/api/v1/me").await.json();
    assert_eq!(me["role"], "user");
    assert_eq!(me["modules"], json!(["invoices", "reports"]));
    assert_eq!(me["cost_centres"], json!(["CA2"]));
    assert_eq!(me["customer"]["customer_number"], "8800001");
    assert_eq!(me["language"], "fr");
    assert_eq!(
        anne.get("/users").await.status,
        StatusCode::FORBIDDEN,
        "a user does not manage users"
    );

    let (status, now) = admin.get(&location).await.status_json();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(now["status"], "active");
    assert_eq!(
        t.count(format!(
                "SELECT COUNT(*) FROM audit_events WHERE action = 'user.created' AND object_id = '{id}' AND actor = 'a.admin' AND customer_id = {}",
                t.fx.customer_a
            )).await,
        1
    );
}

async fn invitation_links_last_72_hours(t: &TestApp) {
    let admin = t.api_as("a.admin").await;
    create(&admin, new_user("early.bird")).await;
    create(&admin, new_user("late.comer")).await;
    let early = t.link_sent_to("early.bird@example.com").await;
    let late = t.link_sent_to("late.comer@example.com").await;
    t.clock.advance(Duration::hours(71) + Duration::minutes(59));
    assert_eq!(
        t.set_password(token_of(&early), "a brand new passphrase")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    t.clock.advance(Duration::minutes(2));
    assert_eq!(
        t.set_password(token_of(&late), "a brand new passphrase")
            .await
            .status,
        StatusCode::BAD_REQUEST,
        "72 hours and one minute"
    );
}

async fn invited_users_have_no_rights_and_stay_invited_when_re_enabled(t: &TestApp) {
    assert_eq!(
        t.token(&json!({"username": "a.invited", "password": PASSWORD}))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let admin = t.api_as("a.admin").await;
    let id = t.fx.users["a.invited"];
    let path = format!("/api/v1/users/{id}");
    let (s, v) = admin
        .patch_json(&path, &json!({"status": "disabled"}))
        .await
        .status_json();
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("disabled"))
    );
    let (s, v) = admin
        .patch_json(&path, &json!({"status": "active"}))
        .await
        .status_json();
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"], "invited", "it never set a password");
    let (s, v) = admin
        .patch_json(&path, &json!({"status": "invited"}))
        .await
        .status_json();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), ["status"]);

    // A disabled user who had a password is active again.
    let id = t.fx.users["a.disabled"];
    let (s, v) = admin
        .patch_json(&format!("/api/v1/users/{id}"), &json!({"status": "active"}))
        .await
        .status_json();
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("active")));
    assert_eq!(
        t.token(&json!({"username": "a.disabled", "password": PASSWORD}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'user.enabled'")
            .await,
        2
    );
}

async fn the_last_active_admin_can_be_neither_demoted_nor_disabled(t: &TestApp) {
    let admin = t.api_as("a.admin").await;
    let me = format!("/api/v1/users/{}", t.fx.users["a.admin"]);
    for change in [
        json!({"role": "user"}),
        json!({"status": "disabled"}),
        json!({"role": "user", "full_name": "Someone Else", "modules": ["invoices"]}),
    ] {
        let (s, v) = admin.patch_json(&me, &change.clone()).await.status_json();
        assert_eq!(s, StatusCode::CONFLICT, "{change}");
        assert_eq!(v["error"]["code"], "last_admin");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("last active administrator"),
            "{v}"
        );
    }
    let (_, still) = admin.get(&me).await.status_json();
    assert_eq!(
        (&still["role"], &still["status"], &still["full_name"]),
        (&json!("admin"), &json!("active"), &json!("Name of a.admin")),
        "nothing changed"
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'user.%'")
            .await,
        0
    );

    // An invited admin does not count: it cannot act yet.
    let mut invited_admin = new_user("a.second");
    invited_admin["role"] = json!("admin");
    create(&admin, invited_admin).await;
    let s = admin.patch_json(&me, &json!({"role": "user"})).await.status;
    assert_eq!(s, StatusCode::CONFLICT);

    // With two active admins, one can be demoted; it loses user management at once.
    let other = format!("/api/v1/users/{}", t.fx.users["a.user"]);
    let (s, v) = admin
        .patch_json(
            &other,
            &json!({"role": "admin", "current_password": PASSWORD}),
        )
        .await
        .status_json();
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["cost_centres"], json!([]), "an admin is never limited");
    assert!(v["modules"].as_array().unwrap().contains(&json!("users")));
    let (s, v) = admin
        .patch_json(&me, &json!({"role": "user", "modules": ["invoices"]}))
        .await
        .status_json();
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["modules"], json!(["invoices"]));
    let s = admin.get("/api/v1/users").await.status;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // a.user is now the only active admin: the operator cannot disable it either.
    let op = t.api_as("op.one").await;
    let (s, v) = op
        .patch_json(
            &format!("{other}?customer_number=8800001"),
            &json!({"status": "disabled"}),
        )
        .await
        .status_json();
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("last_admin"))
    );
    assert_eq!(
        t.count(format!(
                "SELECT COUNT(*) FROM users WHERE customer_id = {} AND role = 'admin' AND status = 'active'",
                t.fx.customer_a
            )).await,
        1
    );
}

async fn disabling_a_user_ends_its_sessions_and_tokens_at_once(t: &TestApp) {
    let mut first = t.signed_in("a.user").await;
    let mut second = t.signed_in("a.user").await;
    let bearer = t.api_as("a.user").await;
    let mut bystander = t.signed_in("a.nomod").await;
    assert_eq!(first.get("/api/v1/me").await.status, StatusCode::OK);
    let id = t.fx.users["a.user"];
    let admin = t.api_as("a.admin").await;
    let (s, v) = admin
        .patch_json(
            &format!("/api/v1/users/{id}"),
            &json!({"status": "disabled"}),
        )
        .await
        .status_json();
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("disabled"))
    );
    assert_eq!(
        first.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        second.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    let s = bearer.get("/api/v1/me").await.status;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(bystander.get("/api/v1/me").await.status, StatusCode::OK);
    assert_eq!(
        t.count(format!(
            "SELECT COUNT(*) FROM sessions WHERE user_id = {id}"
        ))
        .await,
        0
    );
    assert_eq!(
        t.count(format!(
            "SELECT COUNT(*) FROM api_tokens WHERE user_id = {id} AND revoked_at IS NULL"
        ))
        .await,
        0
    );
    assert_eq!(
        t.token(&json!({"username": "a.user", "password": PASSWORD}))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        t.count(format!("SELECT COUNT(*) FROM audit_events WHERE action = 'user.disabled' AND object_id = '{id}'")).await,
        1
    );

    let (s, v) = admin
        .patch_json(&format!("/api/v1/users/{id}"), &json!({"status": "active"}))
        .await
        .status_json();
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("active")));
    assert_eq!(
        t.token(&json!({"username": "a.user", "password": PASSWORD}))
            .await
            .status,
        StatusCode::OK
    );
}

async fn password_reset_mails_a_link_and_ends_sessions(t: &TestApp) {
    let mut b = t.signed_in("a.user").await;
    let bearer = t.api_as("a.user").await;
    let admin = t.api_as("a.admin").await;
    let id = t.fx.users["a.user"];
    let (s, v) = admin
        .post(&format!("/api/v1/users/{id}/password-reset"))
        .await
        .status_json();
    assert_eq!((s, v), (StatusCode::ACCEPTED, Value::Null));
    assert_eq!(b.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        bearer.get("/api/v1/me").await.status_json().0,
        StatusCode::UNAUTHORIZED
    );
    let link = t.link_sent_to("a.user@example.com").await;
    assert_eq!(
        t.count(format!("SELECT COUNT(*) FROM one_time_tokens WHERE user_id = {id} AND purpose = 'reset' AND used_at IS NULL")).await,
        1
    );
    assert_eq!(
        t.set_password(token_of(&link), "the reset passphrase")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        t.token(&json!({"username": "a.user", "password": PASSWORD}))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        t.token(&json!({"username": "a.user", "password": "the reset passphrase"}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        t.count(format!("SELECT COUNT(*) FROM audit_events WHERE action = 'password.reset_requested' AND object_id = '{id}' AND actor = 'a.admin'")).await,
        1
    );

    // An invited user gets its invitation again; a disabled one gets nothing.
    let invited = t.fx.users["a.invited"];
    let s = admin
        .post(&format!("/api/v1/users/{invited}/password-reset"))
        .await
        .status;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!(
        t.count(format!("SELECT COUNT(*) FROM one_time_tokens WHERE user_id = {invited} AND purpose = 'invitation' AND used_at IS NULL")).await,
        1
    );
    let disabled = t.fx.users["a.disabled"];
    let (s, v) = admin
        .post(&format!("/api/v1/users/{disabled}/password-reset"))
        .await
        .status_json();
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("user_disabled"))
    );
    t.mail().await;
    assert!(
        !t.mail()
            .await
            .iter()
            .any(|(_, m)| m.contains("<a.disabled@example.com>")),
        "no mail to the disabled user"
    );
}

async fn another_customers_user_is_not_found_and_nothing_changes(t: &TestApp) {
    let mut b_user = t.signed_in("b.user").await;
    let admin = t.api_as("a.admin").await;
    let (_, unknown) = admin.get("/api/v1/users/999999").await.status_json();
    for id in [
        t.fx.users["b.user"],
        t.fx.users["b.admin"],
        t.fx.users["op.one"],
    ] {
        let path = format!("/api/v1/users/{id}");
        let (s, v) = admin.get(&path).await.status_json();
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        let alike = crate::errors::without_request_id;
        assert_eq!(
            alike(v),
            alike(unknown.clone()),
            "exactly like an unknown id"
        );
        // Even naming the other customer does not help a customer's admin.
        let s = admin
            .get(&format!("{path}?customer_number=8800002"))
            .await
            .status;
        assert_eq!(s, StatusCode::NOT_FOUND);
        for body in [
            Some(json!({"status": "disabled", "full_name": "Hijacked"})),
            Some(json!({"full_name": ""})),
            None,
        ] {
            let s = admin.call(Method::PATCH, &path, body.as_ref()).await.status;
            assert_eq!(s, StatusCode::NOT_FOUND, "PATCH {path}");
        }
        let s = admin.post(&format!("{path}/password-reset")).await.status;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    let mut page = t.signed_in("a.admin").await;
    let b_id = t.fx.users["b.user"];
    assert_eq!(
        page.get(&format!("/users/{b_id}")).await.status,
        StatusCode::NOT_FOUND
    );
    for action in ["", "/disable", "/enable", "/password-reset"] {
        let r = page
            .post_form(
                &format!("/users/{b_id}{action}"),
                &[("full_name", "Hijacked"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "POST /users/{{id}}{action}"
        );
    }
    let list: Value = page
        .get("/api/v1/users?customer_number=8800002")
        .await
        .json();
    assert!(
        item_strings(&list, "username")
            .iter()
            .all(|u| u.starts_with("a.")),
        "{list}"
    );

    assert_eq!(
        b_user.get("/api/v1/me").await.status,
        StatusCode::OK,
        "still signed in"
    );
    assert_eq!(
        t.text(format!(
            "SELECT full_name || '/' || status FROM users WHERE id = {b_id}"
        ))
        .await,
        "Name of b.user/active"
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM one_time_tokens").await,
        0,
        "no link was sent"
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'user.%' OR action LIKE 'password.%'").await,
        0
    );
}

async fn users_without_user_management_are_refused(t: &TestApp) {
    for who in ["a.user", "a.nomod", "b.user"] {
        let token = t.bearer(who).await;
        let id = t.fx.users["a.nomod"];
        for (method, path, body) in [
            (Method::GET, "/api/v1/users".to_owned(), None),
            (
                Method::POST,
                "/api/v1/users".to_owned(),
                Some(new_user("sneaky")),
            ),
            (Method::GET, format!("/api/v1/users/{id}"), None),
            (
                Method::PATCH,
                format!("/api/v1/users/{id}"),
                Some(json!({"role": "admin"})),
            ),
            (
                Method::POST,
                format!("/api/v1/users/{id}/password-reset"),
                None,
            ),
        ] {
            let (s, v) = t
                .api(&token)
                .call(method.clone(), &path, body.as_ref())
                .await
                .status_json();
            assert_eq!(s, StatusCode::FORBIDDEN, "{who}: {method} {path}");
            assert_eq!(v["error"]["code"], "forbidden");
        }
        let mut b = t.signed_in(who).await;
        assert_eq!(b.get("/users").await.status, StatusCode::FORBIDDEN);
        assert_eq!(b.get("/users/new").await.status, StatusCode::FORBIDDEN);
        let html = b.get("/").await.text;
        assert!(
            !html.contains("href=\"/users\""),
            "{who} sees no Users entry"
        );
    }
    assert_eq!(
        t.count("SELECT COUNT(*) FROM users WHERE username = 'sneaky'")
            .await,
        0
    );
    assert_eq!(
        t.text(format!(
            "SELECT role FROM users WHERE id = {}",
            t.fx.users["a.nomod"]
        ))
        .await,
        "user"
    );
    let mut admin = t.signed_in("a.admin").await;
    let html = admin.get("/").await.text;
    assert!(
        html.contains("href=\"/users\""),
        "admins see the Users entry"
    );
}

async fn operators_name_the_customer(t: &TestApp) {
    let op = t.api_as("op.one").await;
    let (s, v) = op.get("/api/v1/users").await.status_json();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), ["customer_number"]);
    let (s, v) = op
        .post_json("/api/v1/users", &new_user("nowhere"))
        .await
        .status_json();
    assert_eq!(
        (s, fields(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["customer_number".to_owned()]
        )
    );
    let s = op.get("/api/v1/users?customer_number=9999999").await.status;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = op
        .get("/api/v1/users?customer_number=12a")
        .await
        .status_json();
    assert_eq!(
        (s, fields(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["customer_number".to_owned()]
        )
    );

    let (s, v) = op
        .get("/api/v1/users?customer_number=8800002")
        .await
        .status_json();
    assert_eq!(s, StatusCode::OK);
    assert_eq!(item_strings(&v, "username"), ["b.admin", "b.user"]);
    let (_, v) = op
        .get("/api/v1/users?customer_number=8800001")
        .await
        .status_json();
    assert_eq!(
        item_strings(&v, "username"),
        ["a.admin", "a.user", "a.nomod", "a.invited", "a.disabled"]
    );

    let (s, created) = op
        .post_json(
            "/api/v1/users?customer_number=8800002",
            &new_user("b.newcomer"),
        )
        .await
        .status_json();
    assert_eq!(s, StatusCode::CREATED);
    let b_admin = t.api_as("b.admin").await;
    let (_, v) = b_admin.get("/api/v1/users").await.status_json();
    assert_eq!(
        item_strings(&v, "username"),
        ["b.admin", "b.user", "b.newcomer"]
    );
    assert_eq!(
        t.count(format!(
                "SELECT COUNT(*) FROM audit_events WHERE action = 'user.created' AND actor = 'op.one' AND customer_id = {}",
                t.fx.customer_b
            )).await,
        1,
        "the customer's trail shows the operator's change"
    );
    // The user of one customer is not reachable under another's number.
    let id = created["id"].as_i64().unwrap();
    let s = op
        .get(&format!("/api/v1/users/{id}?customer_number=8800001"))
        .await
        .status;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let s = op
        .get(&format!("/api/v1/users/{id}?customer_number=8800002"))
        .await
        .status;
    assert_eq!(s, StatusCode::OK);

    // Pages: without a number the operator is asked for one; with it, links keep it.
    let mut page = t.signed_in("op.one").await;
    let r = page.get("/users").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    assert!(html.contains("name=\"customer_number\""), "{html}");
    assert!(html.contains("aria-invalid=\"true\""));
    let r = page.get("/users?customer_number=8800002").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text;
    assert!(html.contains("Beta Logistics NV (8800002)"));
    assert!(html.contains(&format!("/users/{id}?customer_number=8800002")));
    assert!(html.contains("/users/new?customer_number=8800002"));
    assert!(!html.contains("a.admin"));
    let form = page.get("/users/new?customer_number=8800002").await.text;
    assert!(
        form.contains("action=\"/users?customer_number=8800002\""),
        "{form}"
    );
    let r = page
        .post_form(
            "/users?customer_number=8800002",
            &[
                ("username", "b.third"),
                ("full_name", "Third of B"),
                ("email", "b.third@example.com"),
                ("language", "nl"),
                ("role", "user"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let to = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(to.contains("customer_number=8800002"), "{to}");
    assert_eq!(page.get(&to).await.status, StatusCode::OK);

    // A customer's admin naming another customer still sees only its own.
    let a_admin = t.api_as("a.admin").await;
    let (_, v) = a_admin
        .get("/api/v1/users?customer_number=8800002")
        .await
        .status_json();
    assert!(
        item_strings(&v, "username")
            .iter()
            .all(|u| u.starts_with("a.")),
        "{v}"
    );
}

async fn validation_errors_name_each_field(t: &TestApp) {
    let admin = t.api_as("a.admin").await;
    let before = t.count("SELECT COUNT(*) FROM users").await;
    let (s, v) = admin
        .post_json(
            "/api/v1/users",
            &json!({
                "username": "x y",
                "full_name": " ",
                "email": "not-an-address",
                "language": "es",
                "role": "operator",
                "modules": ["users"],
                "cost_centres": ["CA1", "NOPE"],
            }),
        )
        .await
        .status_json();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["code"], "validation_failed");
    assert_eq!(
        fields(&v),
        [
            "cost_centres",
            "email",
            "full_name",
            "language",
            "modules",
            "role",
            "username"
        ]
    );
    // Another customer's cost centre is not one of ours.
    t.exec("INSERT INTO cost_centres (customer_id, code, name) SELECT id, 'CB1', 'B only' FROM customers WHERE customer_number = '8800002'").await;
    let mut body = new_user("a.fresh");
    body["cost_centres"] = json!(["CB1"]);
    let (s, v) = admin.post_json("/api/v1/users", &body).await.status_json();
    assert_eq!(
        (s, fields(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["cost_centres".to_owned()]
        )
    );
    let mut body = new_user("a.fresh");
    body["modules"] = json!(["invoices", "payroll"]);
    let (s, v) = admin.post_json("/api/v1/users", &body).await.status_json();
    assert_eq!(
        (s, fields(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["modules".to_owned()])
    );
    let (s, v) = admin
        .post_json("/api/v1/users", &json!({}))
        .await
        .status_json();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), ["email", "full_name", "username"]);

    // Usernames are unique whatever their case, across customers.
    for taken in ["A.USER", "b.admin"] {
        let (s, v) = admin
            .post_json("/api/v1/users", &new_user(taken))
            .await
            .status_json();
        assert_eq!(s, StatusCode::CONFLICT, "{taken}");
        assert_eq!(v["error"]["code"], "username_taken");
    }
    let (s, v) = admin
        .post_json("/api/v1/users", &json!("nope"))
        .await
        .status_json();
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_json"))
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM users").await,
        before,
        "nothing created"
    );

    let path = format!("/api/v1/users/{}", t.fx.users["a.user"]);
    let (s, v) = admin.patch_json(&path, &json!({"email": "a@b", "role": "boss", "modules": ["users"], "cost_centres": ["ZZ"], "status": "gone", "full_name": "Fine Name"})).await.status_json();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&v),
        ["cost_centres", "email", "modules", "role", "status"]
    );
    let (_, unchanged) = admin.get(&path).await.status_json();
    assert_eq!(
        unchanged["full_name"], "Name of a.user",
        "a refused change changes nothing"
    );
    assert_eq!(unchanged["cost_centres"], json!(["CA1"]));
}

async fn search_status_filter_and_paging(t: &TestApp) {
    let admin = t.api_as("a.admin").await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/users?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let (s, v) = admin.get(&path).await.status_json();
        assert_eq!(s, StatusCode::OK, "{v}");
        pages += 1;
        let names = item_strings(&v, "username");
        assert!(names.len() <= 2);
        seen.extend(names);
        match v["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/users?limit=2&cursor={c}"),
            None => {
                assert!(v["next_cursor"].is_null());
                break;
            }
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        ["a.admin", "a.user", "a.nomod", "a.invited", "a.disabled"]
    );

    let (_, v) = admin.get("/api/v1/users").await.status_json();
    assert_eq!(v["items"].as_array().unwrap().len(), 5);
    assert!(v["next_cursor"].is_null());
    let a_user = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "a.user")
        .unwrap()
        .clone();
    assert_eq!(a_user["modules"], json!(["transactions", "invoices"]));
    assert_eq!(a_user["cost_centres"], json!(["CA1"]));
    let a_admin = v["items"][0].clone();
    assert_eq!(
        a_admin["modules"],
        json!([
            "transactions",
            "invoices",
            "receipts",
            "reports",
            "requests",
            "users"
        ])
    );

    for (query, expected) in [
        ("search=NOMOD", vec!["a.nomod"]),
        ("search=disabled%40example", vec!["a.disabled"]),
        ("search=Name%20of%20a.u", vec!["a.user"]),
        ("search=%25", vec![]),
        ("search=_", vec![]),
        ("status=invited", vec!["a.invited"]),
        (
            "status=active&search=a.",
            vec!["a.admin", "a.user", "a.nomod"],
        ),
        ("search=b.user", vec![]),
    ] {
        let (s, v) = admin
            .get(&format!("/api/v1/users?{query}"))
            .await
            .status_json();
        assert_eq!(s, StatusCode::OK, "{query}");
        assert_eq!(item_strings(&v, "username"), expected, "{query}");
    }
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=many", "limit"),
        ("cursor=abc", "cursor"),
        ("status=sleeping", "status"),
    ] {
        let (s, v) = admin
            .get(&format!("/api/v1/users?{query}"))
            .await
            .status_json();
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(fields(&v), [field], "{query}");
    }
    let (s, v) = admin.get("/api/v1/users?limit=500").await.status_json();
    assert_eq!((s, item_strings(&v, "username").len()), (StatusCode::OK, 5));
    // Above 500 the limit is refused, as by every other list (SPEC §6).
    let (s, v) = admin.get("/api/v1/users?limit=501").await.status_json();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["code"], "invalid_limit");

    // The page: 50 a page, a next link that keeps the filters, last sign-in in Brussels time.
    for i in 0..47 {
        create(&admin, new_user(&format!("a.bulk{i:02}"))).await;
    }
    let mut b = t.signed_in("a.user").await;
    b.get("/").await;
    let mut page = t.signed_in("a.admin").await;
    let html = page.get("/users").await.text;
    assert_eq!(html.matches("<tr>").count(), 1 + 50, "header and 50 users");
    let next = html
        .split("href=\"")
        .find(|s| s.starts_with("/users?cursor="))
        .map(|s| s.split('"').next().unwrap().replace("&amp;", "&"))
        .expect("a next-page link");
    assert!(
        html.contains("<time datetime=\"2026-11-26T10:00:00Z\">26/11/2026 11:00</time>"),
        "a.user's sign-in in Brussels time"
    );
    let rest = page.get(&next).await.text;
    assert_eq!(rest.matches("<tr>").count(), 1 + 2);
    assert!(rest.contains("a.bulk46") && !rest.contains(">a.admin<"));
    assert!(
        rest.contains("href=\"/users\""),
        "a link back to the first page"
    );
    let filtered = page.get("/users?status=disabled&search=a.").await.text;
    assert_eq!(filtered.matches("<tr>").count(), 1 + 1);
    assert!(filtered.contains(">a.disabled<"));
    assert!(filtered.contains("<option value=\"disabled\" selected>"));
}

async fn changes_are_audited_with_the_changed_fields(t: &TestApp) {
    let admin = t.api_as("a.admin").await;
    let id = t.fx.users["a.user"];
    let path = format!("/api/v1/users/{id}");
    let (s, v) = admin
        .patch_json(
            &path,
            &json!({
                "full_name": "Anna User",
                "email": "a.user@example.com",
                "modules": ["invoices", "transactions"],
                "cost_centres": ["CA2", "CA1"],
                "language": "nl",
            }),
        )
        .await
        .status_json();
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["cost_centres"], json!(["CA1", "CA2"]));
    assert_eq!(v["language"], "nl");
    assert_eq!(
        t.text(format!(
            "SELECT details FROM audit_events WHERE action = 'user.updated' AND object_id = '{id}'"
        ))
        .await,
        r#"{"fields":["full_name","language","cost_centres"]}"#
    );
    // The same values again change nothing and record nothing.
    let s = admin
        .patch_json(
            &path,
            &json!({"full_name": "Anna User", "cost_centres": ["CA1", "CA2"]}),
        )
        .await
        .status;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = admin.patch_json(&path, &json!({})).await.status_json();
    assert_eq!(
        (s, v["full_name"].as_str()),
        (StatusCode::OK, Some("Anna User"))
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'user.updated'")
            .await,
        1
    );
    // Rights take effect at the user's next request.
    let mut b = t.signed_in("a.user").await;
    admin
        .patch_json(&path, &json!({"modules": ["receipts"], "cost_centres": []}))
        .await
        .status_json();
    let me: Value = b.get("/api/v1/me").await.json();
    assert_eq!(
        (me["modules"].clone(), me["cost_centres"].clone()),
        (json!(["receipts"]), json!([]))
    );
    assert_eq!(
        t.text(format!("SELECT details FROM audit_events WHERE action = 'user.updated' AND object_id = '{id}' ORDER BY id DESC LIMIT 1")).await,
        r#"{"fields":["modules","cost_centres"]}"#
    );
    assert!(
        matches!(
            cs_app::audit::verify_chain(&mut t.app().store.acquire().await.unwrap().conn()).await,
            Ok(Ok(_))
        ),
        "the audit chain stays intact"
    );
}

async fn pages_create_edit_disable_and_reset(t: &TestApp) {
    let mut admin = t.signed_in("a.admin").await;
    let list = admin.get("/users").await;
    assert_eq!(list.status, StatusCode::OK);
    let html = list.text;
    for name in ["a.user", "a.invited", "a.disabled"] {
        assert!(html.contains(&format!(">{name}<")), "{name} listed");
    }
    assert!(!html.contains("b.user"));
    let form = admin.get("/users/new").await.text;
    assert!(form.contains("name=\"username\""));
    assert!(
        form.contains("value=\"CA1\"") && form.contains("value=\"CA2\""),
        "cost centres offered"
    );

    let r = admin
        .post_form(
            "/users",
            &[
                ("username", "page.made"),
                ("full_name", "Made By Page"),
                ("email", "page.made@example.com"),
                ("language", "de"),
                ("role", "user"),
                ("modules", "transactions"),
                ("modules", "receipts"),
                ("cost_centres", "CA1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let to = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(
        to.starts_with("/users/") && to.ends_with("?done=created"),
        "{to}"
    );
    let id: i64 = to["/users/".len()..to.find('?').unwrap()].parse().unwrap();
    let html = admin.get(&to).await.text;
    assert!(
        html.contains("role=\"status\"") && html.contains("page.made@example.com"),
        "{html}"
    );
    let api = t.api_as("a.admin").await;
    let (_, v) = api.get(&format!("/api/v1/users/{id}")).await.status_json();
    assert_eq!(
        (
            v["modules"].clone(),
            v["cost_centres"].clone(),
            v["language"].clone(),
            v["status"].clone()
        ),
        (
            json!(["transactions", "receipts"]),
            json!(["CA1"]),
            json!("de"),
            json!("invited")
        )
    );
    assert!(
        t.link_sent_to("page.made@example.com")
            .await
            .contains("/password/set?token=")
    );

    // Edit: the form shows what is stored; saving replaces it.
    let html = admin.get(&format!("/users/{id}")).await.text;
    assert!(html.contains("value=\"Made By Page\""));
    assert!(html.contains("value=\"receipts\" checked"));
    let r = admin
        .post_form(
            &format!("/users/{id}"),
            &[
                ("full_name", "Renamed By Page"),
                ("email", "renamed@example.com"),
                ("language", "de"),
                ("role", "user"),
                ("modules", "reports"),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers[header::LOCATION],
        format!("/users/{id}?done=saved").as_str()
    );
    let (_, v) = api.get(&format!("/api/v1/users/{id}")).await.status_json();
    assert_eq!(
        (
            v["full_name"].clone(),
            v["email"].clone(),
            v["modules"].clone(),
            v["cost_centres"].clone()
        ),
        (
            json!("Renamed By Page"),
            json!("renamed@example.com"),
            json!(["reports"]),
            json!([])
        )
    );

    // Disable, enable (still invited), send the invitation again.
    let r = admin
        .post_form(&format!("/users/{id}/disable"), &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let html = admin
        .get(r.headers[header::LOCATION].to_str().unwrap())
        .await
        .text;
    assert!(html.contains(&format!("action=\"/users/{id}/enable\"")));
    let r = admin.post_form(&format!("/users/{id}/enable"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (_, v) = api.get(&format!("/api/v1/users/{id}")).await.status_json();
    assert_eq!(v["status"], "invited");
    let r = admin
        .post_form(&format!("/users/{id}/password-reset"), &[])
        .await;
    assert_eq!(
        r.headers[header::LOCATION],
        format!("/users/{id}?done=invited").as_str()
    );

    // A reset from the page signs the user out.
    let mut user = t.signed_in("a.user").await;
    let uid = t.fx.users["a.user"];
    let r = admin
        .post_form(&format!("/users/{uid}/password-reset"), &[])
        .await;
    assert_eq!(
        r.headers[header::LOCATION],
        format!("/users/{uid}?done=reset").as_str()
    );
    let html = admin.get(&format!("/users/{uid}?done=reset")).await.text;
    assert!(html.contains("a.user@example.com"));
    assert_eq!(
        user.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );

    // Forms carry their token: without it nothing happens.
    let token = extract_csrf(&admin.get("/users").await.text).expect("a form token");
    assert!(!token.is_empty());
    let r = admin
        .request(
            Method::POST,
            &format!("/users/{uid}/disable"),
            &[],
            Some(&[]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        t.text(format!("SELECT status FROM users WHERE id = {uid}"))
            .await,
        "active"
    );
}

async fn pages_show_errors_beside_fields_and_the_last_admin_refusal(t: &TestApp) {
    let mut admin: Browser = t.signed_in("a.admin").await;
    let r = admin
        .post_form(
            "/users",
            &[
                ("username", "a.user"),
                ("full_name", "Kept Name"),
                ("email", "kept@example.com"),
                ("language", "en"),
                ("role", "user"),
                ("modules", "invoices"),
                ("cost_centres", "CA2"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let html = r.text;
    assert!(html.contains("id=\"username-error\""), "{html}");
    assert!(html.contains("already taken"));
    assert!(html.contains("value=\"Kept Name\"") && html.contains("value=\"kept@example.com\""));
    assert!(html.contains("value=\"invoices\" checked") && html.contains("value=\"CA2\" checked"));

    let r = admin
        .post_form(
            "/users",
            &[
                ("username", "ok.name"),
                ("full_name", ""),
                ("email", "broken"),
                ("language", "en"),
                ("role", "user"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text;
    assert!(
        html.contains("aria-describedby=\"email-error\"") && html.contains("id=\"email-error\"")
    );
    assert!(html.contains("id=\"full_name-error\""));
    assert!(!html.contains("id=\"username-error\""));
    assert!(html.contains("value=\"ok.name\""), "what was typed is kept");
    assert!(
        html.contains("name@example.be"),
        "the message says what is expected"
    );

    // The last admin: refused on the page with a clear message, nothing changed.
    let me = t.fx.users["a.admin"];
    let r = admin
        .post_form(&format!("/users/{me}/disable"), &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let html = r.text;
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("last active administrator"), "{html}");
    let r = admin
        .post_form(
            &format!("/users/{me}"),
            &[
                ("full_name", "Demoted Me"),
                ("email", "a.admin@example.com"),
                ("language", "en"),
                ("role", "user"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let html = r.text;
    assert!(html.contains("last active administrator"));
    assert!(html.contains("value=\"Demoted Me\""), "typed values kept");
    assert_eq!(
        t.text(format!(
            "SELECT role || '/' || status || '/' || full_name FROM users WHERE id = {me}"
        ))
        .await,
        "admin/active/Name of a.admin"
    );
    // In French too.
    admin
        .post_form("/language", &[("language", "fr"), ("next", "/users")])
        .await;
    let r = admin
        .post_form(&format!("/users/{me}/disable"), &[("confirm", "yes")])
        .await;
    let html = r.text;
    assert!(html.contains("dernier administrateur actif"), "{html}");
    assert!(html.contains("<html lang=\"fr\">"));
}

async fn sensitive_changes_ask_for_the_administrators_password_again(t: &TestApp) {
    let admin = t.api_as("a.admin").await;
    let user = format!("/api/v1/users/{}", t.fx.users["a.user"]);
    let me = format!("/api/v1/users/{}", t.fx.users["a.admin"]);
    let failures_before = t
        .count("SELECT COUNT(*) FROM audit_events WHERE action = 'login.failed'")
        .await;
    for change in [
        json!({"role": "admin"}),
        json!({"email": "elsewhere@example.com"}),
        json!({"role": "admin", "current_password": ""}),
        json!({"role": "admin", "current_password": "not the password at all"}),
    ] {
        let (s, v) = admin.patch_json(&user, &change.clone()).await.status_json();
        assert_eq!(s, StatusCode::FORBIDDEN, "{change}");
        assert_eq!(v["error"]["code"], "reauthentication_required", "{change}");
    }
    let (_, still) = admin.get(&user).await.status_json();
    assert_eq!(
        (&still["role"], &still["email"]),
        (&json!("user"), &json!("a.user@example.com"))
    );
    // The wrong password counted as a failed sign-in of the administrator.
    assert_eq!(
        t.count("SELECT COUNT(*) FROM audit_events WHERE action = 'login.failed'")
            .await,
        failures_before + 1
    );
    // One's own e-mail and ordinary changes need no password.
    let s = admin
        .patch_json(&me, &json!({"email": "me@example.com"}))
        .await
        .status;
    assert_eq!(s, StatusCode::OK);
    let s = admin
        .patch_json(&user, &json!({"full_name": "A. User"}))
        .await
        .status;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = admin.patch_json(&user, &json!({"role": "admin", "email": "elsewhere@example.com", "current_password": PASSWORD})).await.status_json();
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (&v["role"], &v["email"]),
        (&json!("admin"), &json!("elsewhere@example.com"))
    );

    // On the page, the refusal stands beside the password field and keeps what was typed.
    let mut page = t.signed_in("a.admin").await;
    let id = t.fx.users["a.nomod"];
    let r = page
        .post_form(
            &format!("/users/{id}"),
            &[
                ("full_name", "Typed Name"),
                ("email", "typed@example.com"),
                ("language", "en"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let html = r.text;
    assert!(html.contains("id=\"current_password-error\""), "{html}");
    assert!(html.contains("value=\"Typed Name\""));
}
