//! Errors at the edge: a handler returns [`WebError`]; the context middleware renders it
//! as `{"error":{…}}` for the API or as a page in the caller's language, never with internals.

use crate::pages::ErrorPage;
use axum::{
    Json,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use cs_app::{Actor, AppError};
use cs_domain::Language;

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
struct Pending(std::sync::Arc<AppError>);

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let AppError::Internal(detail) = &self.0 {
            tracing::error!(error = %detail, "internal error");
        }
        let mut r = status.into_response();
        r.extensions_mut()
            .insert(Pending(std::sync::Arc::new(self.0)));
        r
    }
}

/// The application error a response carries until it is rendered, if any.
pub fn pending_error(response: &Response) -> Option<std::sync::Arc<AppError>> {
    response.extensions().get::<Pending>().map(|p| p.0.clone())
}

/// Renders a pending error (if any) for the caller; other responses pass unchanged.
pub fn render(
    response: Response,
    actor: Option<&Actor>,
    lang: Language,
    csrf: &str,
    is_api: bool,
) -> Response {
    let Some(Pending(err)) = response.extensions().get::<Pending>().cloned() else {
        return response;
    };
    let status = response.status();
    let request_ref = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if is_api {
        let message = match &*err {
            AppError::Internal(_) => {
                "internal error; quote the request id to the Service Centre".to_owned()
            }
            e => e.to_string(),
        };
        let mut r = (status, Json(crate::api::ErrorBody::of(&err, message))).into_response();
        if matches!(*err, AppError::Unauthenticated) {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        return with_retry_after(r, &err);
    }
    if matches!(*err, AppError::Unauthenticated) {
        return (StatusCode::SEE_OTHER, [(header::LOCATION, "/login")]).into_response();
    }
    let r = ErrorPage::new(actor, lang, csrf, &err, request_ref).into_response_with(status);
    with_retry_after(r, &err)
}

/// `Retry-After` (seconds) on the answer of an error that says when to come back.
fn with_retry_after(mut r: Response, err: &AppError) -> Response {
    if let Some(secs) = err.retry_after() {
        r.headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_refusal_says_when_to_come_back_on_pages_and_in_the_api() {
        for is_api in [true, false] {
            let pending = WebError(AppError::TooManyExports {
                retry_after_secs: 30,
            })
            .into_response();
            let r = render(pending, None, Language::Fr, "token", is_api);
            assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "api: {is_api}");
            assert_eq!(r.headers()[header::RETRY_AFTER], "30", "api: {is_api}");
        }
        let pending = WebError(AppError::Forbidden).into_response();
        let r = render(pending, None, Language::En, "token", true);
        assert!(r.headers().get(header::RETRY_AFTER).is_none());
    }
}
