//! The signed-in user's own account over the API (`POST /api/v1/me/password`) and the
//! self-service "forgot password" request (`POST /api/v1/auth/forgot`), which answers 202
//! with the same body whether or not the account exists.

use super::{ApiJson, ErrorBody};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    policy::{Policy, Routes},
};
use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use cs_app::account::{self, PasswordChange};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes(r: Routes) -> Routes {
    r.public_api_post("/api/v1/auth/forgot", forgot).post(
        "/api/v1/me/password",
        Policy::SignedIn,
        change_password,
    )
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ForgotRequest {
    pub username: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ForgotResponse {
    pub message: String,
}

/// Asks for a link to choose a new password. Always 202 with the same body: an e-mail with a
/// one-time link (valid 1 hour, single use) goes out only when the account exists and may use
/// it, at most 3 per account and hour.
#[utoipa::path(post, path = "/api/v1/auth/forgot", tag = "auth", operation_id = "forgot_password", request_body = ForgotRequest,
    responses((status = 202, body = ForgotResponse), (status = 400, body = ErrorBody)))]
pub async fn forgot(
    State(s): State<AppState>,
    ctx: RequestCtx,
    ApiJson(req): ApiJson<ForgotRequest>,
) -> Result<Response, WebError> {
    account::request_password_reset(&s.app, &ctx.meta, &req.username).await?;
    let body = ForgotResponse {
        message: "If this username belongs to an account, an e-mail with a link to choose a new \
                  password has been sent to it."
            .to_owned(),
    };
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the caller's own password (the current one is required). Every other session and
/// bearer token of the user ends; the caller's own session or token keeps working.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "account", operation_id = "change_own_password",
    request_body = ChangePasswordRequest,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 422, description = "wrong current password, or the new one breaks the policy",
            body = ErrorBody),
        (status = 429, description = "too many wrong current passwords", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn change_password(
    State(s): State<AppState>,
    ctx: RequestCtx,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> Result<Response, WebError> {
    let change = PasswordChange {
        current: &req.current_password,
        new: &req.new_password,
        confirm: None,
    };
    account::change_password(&s.app, ctx.actor()?, &ctx.meta, change).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
