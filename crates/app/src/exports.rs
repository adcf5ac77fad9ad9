//! Every export (transactions, registered items, and those to come) runs under one limiter:
//! at most so many per instance and per customer at once, and what an export records when it ends.
//!
//! How an export uses it: its use case, once it knows the tenant and the filter is valid, calls
//! [`App::begin_export`] and gets a [`Running`] (or 429 `too_many_exports` with a
//! `Retry-After`, before any byte is sent). The edge keeps that `Running` inside the response
//! body and calls [`Running::finish`] when the last byte has been handed over or the body
//! failed; a body dropped before (the client went away) releases it on drop. An export that
//! must be audited ([`Running::audited`]) writes its event at that moment, with the row count
//! and how it ended.
//!
//! The counts live in this instance's memory: with several instances each has its own caps
//! (sharing them across instances is issue #14's).

use crate::{
    Actor, App, AppError, RequestMeta,
    audit::{self, Who},
    error::AppResult,
};
use cs_domain::CustomerId;
use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

/// How many exports may run at once, and how much temporary disk an XLSX file may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// On this instance, all customers together.
    pub per_instance: usize,
    /// For one customer (whoever asks: its users, or operators on its behalf).
    pub per_customer: usize,
    /// The temporary disk one XLSX export may use: its sheet's XML plus the zipped file.
    pub xlsx_temp_max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            per_instance: 4,
            per_customer: 2,
            xlsx_temp_max_bytes: 1 << 30,
        }
    }
}

/// What a refused export is told to wait (`Retry-After`, seconds): about what a large export
/// takes, so that a retry finds a free place most of the time.
pub const RETRY_AFTER_SECS: u32 = 30;

/// The counts of running exports of this instance.
#[derive(Debug)]
pub struct Limiter {
    limits: Limits,
    running: Mutex<Counts>,
    /// The instance's count after every change, for those who wait for places to come back.
    total: tokio::sync::watch::Sender<usize>,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_customer: HashMap<CustomerId, usize>,
}

impl Limiter {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            running: Mutex::new(Counts::default()),
            total: tokio::sync::watch::Sender::new(0),
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Takes a place for an export of `customer_id`, or refuses when either cap is reached.
    /// Both counts are checked and raised under one lock, so requests arriving at the same
    /// instant can never together exceed a cap.
    pub fn try_acquire(self: &Arc<Self>, customer_id: CustomerId) -> AppResult<Permit> {
        let mut counts = self.lock();
        let of_customer = counts.by_customer.get(&customer_id).copied().unwrap_or(0);
        if counts.total >= self.limits.per_instance || of_customer >= self.limits.per_customer {
            return Err(AppError::TooManyExports {
                retry_after_secs: RETRY_AFTER_SECS,
            });
        }
        counts.total += 1;
        counts.by_customer.insert(customer_id, of_customer + 1);
        self.total.send_replace(counts.total);
        Ok(Permit {
            limiter: Arc::clone(self),
            customer_id,
        })
    }

    /// Exports running now: on this instance, and for `customer_id`.
    pub fn running(&self, customer_id: CustomerId) -> (usize, usize) {
        let counts = self.lock();
        let of_customer = counts.by_customer.get(&customer_id).copied().unwrap_or(0);
        (counts.total, of_customer)
    }

    /// Waits until at most `n` exports run on this instance (for a stop that lets running
    /// downloads end, and for tests that wait for places to come back).
    pub async fn until_at_most(&self, n: usize) {
        let mut rx = self.total.subscribe();
        // The sender lives as long as `self`, so waiting cannot fail.
        let _ = rx.wait_for(|total| *total <= n).await;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        // The counts stay consistent even if a holder panicked: every update is one step.
        self.running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn release(&self, customer_id: CustomerId) {
        let mut counts = self.lock();
        counts.total = counts.total.saturating_sub(1);
        self.total.send_replace(counts.total);
        if let Some(n) = counts.by_customer.get_mut(&customer_id) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.by_customer.remove(&customer_id);
            }
        }
    }
}

/// A place under the caps; given back when dropped.
#[derive(Debug)]
pub struct Permit {
    limiter: Arc<Limiter>,
    customer_id: CustomerId,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.limiter.release(self.customer_id);
    }
}

/// How an export ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// Every byte was handed to the connection.
    Complete,
    /// Reading the rows or writing the file failed; the transfer was aborted.
    Failed(String),
    /// The client went away before the end; the transfer was aborted.
    ClientGone,
}

impl End {
    fn outcome(&self) -> &'static str {
        match self {
            End::Complete => "complete",
            End::Failed(_) => "failed",
            End::ClientGone => "aborted",
        }
    }
}

/// The audit event an export writes when it ends.
#[derive(Debug)]
struct EndAudit {
    app: App,
    actor: Actor,
    customer_id: CustomerId,
    meta: RequestMeta,
    action: &'static str,
    object: (&'static str, String),
    details: serde_json::Map<String, serde_json::Value>,
}

impl EndAudit {
    async fn write(self, rows: u64, end: End) {
        let mut details = self.details;
        details.insert("rows".into(), rows.into());
        details.insert("outcome".into(), end.outcome().into());
        if let End::Failed(reason) = &end {
            details.insert("reason".into(), reason.clone().into());
        }
        let who = Who::actor_for(&self.actor, Some(self.customer_id));
        let written = audit::record_alone(
            &self.app,
            &who,
            &self.meta,
            self.action,
            (self.object.0, &self.object.1),
            serde_json::Value::Object(details),
        )
        .await;
        if let Err(e) = written {
            tracing::warn!(error = %e, action = self.action, "export audit event not written");
        }
    }
}

/// A running export: its place under the caps and, if it is audited, the event it writes
/// when it ends. Keep it with the response body; see the module's documentation.
#[derive(Debug)]
pub struct Running {
    /// Always `Some` until dropped: a drop that still has to write its audit event moves it
    /// into that write, so the place comes back once the event is recorded.
    permit: Option<Permit>,
    temp_dir: std::path::PathBuf,
    rows: Arc<AtomicU64>,
    audit: Option<EndAudit>,
}

impl Running {
    /// An export holding `permit`, with its temporary files in `temp_dir`; not audited.
    pub fn new(permit: Permit, temp_dir: std::path::PathBuf) -> Self {
        Self {
            permit: Some(permit),
            temp_dir,
            rows: Arc::new(AtomicU64::new(0)),
            audit: None,
        }
    }

    /// Records, when the export ends, `action` on `object` under the export's customer, by
    /// `actor`, with `details` (the filter as given) and the row count and the outcome added.
    pub fn audited(
        mut self,
        app: &App,
        actor: &Actor,
        meta: &RequestMeta,
        action: &'static str,
        object: (&'static str, String),
        details: serde_json::Map<String, serde_json::Value>,
    ) -> Self {
        self.audit = Some(EndAudit {
            app: app.clone(),
            actor: actor.clone(),
            customer_id: self.customer_id(),
            meta: meta.clone(),
            action,
            object,
            details,
        });
        self
    }

    /// The count of rows sent so far, raised by the writer as it takes rows.
    pub fn row_counter(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.rows)
    }

    /// The export ended: writes its audit event (if any) with the rows counted, then gives
    /// its place back.
    pub async fn finish(mut self, end: End) {
        if let Some(a) = self.audit.take() {
            a.write(self.rows.load(Ordering::Relaxed), end).await;
        }
    }

    /// The limits the export runs under.
    pub fn limits(&self) -> Limits {
        self.permit
            .as_ref()
            .map_or_else(Limits::default, |p| p.limiter.limits())
    }

    fn customer_id(&self) -> CustomerId {
        self.permit
            .as_ref()
            .map_or(CustomerId::new(0), |p| p.customer_id)
    }

    /// Where the export's temporary files go: `DATA_DIR/tmp`, on the disk the deployment
    /// gives the portal (not a `/tmp` that may be memory).
    pub fn temp_dir(&self) -> &std::path::Path {
        &self.temp_dir
    }
}

impl Drop for Running {
    /// Dropped without [`Running::finish`]: the body was dropped half-way, so the client
    /// went away. The audit event is still written, by a task of its own since a drop
    /// cannot wait; the place is given back once it is written.
    fn drop(&mut self) {
        if let Some(a) = self.audit.take() {
            match tokio::runtime::Handle::try_current() {
                Ok(rt) => {
                    let rows = self.rows.load(Ordering::Relaxed);
                    let permit = self.permit.take();
                    rt.spawn(async move {
                        a.write(rows, End::ClientGone).await;
                        drop(permit);
                    });
                }
                Err(_) => tracing::warn!(
                    action = a.action,
                    "export ended outside the runtime: audit event not written"
                ),
            }
        }
    }
}

impl App {
    /// Takes a place for an export of `customer_id` under the instance's and the customer's
    /// caps, or answers 429 `too_many_exports`.
    pub fn begin_export(&self, customer_id: CustomerId) -> AppResult<Running> {
        let permit = self.exports.try_acquire(customer_id)?;
        Ok(Running::new(permit, self.settings.data_dir.join("tmp")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_instance: usize, per_customer: usize) -> Arc<Limiter> {
        Arc::new(Limiter::new(Limits {
            per_instance,
            per_customer,
            ..Limits::default()
        }))
    }

    #[test]
    fn caps_hold_per_customer_and_per_instance_and_places_come_back() {
        let l = limiter(3, 2);
        let a1 = l.try_acquire(CustomerId::new(1)).unwrap();
        let _a2 = l.try_acquire(CustomerId::new(1)).unwrap();
        let e = l.try_acquire(CustomerId::new(1)).unwrap_err();
        assert_eq!(e.code(), "too_many_exports");
        assert!(matches!(e, AppError::TooManyExports { .. }), "{e:?}");
        assert_eq!(e.retry_after(), Some(RETRY_AFTER_SECS));
        let _b1 = l.try_acquire(CustomerId::new(2)).unwrap();
        assert!(
            l.try_acquire(CustomerId::new(3)).is_err(),
            "the instance is full"
        );
        assert_eq!(l.running(CustomerId::new(1)), (3, 2));
        drop(a1);
        assert_eq!(l.running(CustomerId::new(1)), (2, 1));
        let _a3 = l.try_acquire(CustomerId::new(1)).unwrap();
    }

    #[test]
    fn requests_at_the_same_instant_never_exceed_the_customer_cap() {
        let l = limiter(64, 2);
        let barrier = Arc::new(std::sync::Barrier::new(16));
        let handles: Vec<_> = (0..16)
            .map(|_| {
                let l = Arc::clone(&l);
                let barrier = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    barrier.wait();
                    l.try_acquire(CustomerId::new(7)).ok()
                })
            })
            .collect();
        let permits: Vec<_> = handles
            .into_iter()
            .filter_map(|h| h.join().unwrap())
            .collect();
        assert_eq!(permits.len(), 2);
        assert_eq!(l.running(CustomerId::new(7)), (2, 2));
        drop(permits);
        assert_eq!(l.running(CustomerId::new(7)), (0, 0));
    }
}
