//! The one error path, end to end: every JSON error and every error page carry the request's
//! `X-Request-Id`, an internal error is logged under it, and the document lists every code.

use crate::harness::TestApp;
use reqwest::{StatusCode, header};
use serde_json::Value;
use std::sync::{Arc, Mutex, OnceLock};

crate::on_both!(
    json_errors_carry_the_request_id_of_their_response,
    the_error_page_shows_the_request_id_as_its_reference,
    an_internal_error_is_logged_under_the_reference_it_shows,
    a_rejected_import_goes_through_the_one_renderer,
    the_openapi_document_lists_every_error_code,
);

/// An error body without its `request_id`, each answer's own: for tests that hold two
/// answers to be exactly alike.
pub fn without_request_id(mut v: Value) -> Value {
    assert!(v["error"]["request_id"].is_string(), "{v}");
    v["error"]["request_id"].take();
    v
}

/// The response's `X-Request-Id`.
fn request_id(r: &reqwest::Response) -> String {
    let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    id
}

/// Status, `X-Request-Id` and JSON body of a response.
async fn answer(r: reqwest::Response) -> (StatusCode, String, Value) {
    let (status, id) = (r.status(), request_id(&r));
    let text = r.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, id, v)
}

async fn json_errors_carry_the_request_id_of_their_response(t: &TestApp) {
    let admin = t.bearer("a.admin").await;
    let mut ids = Vec::new();
    for (token, path, status, code) in [
        (
            Some(&admin),
            "/api/v1/users/999999",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Some(&admin),
            "/api/v1/users?limit=501",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_limit",
        ),
        (
            None,
            "/api/v1/me",
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        ),
        (
            Some(&admin),
            "/api/v1/no-such-route",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ] {
        let mut rb = t.http().get(t.url(path));
        if let Some(token) = token {
            rb = rb.bearer_auth(token);
        }
        let (got, id, v) = answer(rb.send().await.unwrap()).await;
        assert_eq!(got, status, "{path}: {v}");
        assert_eq!(v["error"]["code"], code, "{path}: {v}");
        assert_eq!(v["error"]["request_id"], id.as_str(), "{path}: {v}");
        ids.push(id);
    }
    // A request id is the server's own, new for every request (a client's is replaced).
    let r = t
        .http()
        .get(t.url("/api/v1/me"))
        .header("x-request-id", "chosen-by-the-client")
        .send()
        .await
        .unwrap();
    let (_, id, v) = answer(r).await;
    assert_ne!(id, "chosen-by-the-client");
    assert_eq!(v["error"]["request_id"], id.as_str());
    ids.push(id);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "{ids:?}");
}

async fn the_error_page_shows_the_request_id_as_its_reference(t: &TestApp) {
    for mut b in [t.browser(), t.signed_in("a.user").await] {
        let r = b.get("/no-such-page").await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let id = request_id(&r);
        let page = r.text().await.unwrap();
        assert!(page.contains(&format!("<code>{id}</code>")), "{page}");
    }
    // A refusal shows its reference too.
    let mut user = t.signed_in("a.nomod").await;
    let r = user.get("/users").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let id = request_id(&r);
    assert!(r.text().await.unwrap().contains(&id));
    // An unknown asset is answered in the error shape as well, without the context.
    let r = t.browser().get("/static/missing.css").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let id = request_id(&r);
    assert!(r.text().await.unwrap().contains(&id));
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
    let token = t.bearer("a.user").await;
    t.exec("DROP TABLE sessions").await;
    t.exec("DROP TABLE api_tokens").await;

    let r = t
        .http()
        .get(t.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (status, id, v) = answer(r).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(v["error"]["code"], "internal");
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
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = request_id(&r);
    let html = r.text().await.unwrap();
    assert!(html.contains(&format!("<code>{id}</code>")), "{html}");
    assert!(!html.to_lowercase().contains("sessions"), "{html}");
    let logged = lines_naming(&id);
    assert!(
        logged
            .iter()
            .any(|l| l.contains("internal error") && l.contains("sessions")),
        "{logged:#?}"
    );
}

async fn a_rejected_import_goes_through_the_one_renderer(t: &TestApp) {
    let op = t.bearer("op.one").await;
    for dry_run in [false, true] {
        let r = t
            .http()
            .post(t.url(&format!(
                "/api/v1/operator/imports/customers?dry_run={dry_run}"
            )))
            .bearer_auth(&op)
            .header(header::CONTENT_TYPE, "text/csv")
            .body("nonsense,columns\n1,2\n")
            .send()
            .await
            .unwrap();
        let (status, id, v) = answer(r).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let e = &v["error"];
        assert_eq!(e["code"], "import_rejected", "{v}");
        assert_eq!(e["request_id"], id.as_str(), "{v}");
        assert!(e["error_count"].as_u64().unwrap() >= 1, "{v}");
        assert!(e["rows_read"].as_u64().is_some(), "{v}");
        assert!(!e["details"].as_array().unwrap().is_empty(), "{v}");
        // A real run is recorded even when refused; a dry run records nothing.
        assert_eq!(e["import_id"].as_i64().is_some(), !dry_run, "{v}");
        assert_eq!(e.get("import_id").is_some(), !dry_run, "{v}");
    }
}

async fn the_openapi_document_lists_every_error_code(t: &TestApp) {
    let doc: Value = t
        .http()
        .get(t.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
