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
use cs_app::{AppError, signin};

pub fn routes(r: Routes) -> Routes {
    r.post(
        "/api/v1/operator/users/{id}/unlock",
        Policy::Operator,
        unlock_user,
    )
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
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    signin::unlock(&s.app, ctx.actor()?, &ctx.meta, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
