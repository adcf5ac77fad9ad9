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
pub mod spreadsheets;
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
use cs_app::{AppError, ErrorCode};

/// The error body (SPEC §6) lives with the renderer in `view`; handlers name it in their
/// OpenAPI annotations as `super::ErrorBody`.
pub use crate::view::{ErrorBody, ErrorContent, ErrorDetail};

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
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state).await?;
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
impl From<BytesRejection> for WebError {
    fn from(r: BytesRejection) -> Self {
        if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            WebError(AppError::bad_request(ErrorCode::InvalidBody, r.body_text()))
        }
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
        WebError(AppError::bad_request(ErrorCode::InvalidJson, r.body_text()))
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
        let body = Bytes::from_request(req, state).await?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        screen_json(&body)?;
        serde_json::from_slice(&body)
            .map(OptionalJson)
            .map_err(|e| WebError(AppError::bad_request(ErrorCode::InvalidJson, e.to_string())))
    }
}

/// Query parameters whose rejection speaks the portal's error vocabulary (400 `invalid_query`).
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(WebError))]
pub struct ApiQuery<T>(pub T);

impl From<QueryRejection> for WebError {
    fn from(r: QueryRejection) -> Self {
        WebError(AppError::bad_request(
            ErrorCode::InvalidQuery,
            r.body_text(),
        ))
    }
}
