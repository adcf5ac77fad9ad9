//! The one error path, end to end: every JSON error and every error page carry the request's
//! `X-Request-Id`, an internal error is logged under it, and the document lists every code.

use crate::harness::{Reply, TestApp, send};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::sync::{Arc, Mutex, OnceLock};

crate::on_both!(
    json_errors_carry_the_request_id_of_their_response,
    the_error_page_shows_the_request_id_as_its_reference,
    an_internal_error_is_logged_under_the_reference_it_shows,
    a_rejected_import_goes_through_the_one_renderer,
    the_openapi_document_lists_every_error_code,
    a_method_a_path_does_not_take_is_a_json_405_with_its_allow_header,
);

/// An error body without its `request_id`, each answer's own: for tests that hold two
/// answers to be exactly alike.
pub fn without_request_id(mut v: Value) -> Value {
    assert!(v["error"]["request_id"].is_string(), "{v}");
    v["error"]["request_id"].take();
    v
}

/// The answer's `X-Request-Id`.
fn request_id(r: &Reply) -> String {
    let id = r.header("x-request-id").expect("X-Request-Id").to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    id
}

async fn json_errors_carry_the_request_id_of_their_response(t: &TestApp) {
    let admin = t.api_as("a.admin").await;
    let anonymous = t.anonymous();
    let mut ids = Vec::new();
    for (api, path, status, code) in [
        (
            &admin,
            "/api/v1/users/999999",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            &admin,
            "/api/v1/users?limit=501",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_limit",
        ),
        (
            &anonymous,
            "/api/v1/me",
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        ),
        (
            &admin,
            "/api/v1/no-such-route",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ] {
        let r = api.get(path).await;
        let v = r.assert_error(status, code);
        let id = request_id(&r);
        assert_eq!(v["error"]["request_id"], id.as_str(), "{path}: {v}");
        ids.push(id);
    }
    // A request id is the server's own, new for every request (a client's is replaced).
    let rb = anonymous
        .request(Method::GET, "/api/v1/me")
        .header("x-request-id", "chosen-by-the-client");
    let r = send(rb).await;
    let id = request_id(&r);
    assert_ne!(id, "chosen-by-the-client");
    assert_eq!(r.json()["error"]["request_id"], id.as_str());
    ids.push(id);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "{ids:?}");
}

/// Asserts that the page answered `status` and shows its request id as the reference.
fn assert_page_reference(r: &Reply, status: StatusCode) {
    assert_eq!(r.status, status, "{}", r.text);
    let id = request_id(r);
    assert!(r.text.contains(&format!("<code>{id}</code>")), "{}", r.text);
}

async fn the_error_page_shows_the_request_id_as_its_reference(t: &TestApp) {
    for mut b in [t.browser(), t.signed_in("a.user").await] {
        assert_page_reference(&b.get("/no-such-page").await, StatusCode::NOT_FOUND);
    }
    // A refusal shows its reference too.
    let mut user = t.signed_in("a.nomod").await;
    assert_page_reference(&user.get("/users").await, StatusCode::FORBIDDEN);
    // An unknown asset is answered in the error shape as well, without the context.
    assert_page_reference(
        &t.browser().get("/static/missing.css").await,
        StatusCode::NOT_FOUND,
    );
}

/// Everything logged at `ERROR` in this test binary (the servers run in it).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn error_log() -> &'static Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(log.clone())
            .with_max_level(tracing::Level::ERROR)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        log
    })
}

/// The logged lines that name `id`.
fn lines_naming(id: &str) -> Vec<String> {
    let bytes = error_log().0.lock().unwrap().clone();
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter(|l| l.contains(id))
        .map(str::to_owned)
        .collect()
}

async fn an_internal_error_is_logged_under_the_reference_it_shows(t: &TestApp) {
    error_log();
    let mut page = t.signed_in("a.user").await;
    let api = t.api_as("a.user").await;
    t.exec("DROP TABLE sessions").await;
    t.exec("DROP TABLE api_tokens").await;

    let r = api.get("/api/v1/me").await;
    let v = r.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "internal");
    let id = request_id(&r);
    assert_eq!(v["error"]["request_id"], id.as_str());
    let logged = lines_naming(&id);
    let internal: Vec<_> = logged
        .iter()
        .filter(|l| l.contains("internal error"))
        .collect();
    assert_eq!(internal.len(), 1, "logged once: {logged:#?}");
    let line = internal[0];
    // Its site (the use case's line), and its cause down to the driver's words.
    assert!(line.contains("site=crates/app/src/"), "{line}");
    assert!(line.contains("database error"), "{line}");
    assert!(line.contains("api_tokens"), "{line}");

    let r = page.get("/").await;
    assert_page_reference(&r, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!r.text.to_lowercase().contains("sessions"), "{}", r.text);
    let logged = lines_naming(&request_id(&r));
    assert!(
        logged
            .iter()
            .any(|l| l.contains("internal error") && l.contains("sessions")),
        "{logged:#?}"
    );
}

async fn a_rejected_import_goes_through_the_one_renderer(t: &TestApp) {
    let op = t.api_as("op.one").await;
    for dry_run in [false, true] {
        let path = format!("/api/v1/operator/imports/customers?dry_run={dry_run}");
        let r = op
            .post_body(&path, "text/csv", "nonsense,columns\n1,2\n")
            .await;
        let v = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "import_rejected");
        let e = &v["error"];
        assert_eq!(e["request_id"], request_id(&r).as_str(), "{v}");
        assert!(e["error_count"].as_u64().unwrap() >= 1, "{v}");
        assert!(e["rows_read"].as_u64().is_some(), "{v}");
        assert!(!e["details"].as_array().unwrap().is_empty(), "{v}");
        // A real run is recorded even when refused; a dry run records nothing.
        assert_eq!(e["import_id"].as_i64().is_some(), !dry_run, "{v}");
        assert_eq!(e.get("import_id").is_some(), !dry_run, "{v}");
    }
}

async fn the_openapi_document_lists_every_error_code(t: &TestApp) {
    let doc = t.anonymous().get_json("/api/v1/openapi.json").await;
    let schemas = &doc["components"]["schemas"];
    let listed: Vec<&str> = schemas["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let codes: Vec<&str> = cs_app::ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, codes);
    let content = &schemas["ErrorContent"];
    assert_eq!(
        content["properties"]["code"]["$ref"],
        "#/components/schemas/ErrorCode"
    );
    assert_eq!(content["properties"]["request_id"]["type"], "string");
    let required: Vec<&str> = content["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(required.contains(&"request_id"), "{required:?}");
}

async fn a_method_a_path_does_not_take_is_a_json_405_with_its_allow_header(t: &TestApp) {
    let admin = t.api_as("a.admin").await;
    for (method, path) in [
        (Method::PUT, "/api/v1/me"),
        (Method::DELETE, "/api/v1/users"),
        (Method::PATCH, "/api/v1/transactions"),
    ] {
        let r = send(admin.request(method.clone(), path)).await;
        let v = r.assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        assert_eq!(
            v["error"]["request_id"],
            request_id(&r).as_str(),
            "{method} {path}"
        );
        let allow = r.header("allow").unwrap_or_default().to_owned();
        assert!(allow.contains("GET"), "{method} {path}: Allow {allow:?}");
    }
}
