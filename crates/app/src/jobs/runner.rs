//! The runner: claims due jobs (safely with any number of instances), runs each through the
//! registry, and records the outcome: done, retried with back-off, or given up (dead).

use super::{JobContext, open_payload, registry};
use crate::{App, AppError, error::AppResult};
use cs_store::repo::jobs::{self as repo, ClaimedJob};
use std::time::Duration as StdDuration;
use time::Duration;

/// A job that failed this many times is given up: status `failed`, the dead letter, kept
/// with its last error for the operator (`/operator/jobs`), who may queue it again.
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a claimed job is reserved before another instance may take it over.
const LEASE: Duration = Duration::minutes(5);

/// How long a job that failed its try number `attempts` waits before the next: 30 s ×
/// 2^attempts (1, 2, 4 … 64 minutes, about two hours in all); `None` once it has had
/// [`MAX_ATTEMPTS`] tries: it is given up.
pub fn backoff(attempts: i64) -> Option<Duration> {
    (attempts < MAX_ATTEMPTS).then(|| Duration::seconds(30 * (1_i64 << attempts.clamp(0, 10))))
}

/// Why a run did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Failure {
    /// Retried after its back-off (given up after [`MAX_ATTEMPTS`]).
    Retry(String),
    /// Given up at once: trying again cannot help this version.
    GiveUp(String),
}

async fn execute(app: &App, c: &ClaimedJob) -> Result<(), Failure> {
    let Some(kind) = registry::find(&c.kind) else {
        return Err(Failure::GiveUp(format!(
            "unknown job kind {:?}: this version of the portal has no runner for it \
             (queued by a newer version?); retry it once an instance that knows it runs",
            c.kind
        )));
    };
    let payload = open_payload(app, &c.kind, &c.payload)
        .map_err(|e| Failure::Retry(format!("job {}: the payload does not open: {e}", c.kind)))?;
    let job = JobContext {
        id: c.id,
        attempt: c.attempts,
    };
    kind.run(app, job, &payload).await.map_err(Failure::Retry)
}

async fn record(app: &App, c: &ClaimedJob, outcome: Result<(), Failure>) -> AppResult<()> {
    let now = app.now();
    let mut conn = app.store.acquire().await?;
    let (error, retry_at) = match outcome {
        Ok(()) => return Ok(repo::complete(&mut conn.conn(), c.id, now).await?),
        Err(Failure::Retry(e)) => (e, backoff(c.attempts).map(|d| now + d)),
        Err(Failure::GiveUp(e)) => (e, None),
    };
    if retry_at.is_some() {
        tracing::warn!(job = c.id, kind = %c.kind, attempt = c.attempts, %error, "job failed");
    } else {
        tracing::error!(job = c.id, kind = %c.kind, attempt = c.attempts, %error, "job given up");
    }
    repo::fail(&mut conn.conn(), c.id, &error, now, retry_at).await?;
    Ok(())
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
    for c in &claimed {
        let outcome = execute(app, c).await;
        record(app, c, outcome).await?;
    }
    Ok(claimed.len())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_from_a_minute_then_gives_up() {
        let waits: Vec<i64> = (1..MAX_ATTEMPTS)
            .map(|a| backoff(a).map(|d| d.whole_minutes()).unwrap_or(-1))
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64]);
        assert_eq!(
            backoff(MAX_ATTEMPTS),
            None,
            "the eighth failure is the last"
        );
        assert_eq!(backoff(MAX_ATTEMPTS + 5), None);
        let total: i64 = (1..MAX_ATTEMPTS)
            .filter_map(backoff)
            .map(|d| d.whole_minutes())
            .sum();
        assert_eq!(
            total, 127,
            "about two hours from the first failure to the last try"
        );
    }

    #[test]
    fn back_off_is_bounded_whatever_the_count() {
        assert_eq!(backoff(0), Some(Duration::seconds(30)));
        assert_eq!(backoff(-4), Some(Duration::seconds(30)), "a nonsense count");
    }
}
