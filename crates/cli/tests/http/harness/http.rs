//! The HTTP helpers every feature file shares: an answer read to its end ([`Reply`]) with its
//! assertions, an API client with or without a bearer token ([`Api`]), and a cookie-keeping
//! [`Browser`] that sends our forms with their CSRF token.

use reqwest::{Method, RequestBuilder, StatusCode, header, header::HeaderMap};
use serde_json::Value;
use std::collections::BTreeMap;

/// An answer, read to its end.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as sent.
    pub bytes: Vec<u8>,
    /// The body as text (lossy where it is not UTF-8).
    pub text: String,
}

impl Reply {
    pub async fn read(r: reqwest::Response) -> Reply {
        let status = r.status();
        let headers = r.headers().clone();
        let bytes = r.bytes().await.expect("body").to_vec();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Reply {
            status,
            headers,
            bytes,
            text,
        }
    }

    /// The body as JSON; `null` when the body is empty. Panics, showing the body, when it is
    /// something else.
    #[track_caller]
    pub fn json(&self) -> Value {
        if self.bytes.is_empty() {
            return Value::Null;
        }
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|_| panic!("not JSON ({}): {}", self.status, self.text))
    }

    /// The status and the body as JSON (see [`Reply::json`]), for assertions on both.
    #[track_caller]
    pub fn status_json(&self) -> (StatusCode, Value) {
        (self.status, self.json())
    }

    /// The body as JSON, or `null` when it is empty or not JSON.
    pub fn json_or_null(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    /// The header's value; `None` when absent (or not text).
    pub fn header(&self, name: impl header::AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn assert_status(&self, status: StatusCode) -> &Self {
        assert_eq!(self.status, status, "body: {}", self.text);
        self
    }

    /// Asserts a JSON error answer with `status` and `error.code`; returns its JSON.
    #[track_caller]
    pub fn assert_error(&self, status: StatusCode, code: &str) -> Value {
        self.assert_status(status);
        let v = self.json();
        assert_eq!(v["error"]["code"], code, "body: {}", self.text);
        v
    }

    /// `error.code` of a JSON error answer; empty when there is none.
    pub fn error_code(&self) -> String {
        error_code(&self.json_or_null()).to_owned()
    }
}

/// `error.code` of a JSON error body; empty when there is none.
pub fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

/// `(field, code)` of every detail of a JSON error body, in order.
#[track_caller]
pub fn error_details(v: &Value) -> Vec<(String, String)> {
    v["error"]["details"]
        .as_array()
        .unwrap_or_else(|| panic!("no details: {v}"))
        .iter()
        .map(|d| {
            (
                d["field"].as_str().unwrap_or_default().to_owned(),
                d["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The field of every detail of a JSON error body, in order.
#[track_caller]
pub fn error_fields(v: &Value) -> Vec<String> {
    error_details(v).into_iter().map(|(f, _)| f).collect()
}

/// `key` of every entry of `v["items"]`, as text.
#[track_caller]
pub fn item_strings(v: &Value, key: &str) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {v}"))
        .iter()
        .map(|i| {
            i[key]
                .as_str()
                .unwrap_or_else(|| panic!("no {key} in {i}"))
                .to_owned()
        })
        .collect()
}

/// Percent-encodes `s` for a query string or a form.
pub fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Sends a request and reads its answer.
pub async fn send(rb: RequestBuilder) -> Reply {
    Reply::read(rb.send().await.expect("request")).await
}

/// An API client: with a bearer token, or anonymous.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Api {
    pub(super) fn new(http: reqwest::Client, base: String, token: Option<String>) -> Api {
        Api { http, base, token }
    }

    /// A request with the token, for bodies and headers the helpers below do not cover.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let rb = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(token) => rb.bearer_auth(token),
            None => rb,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        send(self.request(Method::GET, path)).await
    }

    /// GETs `path`, asserts a 200 and returns its JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "GET {path}: {}", r.text);
        r.json()
    }

    /// POSTs with no body.
    pub async fn post(&self, path: &str) -> Reply {
        send(self.request(Method::POST, path)).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Reply {
        send(self.request(Method::POST, path).json(body)).await
    }

    pub async fn patch_json(&self, path: &str, body: &Value) -> Reply {
        send(self.request(Method::PATCH, path).json(body)).await
    }

    /// POSTs `body` as `content_type` (a CSV feed, a malformed JSON text, …).
    pub async fn post_body(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let rb = self
            .request(Method::POST, path)
            .header(header::CONTENT_TYPE, content_type)
            .body(body);
        send(rb).await
    }

    /// Any method, with a JSON body when one is given.
    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        let mut rb = self.request(method, path);
        if let Some(b) = body {
            rb = rb.json(b);
        }
        send(rb).await
    }
}

/// A cookie-keeping client that behaves like a browser on our pages.
#[derive(Clone)]
pub struct Browser {
    http: reqwest::Client,
    base: String,
    pub cookies: BTreeMap<String, String>,
}

impl Browser {
    pub(super) fn new(http: reqwest::Client, base: String) -> Browser {
        Browser {
            http,
            base,
            cookies: BTreeMap::new(),
        }
    }

    /// The `Cookie` header this browser would send.
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember(&mut self, headers: &HeaderMap) {
        for v in headers.get_all(header::SET_COOKIE) {
            let Ok(v) = v.to_str() else { continue };
            let first = v.split(';').next().unwrap_or("");
            if let Some((k, val)) = first.split_once('=') {
                if val.is_empty() || v.contains("Max-Age=0") {
                    self.cookies.remove(k.trim());
                } else {
                    self.cookies.insert(k.trim().to_owned(), val.to_owned());
                }
            }
        }
    }

    /// A request with this browser's cookies, for bodies the helpers below do not cover;
    /// send it with [`Browser::send`] so that the cookies it sets are kept.
    pub fn builder(&self, method: Method, path: &str) -> RequestBuilder {
        let rb = self.http.request(method, format!("{}{path}", self.base));
        if self.cookies.is_empty() {
            rb
        } else {
            rb.header(header::COOKIE, self.cookie_header())
        }
    }

    pub async fn send(&mut self, rb: RequestBuilder) -> Reply {
        let r = send(rb).await;
        self.remember(&r.headers);
        r
    }

    pub async fn request(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        form: Option<&[(&str, &str)]>,
    ) -> Reply {
        let mut rb = self.builder(method, path);
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        if let Some(f) = form {
            rb = rb.form(f);
        }
        self.send(rb).await
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        self.request(Method::GET, path, &[], None).await
    }

    /// GETs `path`, asserts a 200 and returns its HTML.
    pub async fn page(&mut self, path: &str) -> String {
        let r = self.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "GET {path}: {}", r.text);
        r.text
    }

    /// The CSRF token of the current page state (session or anonymous cookie).
    pub async fn csrf(&mut self) -> String {
        let body = self.get("/login").await.text;
        let body = if body.contains("name=\"_csrf\"") {
            body
        } else {
            self.get("/").await.text
        };
        extract_csrf(&body).expect("csrf field")
    }

    /// Posts a form with the CSRF token of the current session.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let token = self.csrf().await;
        self.post_form_with(&token, path, fields).await
    }

    /// Posts a form with the CSRF token of the page `from` (for users the gates keep off
    /// `/` and `/login`).
    pub async fn post_form_from(
        &mut self,
        from: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Reply {
        let html = self.get(from).await.text;
        let token = extract_csrf(&html).unwrap_or_else(|| panic!("no form token on {from}"));
        self.post_form_with(&token, path, fields).await
    }

    /// Posts a form with the given CSRF token.
    pub async fn post_form_with(
        &mut self,
        token: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Reply {
        let mut all = vec![("_csrf", token)];
        all.extend_from_slice(fields);
        self.request(Method::POST, path, &[], Some(&all)).await
    }

    pub async fn sign_in(&mut self, username: &str, password: &str) -> Reply {
        self.get("/login").await;
        self.post_form(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }
}

pub fn extract_csrf(html: &str) -> Option<String> {
    let at = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    let end = html[at..].find('"')?;
    Some(html[at..at + end].to_owned())
}
