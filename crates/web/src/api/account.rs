//! Authentication and the signed-in user: `/api/v1/me`, `/api/v1/auth/token`,
//! `/api/v1/auth/password`.

use super::{
    ApiJson, ErrorBody,
    types::{CustomerBody, UserBody},
};
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
use cs_app::{Actor, auth, signin};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/me", Policy::SignedIn, me)
        .public_api_post("/api/v1/auth/token", token)
        .public_api_post("/api/v1/auth/password", set_password)
}

/// The signed-in user and its customer (null for operators).
#[derive(Debug, Serialize, ToSchema)]
pub struct MeBody {
    #[serde(flatten)]
    pub user: UserBody,
    pub customer: Option<CustomerBody>,
}

impl MeBody {
    fn of(a: &Actor) -> Self {
        Self {
            user: UserBody {
                id: a.user_id.get(),
                username: a.username.clone(),
                full_name: a.full_name.clone(),
                email: a.email.clone(),
                language: a.language.code().to_owned(),
                role: a.role.as_str().to_owned(),
                modules: a.modules.iter().map(|m| m.as_str().to_owned()).collect(),
                cost_centres: a.cost_centres.clone(),
                status: "active".to_owned(),
            },
            customer: a.customer.as_ref().map(|c| CustomerBody {
                customer_number: c.number.clone(),
                name: c.name.clone(),
            }),
        }
    }
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = MeBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn me(ctx: RequestCtx) -> Result<Json<MeBody>, WebError> {
    Ok(Json(MeBody::of(ctx.actor()?)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
    /// With a second factor on: the app's current six-digit code, or an unused recovery code.
    #[serde(default)]
    pub totp: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub token: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
}

/// Exchanges a username and password for a bearer token (valid 12 hours).
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 400, body = ErrorBody),
        (status = 401, description = "unknown username or wrong password (`invalid_credentials`); second factor missing (`totp_required`) or wrong (`invalid_totp`)", body = ErrorBody),
        (status = 403, description = "the customer's access is suspended", body = ErrorBody),
        (status = 429, description = "the account is locked (`account_locked`) or the address throttled (`too_many_attempts`)", body = ErrorBody)))]
pub async fn token(
    State(s): State<AppState>,
    ctx: RequestCtx,
    ApiJson(req): ApiJson<TokenRequest>,
) -> Result<Json<TokenResponse>, WebError> {
    let (token, expires_at) = signin::issue_login_token(
        &s.app,
        &ctx.meta,
        &req.username,
        &req.password,
        req.totp.as_deref(),
    )
    .await?;
    Ok(Json(TokenResponse { token, expires_at }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SetPasswordRequest {
    /// The token of the one-time link.
    pub token: String,
    pub password: String,
}

/// Sets a password with the token of a one-time link (invitation or reset).
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = SetPasswordRequest,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_password(
    State(s): State<AppState>,
    ctx: RequestCtx,
    ApiJson(req): ApiJson<SetPasswordRequest>,
) -> Result<Response, WebError> {
    auth::set_password_with_link(&s.app, &ctx.meta, &req.token, &req.password).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
