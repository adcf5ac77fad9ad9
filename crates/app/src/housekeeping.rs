//! Periodic clean-up, run as a job once an hour across every instance: expired sessions and
//! sign-in steps, and done jobs past their keeping time.

use crate::{
    App, auth, calendar,
    jobs::{JobContext, JobKind, JobResult, Periodic},
    signin,
};
use cs_store::repo::jobs as repo;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// A done job without a unique key (a delivered e-mail, its payload already emptied) is kept
/// this long, for tracing a message to its job.
pub const DONE_JOBS_KEPT: Duration = Duration::days(30);
/// A done job with a unique key is kept this long: its row is what stops its slot from being
/// queued again, so it must outlive the longest period a tick schedules (a month's close).
pub const KEYED_JOBS_KEPT: Duration = Duration::days(400);

/// The hourly housekeeping job.
#[derive(Debug)]
pub struct Housekeeping;

/// Which hour's run this is (`2026-12-03:10`, Brussels time), for the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub slot: String,
}

impl JobKind for Housekeeping {
    const KIND: &'static str = "housekeeping";
    type Payload = Slot;

    async fn run(app: &App, _job: JobContext, payload: Slot) -> JobResult {
        let sessions = auth::purge_expired_sessions(app)
            .await
            .map_err(|e| format!("session clean-up: {e}"))?;
        let attempts = signin::purge_stale_attempts(app)
            .await
            .map_err(|e| format!("sign-in clean-up: {e}"))?;
        let jobs = purge_done_jobs(app)
            .await
            .map_err(|e| format!("job clean-up: {e}"))?;
        tracing::info!(slot = %payload.slot, sessions, attempts, jobs, "housekeeping done");
        Ok(())
    }
}

impl Periodic for Housekeeping {
    fn slot(now: OffsetDateTime) -> (String, Slot) {
        let (day, hour) = calendar::brussels_day_hour(now);
        let slot = format!("{day}:{hour:02}");
        (format!("{}:{slot}", Self::KIND), Slot { slot })
    }
}

async fn purge_done_jobs(app: &App) -> crate::error::AppResult<u64> {
    let now = app.now();
    let mut conn = app.store.acquire().await?;
    Ok(repo::purge_done(
        &mut conn.conn(),
        now - DONE_JOBS_KEPT,
        now - KEYED_JOBS_KEPT,
    )
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_slot_is_the_brussels_date_and_hour() {
        // 10:00 UTC is 11:00 in Brussels in winter (UTC+1) …
        let (key, slot) = Housekeeping::slot(datetime!(2026-12-03 10:59:59 UTC));
        assert_eq!(key, "housekeeping:2026-12-03:11");
        assert_eq!(slot.slot, "2026-12-03:11");
        // … and 12:00 in summer (UTC+2); 22:30 UTC on 31 July is already 1 August.
        assert_eq!(
            Housekeeping::slot(datetime!(2026-07-01 10:00:00 UTC)).0,
            "housekeeping:2026-07-01:12"
        );
        assert_eq!(
            Housekeeping::slot(datetime!(2026-07-31 22:30:00 UTC)).0,
            "housekeeping:2026-08-01:00"
        );
    }

    #[test]
    fn one_slot_per_hour() {
        let at = datetime!(2026-12-03 10:00:00 UTC);
        assert_eq!(
            Housekeeping::slot(at).0,
            Housekeeping::slot(at + Duration::minutes(59)).0
        );
        assert_ne!(
            Housekeeping::slot(at).0,
            Housekeeping::slot(at + Duration::hours(1)).0
        );
    }

    #[test]
    fn keyed_jobs_outlive_any_period_a_tick_schedules() {
        assert!(KEYED_JOBS_KEPT > Duration::days(366));
        assert!(DONE_JOBS_KEPT < KEYED_JOBS_KEPT);
    }
}
