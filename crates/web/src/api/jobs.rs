//! The operator's view of the job queue over the API: jobs by status (failed by default, the
//! dead letters) and a failed job put back in the queue. A job's payload is never sent.

use super::{ApiQuery, ErrorBody};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    params::path_id,
    policy::{Policy, Routes},
};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use cs_app::jobs::admin::{self, JobQuery, JobSummary};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/operator/jobs", Policy::Operator, list).post(
        "/api/v1/operator/jobs/{id}/retry",
        Policy::Operator,
        retry,
    )
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobParams {
    /// `queued`, `running`, `done` or `failed` (the default).
    pub status: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<String>,
}

/// A job, without its payload (which holds personal data).
#[derive(Debug, Serialize, ToSchema)]
pub struct JobBody {
    pub id: i64,
    /// The job's kind, e.g. `send_email`, `housekeeping`.
    pub kind: String,
    /// Set on a job that runs once per key, e.g. `housekeeping:2026-12-03:10`.
    pub unique_key: Option<String>,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// Tries so far (counted from zero again when an operator retries it).
    pub attempts: i64,
    pub last_error: Option<String>,
    /// When it runs (next), or ran last.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub run_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// When it was given up (failed jobs only).
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub failed_at: Option<OffsetDateTime>,
}

impl From<JobSummary> for JobBody {
    fn from(j: JobSummary) -> Self {
        Self {
            id: j.id,
            kind: j.kind,
            unique_key: j.unique_key,
            status: j.status,
            attempts: j.attempts,
            last_error: j.last_error,
            run_at: j.run_at,
            created_at: j.created_at,
            failed_at: j.failed_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobList {
    pub items: Vec<JobBody>,
    pub next_cursor: Option<String>,
}

/// Jobs in one status, newest first: by default the failed ones, given up after their
/// tries, with their last error.
#[utoipa::path(get, path = "/api/v1/operator/jobs", tag = "operator", params(JobParams),
    responses((status = 200, body = JobList), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(s): State<AppState>,
    ctx: RequestCtx,
    ApiQuery(p): ApiQuery<JobParams>,
) -> Result<Json<JobList>, WebError> {
    let page = admin::list(
        &s.app,
        ctx.actor()?,
        &JobQuery {
            status: p.status,
            cursor: p.cursor,
            limit: p.limit,
        },
    )
    .await?;
    Ok(Json(JobList {
        items: page.items.into_iter().map(JobBody::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Puts a failed job back in the queue, due now, with its tries counted from zero again
/// (audited as `job.retried`). A job that is not failed is left as it is.
#[utoipa::path(post, path = "/api/v1/operator/jobs/{id}/retry", tag = "operator",
    params(("id" = i64, Path, description = "The job's id")),
    responses((status = 204), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn retry(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = path_id(&id)?;
    admin::retry(&s.app, ctx.actor()?, &ctx.meta, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
