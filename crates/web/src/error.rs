//! Errors at the edge: a handler returns [`WebError`]; the context middleware renders it once,
//! as JSON or as the error page, with the status of its code and the request's reference.

use crate::view::{ErrorBody, ErrorPage, Viewer};
use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use cs_app::AppError;
use std::sync::Arc;

/// An application error on its way out; rendered by [`render`].
#[derive(Debug)]
pub struct WebError(pub AppError);

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        WebError(e)
    }
}

/// Marker carried by an error response until it is rendered.
#[derive(Debug, Clone)]
struct Pending(Arc<AppError>);

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let mut r = status_of(&self.0).into_response();
        r.extensions_mut().insert(Pending(Arc::new(self.0)));
        r
    }
}

/// The application error a response carries until it is rendered, if any.
pub fn pending_error(response: &Response) -> Option<Arc<AppError>> {
    response.extensions().get::<Pending>().map(|p| p.0.clone())
}

/// The HTTP status of an error: one per variant, hence one per code (`docs/ERRORS.md`).
pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Validation(_) | AppError::ImportRejected { .. } => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AppError::BadRequest { .. } | AppError::InvalidLink => StatusCode::BAD_REQUEST,
        AppError::Unauthenticated
        | AppError::InvalidCredentials
        | AppError::TotpRequired
        | AppError::InvalidTotp => StatusCode::UNAUTHORIZED,
        AppError::Forbidden
        | AppError::CsrfRejected
        | AppError::CustomerSuspended
        | AppError::ReauthenticationRequired { .. }
        | AppError::TotpEnrolmentRequired => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::Throttled { .. } | AppError::TooManyExports { .. } => {
            StatusCode::TOO_MANY_REQUESTS
        }
        AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Whom an error is rendered for, and under which reference.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    pub viewer: Viewer<'a>,
    /// The request id (`X-Request-Id`), shown in the answer and written to the log.
    pub request_id: &'a str,
    pub is_api: bool,
    /// The page to come back to after signing in, when this request asked for one.
    pub return_to: Option<&'a str>,
}

/// Renders a pending error (if any) for the caller; other responses pass unchanged. An
/// internal error is logged here, once, with its site and causes under the request id.
pub fn render(mut response: Response, caller: &Caller<'_>) -> Response {
    let Some(Pending(err)) = response.extensions_mut().remove::<Pending>() else {
        return response;
    };
    log_internal(&err, caller.request_id);
    let status = response.status();
    if caller.is_api {
        let message = match &*err {
            AppError::Internal { .. } => {
                "internal error; quote the request id to the Service Centre".to_owned()
            }
            e => e.to_string(),
        };
        let body = ErrorBody::of(&err, message, caller.request_id);
        let mut r = (status, Json(body)).into_response();
        if matches!(*err, AppError::Unauthenticated) {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        return with_retry_after(r, &err);
    }
    if matches!(*err, AppError::Unauthenticated) {
        return (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, sign_in_url(caller))],
        )
            .into_response();
    }
    let page = ErrorPage::new(caller.viewer, status, &err, caller.request_id);
    with_retry_after(page.into_response_with(status), &err)
}

/// The sign-in page, carrying the page that was asked for (`/login?next=…`) when there is one.
fn sign_in_url(caller: &Caller<'_>) -> String {
    match caller
        .return_to
        .and_then(cs_domain::redirect::next_query_value)
    {
        Some(next) => format!("/login?next={next}"),
        None => "/login".to_owned(),
    }
}

/// The log entry of an internal error: what failed, where, and the chain of its causes.
fn log_internal(err: &AppError, request_id: &str) {
    if let AppError::Internal { what, site, .. } = err {
        let causes = causes(err);
        tracing::error!(request_id, %site, causes, "internal error: {what}");
    }
}

/// The chain of an error's sources, outermost first, joined by `: ` (empty without one).
pub fn causes(err: &AppError) -> String {
    let mut parts = Vec::new();
    let mut next = std::error::Error::source(err);
    while let Some(e) = next {
        parts.push(e.to_string());
        next = e.source();
    }
    parts.join(": ")
}

/// `Retry-After` (seconds) on the answer of an error that says when to come back.
fn with_retry_after(mut r: Response, err: &AppError) -> Response {
    if let Some(secs) = err.retry_after() {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use cs_app::{ErrorCode, FieldError};
    use cs_domain::Language;

    fn caller(is_api: bool) -> Caller<'static> {
        Caller {
            viewer: Viewer::anonymous(Language::En, &cs_domain::service_centre::UNKNOWN),
            request_id: "4f1c0e52-0000-4000-8000-000000000001",
            is_api,
            return_to: None,
        }
    }

    #[test]
    fn a_page_asked_anonymously_comes_back_after_sign_in() {
        let location = |return_to| {
            let c = Caller {
                return_to,
                ..caller(false)
            };
            let r = render(WebError(AppError::Unauthenticated).into_response(), &c);
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            r.headers()[header::LOCATION].to_str().unwrap().to_owned()
        };
        assert_eq!(
            location(Some("/transactions?from=2026-11-01&to=2026-11-30")),
            "/login?next=/transactions%3Ffrom%3D2026-11-01%26to%3D2026-11-30"
        );
        assert_eq!(location(None), "/login");
        assert_eq!(location(Some("//evil.example")), "/login");
    }

    /// An error answering `code`: one per code, so that a new code needs a line here and
    /// its status is then checked against `docs/ERRORS.md`.
    fn example(code: ErrorCode) -> AppError {
        use ErrorCode as C;
        let conflict = |code| AppError::Conflict {
            code,
            message: "x".into(),
        };
        match code {
            C::ValidationFailed => AppError::invalid("username", "required", "x"),
            C::InvalidCharacters | C::InvalidDate | C::InvalidLimit | C::InvalidCursor => {
                AppError::Validation(vec![FieldError::field("q", code.as_str(), "x")])
            }
            C::InvalidBody | C::InvalidJson | C::InvalidQuery | C::InvalidForm => {
                AppError::bad_request(code, "x")
            }
            C::FileUnreadable => AppError::bad_request(code, "x"),
            C::Unauthenticated => AppError::Unauthenticated,
            C::InvalidCredentials => AppError::InvalidCredentials,
            C::TotpRequired => AppError::TotpRequired,
            C::InvalidTotp => AppError::InvalidTotp,
            C::TotpEnrolmentRequired => AppError::TotpEnrolmentRequired,
            C::InvalidLink => AppError::InvalidLink,
            C::Forbidden => AppError::Forbidden,
            C::CustomerSuspended => AppError::CustomerSuspended,
            C::CsrfRejected => AppError::CsrfRejected,
            C::ReauthenticationRequired => AppError::ReauthenticationRequired { wrong: false },
            C::NotFound => AppError::NotFound,
            C::MethodNotAllowed => AppError::MethodNotAllowed,
            C::UserDisabled
            | C::LastAdmin
            | C::UsernameTaken
            | C::CustomerNumberTaken
            | C::AlreadyDecided
            | C::TooManyTokens
            | C::TotpAlreadyEnabled
            | C::ImportConcurrentChange
            | C::DocumentExists => conflict(code),
            C::ImportRejected => AppError::ImportRejected {
                message: "x".into(),
                details: vec![],
                error_count: 1,
                rows_read: 1,
                import_id: None,
            },
            C::PayloadTooLarge => AppError::PayloadTooLarge("x".into()),
            C::AccountLocked | C::TooManyAttempts | C::PasswordChangeThrottled => {
                AppError::Throttled { code }
            }
            C::TooManyExports => AppError::TooManyExports {
                retry_after_secs: 30,
            },
            C::Unavailable => AppError::Unavailable,
            C::Internal => AppError::internal("x"),
        }
    }

    /// `docs/ERRORS.md`'s status of each code: the second cell of its table row.
    fn documented_status(code: ErrorCode) -> Option<u16> {
        include_str!("../../../docs/ERRORS.md")
            .lines()
            .filter_map(|l| l.strip_prefix(&format!("| `{code}` |")))
            .find_map(|rest| rest.split('|').next()?.trim().parse().ok())
    }

    #[test]
    fn every_code_answers_the_status_the_errors_document_gives_it() {
        for &code in ErrorCode::ALL {
            let e = example(code);
            assert_eq!(e.code(), code, "{e:?}");
            assert_eq!(
                Some(status_of(&e).as_u16()),
                documented_status(code),
                "status of `{code}` in docs/ERRORS.md"
            );
        }
    }

    #[test]
    fn a_busy_refusal_says_when_to_come_back_on_pages_and_in_the_api() {
        for is_api in [true, false] {
            let pending = WebError(AppError::TooManyExports {
                retry_after_secs: 30,
            })
            .into_response();
            let r = render(pending, &caller(is_api));
            assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "api: {is_api}");
            assert_eq!(r.headers()[header::RETRY_AFTER], "30", "api: {is_api}");
        }
        let pending = WebError(AppError::Forbidden).into_response();
        let r = render(pending, &caller(true));
        assert!(r.headers().get(header::RETRY_AFTER).is_none());
    }

    async fn body_of(r: Response) -> String {
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn an_internal_error_shows_its_reference_and_nothing_of_its_cause() {
        let cause = std::io::Error::other("no such table: sessions");
        for is_api in [true, false] {
            let e = AppError::internal_from("session lookup", cause.to_string());
            let r = render(WebError(e).into_response(), &caller(is_api));
            assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
            let body = body_of(r).await;
            assert!(body.contains(caller(is_api).request_id), "{body}");
            for leak in ["no such table", "session lookup", "error.rs"] {
                assert!(!body.contains(leak), "leaks {leak:?}: {body}");
            }
        }
    }

    #[tokio::test]
    async fn a_rendered_response_is_rendered_once() {
        let first = render(WebError(AppError::NotFound).into_response(), &caller(true));
        assert!(pending_error(&first).is_none());
        let again = render(first, &caller(false));
        let v: serde_json::Value = serde_json::from_str(&body_of(again).await).unwrap();
        assert_eq!(v["error"]["code"], "not_found");
        assert_eq!(v["error"]["request_id"], caller(true).request_id);
    }

    #[test]
    fn causes_follow_the_source_chain() {
        #[derive(Debug, thiserror::Error)]
        #[error("outer")]
        struct Outer(#[source] std::io::Error);
        let e = AppError::internal_from("x", Outer(std::io::Error::other("inner")));
        assert_eq!(causes(&e), "outer: inner");
        assert_eq!(causes(&AppError::internal("x")), "");
    }
}
