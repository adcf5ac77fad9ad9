//! The operator's view of the queue: jobs listed by status (the failed ones, the dead
//! letters, first of all) and a failed job put back in the queue, audited.
//! A job's payload holds personal data: nothing here reads it.

use crate::{
    Actor, App, AppError, FieldError, RequestMeta,
    audit::{self, Who},
    backoffice::Page,
    error::AppResult,
    paging,
};
use cs_store::repo::jobs::{self as repo, JobRow};
use serde_json::json;
use time::OffsetDateTime;

/// Stable names of the events recorded here.
pub mod action {
    pub const JOB_RETRIED: &str = "job.retried";
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    /// Given up after its tries (or at once, for a kind this version does not know).
    Failed,
}

impl JobStatus {
    pub const ALL: [JobStatus; 4] = [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Done,
        JobStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The filters of the job list, as typed.
#[derive(Debug, Clone, Default)]
pub struct JobQuery {
    /// `queued`, `running`, `done` or `failed` (the default).
    pub status: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

/// A job as the operator sees it: never its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSummary {
    pub id: i64,
    pub kind: String,
    pub unique_key: Option<String>,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub run_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
    /// When it was given up (failed jobs only).
    pub failed_at: Option<OffsetDateTime>,
}

impl From<JobRow> for JobSummary {
    fn from(r: JobRow) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            unique_key: r.unique_key,
            status: r.status,
            attempts: r.attempts,
            last_error: r.last_error,
            run_at: r.run_at,
            created_at: r.created_at,
            failed_at: r.failed_at,
        }
    }
}

/// The status a list asks for: blank or absent is `failed`.
fn status(raw: Option<&str>, errors: &mut Vec<FieldError>) -> JobStatus {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => JobStatus::Failed,
        Some(s) => JobStatus::parse(s).unwrap_or_else(|| {
            errors.push(FieldError::field(
                "status",
                "invalid_status",
                "status must be queued, running, done or failed",
            ));
            JobStatus::Failed
        }),
    }
}

/// Jobs in one status, newest first (operators only).
pub async fn list(app: &App, actor: &Actor, q: &JobQuery) -> AppResult<Page<JobSummary>> {
    actor.require_operator()?;
    let mut errors = Vec::new();
    let status = status(q.status.as_deref(), &mut errors);
    let before = paging::id_cursor(q.cursor.as_deref(), &mut errors);
    let limit = paging::limit(q.limit.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut conn = app.store.acquire().await?;
    let mut rows = repo::list(&mut conn.conn(), status.as_str(), before, limit + 1).await?;
    let more = paging::cut(&mut rows, limit);
    let next_cursor = more
        .then(|| rows.last().map(|r| r.id.to_string()))
        .flatten();
    Ok(Page {
        items: rows.into_iter().map(JobSummary::from).collect(),
        next_cursor,
    })
}

/// Puts a failed job back in the queue, due now, with its tries counted from zero again
/// (operators only), and records `job.retried`. Unknown: 404. Returns false, with nothing
/// changed or recorded, for a job that is not failed (a repeated click is not an error).
pub async fn retry(app: &App, actor: &Actor, meta: &RequestMeta, id: i64) -> AppResult<bool> {
    actor.require_operator()?;
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let job = repo::by_id(&mut tx.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !repo::retry_failed(&mut tx.conn(), id, now).await? {
        return Ok(false);
    }
    audit::record(
        &mut tx.conn(),
        now,
        &Who::actor(actor),
        meta,
        action::JOB_RETRIED,
        ("job", &id.to_string()),
        json!({
            "kind": job.kind,
            "unique_key": job.unique_key,
            "attempts": job.attempts,
        }),
    )
    .await?;
    tx.commit().await?;
    app.wake_jobs();
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in JobStatus::ALL {
            assert_eq!(JobStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(JobStatus::parse("dead"), None);
    }

    #[test]
    fn the_list_shows_failed_jobs_unless_asked_otherwise() {
        let mut e = Vec::new();
        assert_eq!(status(None, &mut e), JobStatus::Failed);
        assert_eq!(status(Some(" "), &mut e), JobStatus::Failed);
        assert_eq!(status(Some("queued"), &mut e), JobStatus::Queued);
        assert!(e.is_empty());
        status(Some("dead"), &mut e);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field.as_deref(), Some("status"));
        assert_eq!(e[0].code, "invalid_status");
    }
}
