//! The JSON API under `/api/v1`: thin handlers over the use cases, errors in the shared
//! vocabulary, and the OpenAPI document generated from the handlers' annotations.

mod access_requests;
mod account;
mod backoffice;
mod imports;
mod jobs;
mod me;
pub mod openapi;
mod registered_items;
mod signin;
pub mod transactions;
pub mod types;
mod users;

use crate::{error::WebError, policy::Routes};
use axum::{
    body::Bytes,
    extract::{
        FromRequest, FromRequestParts, Request,
        rejection::{BytesRejection, JsonRejection, QueryRejection},
    },
};
use cs_app::AppError;

pub fn routes(r: Routes) -> Routes {
    let r = account::routes(r);
    let r = me::routes(r);
    let r = access_requests::routes(r);
    let r = users::routes(r);
    let r = backoffice::routes(r);
    let r = imports::routes(r);
    let r = jobs::routes(r);
    let r = signin::routes(r);
    let r = transactions::routes(r);
    let r = registered_items::routes(r);
    openapi::routes(r)
}

/// A JSON body whose rejection speaks the portal's error vocabulary: 400 `invalid_json`,
/// 413 `payload_too_large` past the body limit, 422 `invalid_characters` for a string that
/// holds a control character ([`crate::input::check_json`]).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(body_rejection)?;
        screen_json(&bytes)?;
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        let axum::Json(v) = axum::Json::<T>::from_request(req, state).await?;
        Ok(ApiJson(v))
    }
}

/// Refuses a JSON document with a control character in a string; a document that does not
/// parse is left to the typed parse, which says why.
fn screen_json(bytes: &[u8]) -> Result<(), WebError> {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(v) => crate::input::check_json(&v).map_err(WebError),
        Err(_) => Ok(()),
    }
}

/// A body that could not be read: too large (413), or broken off.
pub(crate) fn body_rejection(r: BytesRejection) -> WebError {
    if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        WebError(AppError::bad_request("invalid_body", r.body_text()))
    }
}

pub(crate) fn too_large() -> WebError {
    WebError(AppError::PayloadTooLarge(
        "the request body is larger than the portal accepts".into(),
    ))
}

impl From<JsonRejection> for WebError {
    fn from(r: JsonRejection) -> Self {
        if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            return too_large();
        }
        WebError(AppError::bad_request("invalid_json", r.body_text()))
    }
}

/// A JSON body that may be left out entirely (empty or blank): then every field takes its
/// default. Read from the raw bytes, since `ApiJson` refuses an empty body; screened and
/// limited like [`ApiJson`].
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

impl<T: serde::de::DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = Bytes::from_request(req, state)
            .await
            .map_err(body_rejection)?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        screen_json(&body)?;
        serde_json::from_slice(&body)
            .map(OptionalJson)
            .map_err(|e| WebError(AppError::bad_request("invalid_json", e.to_string())))
    }
}

/// Query parameters whose rejection speaks the portal's error vocabulary (400 `invalid_query`).
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(WebError))]
pub struct ApiQuery<T>(pub T);

impl From<QueryRejection> for WebError {
    fn from(r: QueryRejection) -> Self {
        WebError(AppError::bad_request("invalid_query", r.body_text()))
    }
}

/// The error body every failing API call returns (SPEC §6), exactly this shape.
// Built by the one renderer (`crate::error::render`), so this schema is what clients receive.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub error: ErrorContent,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorContent {
    /// Stable machine-readable code, e.g. `invalid_credentials`. A validation error whose
    /// details all share one of `invalid_characters`, `invalid_date`, `invalid_limit`,
    /// `invalid_cursor` carries that code here; other validation errors `validation_failed`.
    pub code: String,
    pub message: String,
    pub details: Vec<ErrorDetail>,
    /// `import_rejected` only: how many problems the file has (the details list at most
    /// the first 1,000).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub error_count: Option<u64>,
    /// `import_rejected` only: the data rows read.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub rows_read: Option<u64>,
    /// `import_rejected` only: the recorded run (absent for a dry run).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub import_id: Option<i64>,
}

/// One problem: of a `field`, or of a file's `line` and `column`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub field: Option<String>,
    /// The file's line (the header is line 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub column: Option<String>,
    pub code: String,
    pub message: String,
}

impl ErrorBody {
    /// The body of `err`, with `message` as the client may read it.
    pub fn of(err: &AppError, message: String) -> Self {
        let (error_count, rows_read, import_id) = match err {
            AppError::ImportRejected {
                error_count,
                rows_read,
                import_id,
                ..
            } => (Some(*error_count), Some(*rows_read), *import_id),
            _ => (None, None, None),
        };
        ErrorBody {
            error: ErrorContent {
                code: err.code().to_owned(),
                message,
                details: err
                    .details()
                    .iter()
                    .map(|d| ErrorDetail {
                        field: d.field.clone(),
                        line: d.line,
                        column: d.column.clone(),
                        code: d.code.clone(),
                        message: d.message.clone(),
                    })
                    .collect(),
                error_count,
                rows_read,
                import_id,
            },
        }
    }
}
