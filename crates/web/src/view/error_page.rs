//! The error page: the error's words in the viewer's language inside the usual frame, with
//! the request's reference to quote to the Service Centre, never the cause.

use super::{Chrome, Viewer};
use askama::Template;
use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use cs_app::{AppError, i18n};
use cs_domain::Language;

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub title: String,
    pub message: String,
    /// The request id (also in the `X-Request-Id` header and in the log of an internal error).
    pub reference: Option<String>,
}

/// The page's words for an error code: the key `prefix` + the code with `-` for `_`
/// (`bo-error-invalid-limit`), else `fallback` (the use case's own English message) for a
/// code that has no text yet.
pub fn error_text(lang: Language, prefix: &str, code: &str, fallback: &str) -> String {
    let key = format!("{prefix}{}", code.replace('_', "-"));
    let text = i18n::t(lang, &key);
    if text == key {
        fallback.to_owned()
    } else {
        text
    }
}

impl ErrorPage {
    /// The page of `err`, answered with `status`, under the request's `reference`.
    pub fn new(viewer: Viewer<'_>, status: StatusCode, err: &AppError, reference: &str) -> Self {
        let lang = viewer.lang;
        Self {
            chrome: Chrome::new(viewer, ""),
            title: i18n::t(lang, &format!("error-title-{}", status.as_u16())),
            message: error_text(lang, "error-", err.code().as_str(), &err.to_string()),
            reference: (!reference.is_empty()).then(|| reference.to_owned()),
        }
    }

    /// The page as a response with `status`. Should the template itself fail, a plain
    /// text answer with the same status and reference stands in.
    pub fn into_response_with(self, status: StatusCode) -> Response {
        match self.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                let reference = self.reference.unwrap_or_default();
                tracing::error!(error = %e, request_id = %reference, "the error page failed");
                (status, format!("{}\n{reference}\n", self.title)).into_response()
            }
        }
    }
}
