//! Background jobs: kinds typed and registered in one place ([`registry`]), stored in the
//! `jobs` table inside the transaction that causes them, run by [`runner`] on every instance.
//!
//! A kind is a type implementing [`JobKind`], written next to its domain (the e-mail kind in
//! `mail.rs`); only the registry names the kinds, so this module depends on none of them.

pub mod admin;
mod registry;
pub mod runner;

pub use runner::{MAX_ATTEMPTS, backoff, drain, run_due, worker};

use crate::{App, error::AppResult};
use cs_store::{Conn, repo::jobs as repo};
use serde::{Serialize, de::DeserializeOwned};
use std::future::Future;
use time::OffsetDateTime;

/// What a job knows of itself while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobContext {
    pub id: i64,
    /// This try, counted from 1.
    pub attempt: i64,
}

/// A run's outcome. An error is retried with back-off ([`backoff`]), then the job is given
/// up; its text is kept as the job's last error and shown to operators, so it names the
/// cause, never the payload's secrets.
pub type JobResult = Result<(), String>;

/// A kind of background work: its stable name (stored in each job's `kind`: never rename
/// one), its payload (sealed while it waits) and what running it does. A job runs at least
/// once, not exactly once (ADR 0003): `run` must tolerate a repeat.
pub trait JobKind: 'static {
    const KIND: &'static str;
    type Payload: Serialize + DeserializeOwned + Send + Sync;

    fn run(
        app: &App,
        job: JobContext,
        payload: Self::Payload,
    ) -> impl Future<Output = JobResult> + Send;
}

/// A kind that runs on a schedule: once per slot, across every instance, because the slot
/// is the job's unique key.
pub trait Periodic: JobKind {
    /// The slot `now` falls in, as the unique key (`housekeeping:2026-12-03:10`), and the
    /// payload of its run.
    fn slot(now: OffsetDateTime) -> (String, Self::Payload);
}

/// How a job is queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enqueue {
    /// Not run before this instant.
    pub run_at: OffsetDateTime,
    /// At most one job ever carries this key (until done jobs are purged): a second enqueue
    /// of it writes nothing and answers [`Enqueued::Duplicate`].
    pub unique_key: Option<String>,
}

impl Enqueue {
    pub fn at(run_at: OffsetDateTime) -> Self {
        Self {
            run_at,
            unique_key: None,
        }
    }

    #[must_use]
    pub fn unique(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }
}

/// What an enqueue did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// Stored under this id; it commits or rolls back with the caller's transaction.
    Queued(i64),
    /// A job with the same unique key exists already: nothing was written.
    Duplicate,
}

/// What a job's payload is sealed for: it opens as a job of that kind only.
fn purpose(kind: &str) -> String {
    format!("job:{kind}")
}

/// Queues a job of kind `K` on `conn`, normally the transaction of the action that causes
/// it, so a rolled-back action queues nothing and a committed one is never lost. The payload
/// is sealed with the secret key (`crate::secret_box`): an e-mail waiting to be sent holds a
/// one-time link, which a copy of the database must not give away. Call `app.wake_jobs()`
/// after the commit.
pub async fn enqueue<K: JobKind>(
    app: &App,
    conn: &mut Conn<'_>,
    payload: &K::Payload,
    options: &Enqueue,
) -> AppResult<Enqueued> {
    let plain = serde_json::to_string(payload)?;
    let sealed = app.settings.secret_keys.seal(&purpose(K::KIND), &plain)?;
    let stored = serde_json::Value::String(sealed).to_string();
    let job = repo::NewJob {
        kind: K::KIND,
        payload: &stored,
        run_at: options.run_at,
        created_at: app.now(),
        unique_key: options.unique_key.as_deref(),
    };
    Ok(match repo::insert(conn, &job).await? {
        Some(id) => Enqueued::Queued(id),
        None => Enqueued::Duplicate,
    })
}

/// A stored payload back as its JSON text: sealed (a JSON string), or a JSON object as
/// queued by versions before payloads were sealed.
fn open_payload(app: &App, kind: &str, stored: &str) -> Result<String, String> {
    let value: serde_json::Value = serde_json::from_str(stored).map_err(|e| e.to_string())?;
    match value {
        serde_json::Value::String(sealed) => app
            .settings
            .secret_keys
            .open(&purpose(kind), &sealed)
            .map_err(|e| e.to_string()),
        clear => Ok(clear.to_string()),
    }
}

/// The scheduler tick: queues the current slot of every periodic kind, a no-op for a slot
/// already queued (by this instance or another). A serving instance calls it every minute;
/// tests call it after moving the clock. Returns each slot's key with what happened.
pub async fn tick(app: &App) -> AppResult<Vec<(String, Enqueued)>> {
    let mut out = Vec::new();
    for periodic in registry::PERIODIC {
        let done = periodic.schedule(app).await.inspect_err(|e| {
            tracing::warn!(kind = periodic.kind, error = %e, "periodic job not scheduled");
        })?;
        out.push(done);
    }
    if out.iter().any(|(_, e)| matches!(e, Enqueued::Queued(_))) {
        app.wake_jobs();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn options_carry_the_time_and_the_key() {
        let at = datetime!(2026-12-03 09:00:00 UTC);
        assert_eq!(Enqueue::at(at).unique_key, None);
        let o = Enqueue::at(at).unique("retention:2026-12-03");
        assert_eq!(o.run_at, at);
        assert_eq!(o.unique_key.as_deref(), Some("retention:2026-12-03"));
    }

    #[test]
    fn payloads_are_sealed_for_their_kind() {
        assert_eq!(purpose("send_email"), "job:send_email");
    }
}
