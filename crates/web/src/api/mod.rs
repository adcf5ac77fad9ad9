//! The JSON API under `/api/v1`: thin handlers over the use cases, errors in the shared
//! vocabulary, and the OpenAPI document generated from the handlers' annotations.

mod access_requests;
mod account;
mod backoffice;
mod imports;
mod me;
pub mod openapi;
mod registered_items;
mod signin;
pub mod transactions;
pub mod types;
mod users;

use crate::{error::WebError, policy::Routes};
use axum::extract::{
    FromRequest, FromRequestParts,
    rejection::{JsonRejection, QueryRejection},
};
use cs_app::AppError;

pub fn routes(r: Routes) -> Routes {
    let r = account::routes(r);
    let r = me::routes(r);
    let r = access_requests::routes(r);
    let r = users::routes(r);
    let r = backoffice::routes(r);
    let r = imports::routes(r);
    let r = signin::routes(r);
    let r = transactions::routes(r);
    let r = registered_items::routes(r);
    openapi::routes(r)
}

/// A JSON body whose rejection speaks the portal's error vocabulary.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(WebError))]
pub struct ApiJson<T>(pub T);

impl From<JsonRejection> for WebError {
    fn from(r: JsonRejection) -> Self {
        WebError(AppError::bad_request("invalid_json", r.body_text()))
    }
}

/// A JSON body that may be left out entirely (empty or blank): then every field takes its
/// default. Read from the raw bytes, since `ApiJson` refuses an empty body.
fn optional_json<T: serde::de::DeserializeOwned + Default>(
    body: &axum::body::Bytes,
) -> Result<T, WebError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
        .map_err(|e| WebError(AppError::bad_request("invalid_json", e.to_string())))
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

/// The error body every failing API call returns (SPEC §6).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorContent,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorContent {
    /// Stable machine-readable code, e.g. `invalid_credentials`.
    pub code: String,
    pub message: String,
    pub details: Vec<ErrorDetail>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub field: Option<String>,
    pub line: Option<u64>,
    pub column: Option<String>,
    pub code: String,
    pub message: String,
}
