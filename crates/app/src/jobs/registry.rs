//! The one list of job kinds: each kind's name mapped to its runner, and the periodic kinds
//! the scheduler tick queues. The only part of `jobs` that names the kinds.

use super::{Enqueue, Enqueued, JobContext, JobKind, JobResult, Periodic};
use crate::{App, error::AppResult, housekeeping::Housekeeping, mail::SendEmail};
use futures::future::BoxFuture;

/// Every kind this version runs. A job of a kind not listed (queued by a newer version) is
/// given up at once with an error that says so.
const KINDS: &[Registered] = &[kind::<SendEmail>(), kind::<Housekeeping>()];

/// The kinds the scheduler tick queues, once per slot.
pub(super) const PERIODIC: &[Scheduled] = &[periodic::<Housekeeping>()];

type RunFn = for<'a> fn(&'a App, JobContext, &'a str) -> BoxFuture<'a, JobResult>;
type ScheduleFn = for<'a> fn(&'a App) -> BoxFuture<'a, AppResult<(String, Enqueued)>>;

/// A kind's runner: decodes the opened payload into the kind's type, then runs it.
pub(super) struct Registered {
    pub(super) kind: &'static str,
    run: RunFn,
}

impl Registered {
    pub(super) fn run<'a>(
        &self,
        app: &'a App,
        job: JobContext,
        payload: &'a str,
    ) -> BoxFuture<'a, JobResult> {
        (self.run)(app, job, payload)
    }
}

/// A periodic kind: queues its current slot.
pub(super) struct Scheduled {
    pub(super) kind: &'static str,
    schedule: ScheduleFn,
}

impl Scheduled {
    pub(super) fn schedule<'a>(
        &self,
        app: &'a App,
    ) -> BoxFuture<'a, AppResult<(String, Enqueued)>> {
        (self.schedule)(app)
    }
}

const fn kind<K: JobKind>() -> Registered {
    Registered {
        kind: K::KIND,
        run: run_typed::<K>,
    }
}

const fn periodic<K: Periodic>() -> Scheduled {
    Scheduled {
        kind: K::KIND,
        schedule: schedule_typed::<K>,
    }
}

/// The runner of `kind`; `None` for a kind this version does not know.
pub(super) fn find(kind: &str) -> Option<&'static Registered> {
    KINDS.iter().find(|r| r.kind == kind)
}

fn run_typed<'a, K: JobKind>(
    app: &'a App,
    job: JobContext,
    payload: &'a str,
) -> BoxFuture<'a, JobResult> {
    Box::pin(async move {
        let payload: K::Payload = serde_json::from_str(payload)
            .map_err(|e| format!("job {}: the payload does not decode: {e}", K::KIND))?;
        K::run(app, job, payload).await
    })
}

fn schedule_typed<K: Periodic>(app: &App) -> BoxFuture<'_, AppResult<(String, Enqueued)>> {
    Box::pin(async move {
        let now = app.now();
        let (key, payload) = K::slot(now);
        let options = Enqueue::at(now).unique(key.clone());
        let mut conn = app.store.acquire().await?;
        let done = super::enqueue::<K>(app, &mut conn.conn(), &payload, &options).await?;
        Ok((key, done))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_registered_once_under_a_stable_name() {
        let mut names: Vec<&str> = KINDS.iter().map(|r| r.kind).collect();
        assert_eq!(names, ["send_email", "housekeeping"]);
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KINDS.len(), "a kind registered twice");
        for name in names {
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name}: kinds are snake_case"
            );
            assert_eq!(find(name).map(|r| r.kind), Some(name));
        }
    }

    #[test]
    fn an_unknown_kind_has_no_runner() {
        assert!(find("from_a_newer_version").is_none());
        assert!(find("").is_none());
        assert!(find("SEND_EMAIL").is_none(), "names match exactly");
    }

    #[test]
    fn every_periodic_kind_is_also_runnable() {
        assert!(!PERIODIC.is_empty());
        for p in PERIODIC {
            assert!(
                find(p.kind).is_some(),
                "{} is scheduled but not run",
                p.kind
            );
        }
    }
}
