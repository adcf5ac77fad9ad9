//! The operator's page of failed jobs (the dead letters): kind, unique key, tries, last error
//! and when each was given up (Brussels time), with a retry button. Never a job's payload.

use super::{Chrome, render};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    local_time,
    params::path_id,
    policy::{Policy, Routes},
};
use askama::Template;
use axum::{
    extract::{Path, Query, State, rejection::QueryRejection},
    response::{IntoResponse, Redirect, Response},
};
use cs_app::{
    i18n,
    jobs::admin::{self, JobQuery},
};
use serde::Deserialize;

const PATH: &str = "/operator/jobs";

pub fn routes(r: Routes) -> Routes {
    r.get(PATH, Policy::Operator, jobs_page).post(
        "/operator/jobs/{id}/retry",
        Policy::Operator,
        retry,
    )
}

#[derive(Debug, Default, Deserialize)]
struct JobsParams {
    #[serde(default)]
    cursor: String,
    /// After a retry: `retried` or `unchanged`, with the job's id.
    #[serde(default)]
    done: String,
    #[serde(default)]
    job: String,
}

struct JobLine {
    id: i64,
    kind: String,
    unique_key: String,
    attempts: i64,
    last_error: String,
    failed_at: String,
    retry_action: String,
}

#[derive(Template)]
#[template(path = "operator_jobs.html")]
struct JobsPage {
    chrome: Chrome,
    notice: Option<String>,
    lines: Vec<JobLine>,
    next_href: Option<String>,
}

fn notice(chrome: &Chrome, p: &JobsParams) -> Option<String> {
    let id = path_id(&p.job).ok()?.to_string();
    let key = match p.done.as_str() {
        "retried" => "jobs-retried",
        "unchanged" => "jobs-unchanged",
        _ => return None,
    };
    Some(i18n::t_args(chrome.lang, key, &[("id", &id)]))
}

async fn jobs_page(
    State(s): State<AppState>,
    ctx: RequestCtx,
    q: Result<Query<JobsParams>, QueryRejection>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let p = q.map(|Query(q)| q).unwrap_or_default();
    let page = admin::list(
        &s.app,
        actor,
        &JobQuery {
            status: None,
            cursor: Some(p.cursor.clone()),
            limit: None,
        },
    )
    .await?;
    let chrome = Chrome::new(&ctx, PATH);
    let lines = page
        .items
        .into_iter()
        .map(|j| JobLine {
            retry_action: format!("/operator/jobs/{}/retry", j.id),
            id: j.id,
            kind: j.kind,
            unique_key: j.unique_key.unwrap_or_default(),
            attempts: j.attempts,
            last_error: j.last_error.unwrap_or_default(),
            failed_at: j
                .failed_at
                .map(|t| local_time::second(chrome.lang, t))
                .unwrap_or_default(),
        })
        .collect();
    let next_href = page.next_cursor.map(|c| format!("{PATH}?cursor={c}"));
    let page = JobsPage {
        notice: notice(&chrome, &p),
        lines,
        next_href,
        chrome,
    };
    Ok(render(&page))
}

async fn retry(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let id = path_id(&id)?;
    let done = if admin::retry(&s.app, actor, &ctx.meta, id).await? {
        "retried"
    } else {
        "unchanged"
    };
    Ok(Redirect::to(&format!("{PATH}?done={done}&job={id}")).into_response())
}
