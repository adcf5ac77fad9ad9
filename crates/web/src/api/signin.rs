//! Sign-in hardening in the API: the Service Centre's unlock of a locked account. (The
//! `totp` field of `/api/v1/auth/token` is handled with the token itself.)

use super::ErrorBody;
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    policy::{Policy, Routes},
};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use cs_app::signin;
use cs_domain::UserId;

pub fn routes(r: Routes) -> Routes {
    r.post(
        "/api/v1/operator/users/{id}/unlock",
        Policy::Operator,
        unlock_user,
    )
    .post(
        "/api/v1/operator/users/{id}/second-factor/reset",
        Policy::Operator,
        reset_second_factor,
    )
}

/// The operator's own password, asked again before a sensitive change.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ReauthRequest {
    pub current_password: Option<String>,
}

/// Removes a user's second factor (Service Centre only) when the device and the recovery
/// codes are lost; the user enrols again after signing in with its password. The operator
/// confirms with its own password (`current_password`).
#[utoipa::path(post, path = "/api/v1/operator/users/{id}/second-factor/reset", tag = "operator",
    params(("id" = i64, Path, description = "the user's id")),
    request_body = ReauthRequest,
    responses((status = 204, description = "removed (also when there was none)"),
        (status = 400, description = "the body is not JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "not an operator, or `reauthentication_required`: `current_password` missing or wrong", body = ErrorBody),
        (status = 404, description = "no such user", body = ErrorBody),
        (status = 429, description = "`account_locked`: too many wrong passwords", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn reset_second_factor(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
    super::OptionalJson(req): super::OptionalJson<ReauthRequest>,
) -> Result<Response, WebError> {
    let id = UserId::new(crate::params::path_id(&id)?);
    signin::reset_second_factor(
        &s.app,
        ctx.actor()?,
        &ctx.meta,
        id,
        req.current_password.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Unlocks an account locked by failed sign-ins (Service Centre only): its lock ends and
/// its recent failures stop counting.
#[utoipa::path(post, path = "/api/v1/operator/users/{id}/unlock", tag = "operator",
    params(("id" = i64, Path, description = "the user's id")),
    responses((status = 204, description = "unlocked (also when it was not locked)"),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "not an operator", body = ErrorBody),
        (status = 404, description = "no such user", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn unlock_user(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = UserId::new(crate::params::path_id(&id)?);
    cs_app::lockout::unlock(&s.app, ctx.actor()?, &ctx.meta, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
