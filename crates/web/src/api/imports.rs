//! The operator's feed imports over the API: `POST /api/v1/operator/imports/{kind}` with the CSV
//! file as the body (streamed into the importer, never buffered), and the list of past runs.

use super::{ApiQuery, ErrorBody};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    policy::{Policy, Routes},
};
use axum::{
    Json,
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, header},
    response::{IntoResponse, Response},
};
use cs_app::{
    AppError,
    imports::{self, ImportRun, LineError, Options, Outcome},
};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.post("/api/v1/operator/imports/{kind}", Policy::Operator, import)
        .get("/api/v1/operator/imports", Policy::Operator, runs)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true`: check the file and answer what it would do, change nothing.
    pub dry_run: Option<bool>,
    /// `true`: replace stored rows that the file gives with other values.
    pub update: Option<bool>,
    /// Recorded with the run (default: the kind).
    pub file_name: Option<String>,
}

/// What an import did (for a dry run: would do).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportSummary {
    pub kind: String,
    pub dry_run: bool,
    pub rows_read: u64,
    pub inserted: u64,
    pub already_present: u64,
    pub updated: u64,
    pub seconds: f64,
    pub rows_per_second: u64,
    /// How long the database's write lock was held.
    pub lock_millis: Option<u64>,
    /// The recorded run (none for a dry run).
    pub import_id: Option<i64>,
}

/// Streams the body into the importer. A file with any bad row changes nothing and answers
/// 422 `import_rejected`, each detail naming its `line` (the header is line 1) and `column`,
/// at most 1,000 of them, with `error_count` for all.
#[utoipa::path(post, path = "/api/v1/operator/imports/{kind}", tag = "operator",
    params(("kind" = String, Path, description = "customers, cost-centres, collection-points, products, transactions or registered-items"), ImportParams),
    request_body(content = String, content_type = "text/csv", description = "the CSV file: comma, header row, RFC 4180 quoting, UTF-8"),
    responses((status = 200, body = ImportSummary), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn import(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(kind): Path<String>,
    ApiQuery(p): ApiQuery<ImportParams>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let kind = imports::kind_of_path(&kind)?;
    let limit = s.app.settings.import_max_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(WebError(AppError::PayloadTooLarge(format!(
            "the file is larger than the limit of {limit} bytes"
        ))));
    }
    let options = Options {
        dry_run: p.dry_run.unwrap_or(false),
        update: p.update.unwrap_or(false),
        file_name: p
            .file_name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("{}.csv", kind.as_str())),
    };
    let (mut feeder, source) = imports::channel_source(limit);
    let feed = async move {
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(bytes) => {
                    if !feeder.send(&bytes).await {
                        break;
                    }
                }
                Err(e) => {
                    feeder.fail(format!("the upload broke off: {e}")).await;
                    break;
                }
            }
        }
    };
    let work = imports::import_as(&s.app, actor, &ctx.meta, kind, source, &options);
    let ((), outcome) = tokio::join!(feed, work);
    match outcome? {
        Outcome::Imported(sum) => Ok(Json(ImportSummary {
            kind: sum.kind.to_owned(),
            dry_run: sum.dry_run,
            rows_read: sum.rows_read,
            inserted: sum.inserted,
            already_present: sum.already_present,
            updated: sum.updated,
            seconds: sum.seconds,
            rows_per_second: sum.rows_per_second,
            lock_millis: sum.lock_millis,
            import_id: sum.import_id,
        })
        .into_response()),
        Outcome::Rejected(r) => {
            let more = r.more();
            let message = if more > 0 {
                format!(
                    "the file was not imported: {} errors (the first {} are listed)",
                    r.error_count,
                    r.errors.len()
                )
            } else {
                format!("the file was not imported: {} errors", r.error_count)
            };
            Err(WebError(AppError::ImportRejected {
                message,
                details: r.errors.iter().map(LineError::detail).collect(),
                error_count: r.error_count,
                rows_read: r.rows_read,
                import_id: r.import_id,
            }))
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunParams {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<String>,
}

/// One recorded import run.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRunBody {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub sha256: String,
    /// The operator's username, or `cli`.
    pub actor: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub finished_at: OffsetDateTime,
    /// `imported` or `rejected`.
    pub outcome: String,
    pub rows_read: u64,
    pub inserted: u64,
    pub already_present: u64,
    pub updated: u64,
    pub error_count: u64,
    pub lock_millis: Option<u64>,
    /// The listed errors (at most 1,000).
    pub errors: Vec<ImportLineError>,
}

/// One problem of a recorded run's file: the header is line 1, the column is its header name.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportLineError {
    pub line: u64,
    pub column: String,
    /// A stable code (`quantity_out_of_range`, `unknown_reference`, `conflicts_with_stored`, …).
    pub code: String,
    pub message: String,
}

impl From<&LineError> for ImportLineError {
    fn from(e: &LineError) -> Self {
        ImportLineError {
            line: e.line,
            column: e.column.clone(),
            code: e.code.clone(),
            message: e.portal_message(),
        }
    }
}

impl From<ImportRun> for ImportRunBody {
    fn from(r: ImportRun) -> Self {
        ImportRunBody {
            errors: r.errors.iter().map(ImportLineError::from).collect(),
            id: r.id,
            kind: r.kind.as_str().to_owned(),
            file_name: r.file_name,
            sha256: r.sha256,
            actor: r.actor,
            started_at: r.started_at,
            finished_at: r.finished_at,
            outcome: r.outcome.as_str().to_owned(),
            rows_read: r.rows_read,
            inserted: r.inserted,
            already_present: r.already_present,
            updated: r.updated,
            error_count: r.error_count,
            lock_millis: r.lock_millis,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRunList {
    pub items: Vec<ImportRunBody>,
    pub next_cursor: Option<String>,
}

/// The import runs, newest first, imported and rejected.
#[utoipa::path(get, path = "/api/v1/operator/imports", tag = "operator", params(RunParams),
    responses((status = 200, body = ImportRunList), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn runs(
    State(s): State<AppState>,
    ctx: RequestCtx,
    ApiQuery(p): ApiQuery<RunParams>,
) -> Result<Json<ImportRunList>, WebError> {
    let page = imports::runs(
        &s.app,
        ctx.actor()?,
        p.cursor.as_deref(),
        p.limit.as_deref(),
    )
    .await?;
    Ok(Json(ImportRunList {
        items: page.items.into_iter().map(ImportRunBody::from).collect(),
        next_cursor: page.next_cursor,
    }))
}
