//! Background jobs: typed, stored in the `jobs` table inside the transaction that causes
//! them, claimed safely by any number of instances, retried with back-off, never lost.

use crate::{App, AppError, error::AppResult, mail::Email};
use cs_store::{Conn, repo::jobs as repo};
use serde::{Deserialize, Serialize};
use std::time::Duration as StdDuration;
use time::{Duration, OffsetDateTime};

/// Every kind of job, registered in one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Job {
    SendEmail(Email),
}

impl Job {
    fn kind(&self) -> &'static str {
        match self {
            Job::SendEmail(_) => "send_email",
        }
    }
}

/// A job that failed this many times is given up (status `failed`, kept for the operator).
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a claimed job is reserved before another instance may take it over.
const LEASE: Duration = Duration::minutes(5);

/// What a job's payload is sealed for: it opens as a job of that kind only.
fn purpose(kind: &str) -> String {
    format!("job:{kind}")
}

/// Queues `job` on `conn`. Its payload is sealed with the secret key (`crate::secret_box`):
/// an e-mail waiting to be sent holds a one-time link, which a copy of the database must not
/// give away. (A delivered job's payload is emptied.)
pub async fn enqueue(
    app: &App,
    conn: &mut Conn<'_>,
    at: OffsetDateTime,
    job: Job,
) -> AppResult<i64> {
    let value = serde_json::to_value(&job)?;
    let payload = value
        .get("payload")
        .cloned()
        .unwrap_or_default()
        .to_string();
    let sealed = app
        .settings
        .secret_keys
        .seal(&purpose(job.kind()), &payload)?;
    let stored = serde_json::Value::String(sealed).to_string();
    Ok(repo::enqueue(conn, job.kind(), &stored, at).await?)
}

/// A stored payload back as its job: sealed (a JSON string), or a JSON object as queued by
/// versions before payloads were sealed.
fn decode(app: &App, kind: &str, payload: &str) -> Result<Job, String> {
    let stored: serde_json::Value = serde_json::from_str(payload).map_err(|e| e.to_string())?;
    let payload = match stored {
        serde_json::Value::String(sealed) => {
            let plain = app
                .settings
                .secret_keys
                .open(&purpose(kind), &sealed)
                .map_err(|e| e.to_string())?;
            serde_json::from_str(&plain).map_err(|e| e.to_string())?
        }
        clear => clear,
    };
    let value = serde_json::json!({ "kind": kind, "payload": payload });
    serde_json::from_value(value).map_err(|e| format!("job {kind}: {e}"))
}

async fn run(app: &App, id: i64, job: &Job) -> Result<(), String> {
    match job {
        Job::SendEmail(email) => app.mailer.deliver(id, app.now(), email).await,
    }
}

/// Claims and runs the jobs that are due, at most `limit`; returns how many ran (ok or not).
pub async fn run_due(app: &App, limit: i64) -> AppResult<usize> {
    let now = app.now();
    let claimed = {
        let mut tx = app.store.begin().await?;
        let claimed = repo::claim_due(&mut tx.conn(), now, now + LEASE, limit).await?;
        tx.commit().await?;
        claimed
    };
    let count = claimed.len();
    for c in claimed {
        let outcome = match decode(app, &c.kind, &c.payload) {
            Ok(job) => run(app, c.id, &job).await,
            Err(e) => Err(e),
        };
        let mut conn = app.store.acquire().await?;
        match outcome {
            Ok(()) => repo::complete(&mut conn.conn(), c.id, app.now()).await?,
            Err(error) => {
                tracing::warn!(job = c.id, kind = %c.kind, attempt = c.attempts, %error, "job failed");
                let retry_at = (c.attempts < MAX_ATTEMPTS)
                    .then(|| app.now() + Duration::seconds(30 * (1 << c.attempts.clamp(0, 10))));
                repo::fail(&mut conn.conn(), c.id, &error, retry_at).await?;
            }
        }
    }
    Ok(count)
}

/// Runs due jobs until none is left (tests and the CLI).
pub async fn drain(app: &App) -> AppResult<usize> {
    let mut total = 0;
    loop {
        let n = run_due(app, 50).await?;
        if n == 0 {
            return Ok(total);
        }
        total += n;
    }
}

/// The worker of a serving instance: wakes when a job is queued here, and every second to
/// pick up jobs queued by other instances or due for a retry.
pub async fn worker(app: App) {
    let mut tick = tokio::time::interval(StdDuration::from_secs(1));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = app.jobs_queued.notified() => {}
        }
        if let Err(e) = run_due(&app, 20).await
            && !matches!(e, AppError::Unavailable)
        {
            tracing::warn!(error = %e, "job runner");
        }
    }
}
