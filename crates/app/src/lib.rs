//! Use cases of the portal, shared by the HTTP edge, the CLI and background jobs.
//! Everything here receives a request context and an injected clock; nothing here knows HTTP.

pub mod access_requests;
pub mod account;
pub mod audit;
pub mod auth;
pub mod backoffice;
pub mod calendar;
pub mod context;
pub mod dashboard;
pub mod demo;
pub mod documents;
pub mod error;
pub mod exports;
pub mod housekeeping;
pub mod i18n;
pub mod imports;
pub mod jobs;
pub mod lockout;
pub mod mail;
pub mod operator_search;
pub mod paging;
pub mod passwords;
pub mod products;
pub mod registered_items;
pub mod secret_box;
pub mod secrets;
pub mod service_centre;
pub mod signin;
pub mod transactions;
pub mod users;

pub use context::{Actor, AuthMethod, CustomerRef, RequestMeta};
pub use error::{AppError, ErrorCode, FieldError};

use cs_domain::Clock;
use cs_store::Store;
use std::{path::PathBuf, sync::Arc};
use url::Url;

/// What the use cases need to know of the deployment: decided by the CLI from configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The address users reach the portal at; one-time links are built on it.
    pub public_url: Url,
    pub data_dir: PathBuf,
    /// The cost of password hashing: production strength, or a cheap one for test suites.
    pub password_cost: passwords::Cost,
    /// The largest feed file accepted over HTTP.
    pub import_max_bytes: u64,
    /// Seals the secrets the server reads back (TOTP seeds); from `SECRET_KEY_FILE`.
    pub secret_keys: secret_box::SecretKeys,
    /// SHA-256 of the token `/metrics` asks for (`Authorization: Bearer`); `None`: public.
    /// Only the hash is kept, so that printing the settings never shows the token.
    pub metrics_token_hash: Option<String>,
    /// Caps on concurrent exports and on an XLSX export's temporary disk.
    pub exports: exports::Limits,
    /// How customers reach the Service Centre: shown on pages and under every e-mail.
    pub service_centre: cs_domain::ServiceCentre,
}

/// The application: storage, clock, settings, documents and mail, cheap to clone into
/// every request.
#[derive(Debug, Clone)]
pub struct App {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    pub documents: documents::DocumentStore,
    pub mailer: Arc<mail::Mailer>,
    /// Woken when this instance queues a job, so e-mail leaves at once.
    pub jobs_queued: Arc<tokio::sync::Notify>,
    /// The exports running on this instance, under `settings.exports`.
    pub exports: Arc<exports::Limiter>,
}

impl App {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        settings: Settings,
        documents: documents::DocumentStore,
        mailer: mail::Mailer,
    ) -> Self {
        Self {
            store,
            clock,
            exports: Arc::new(exports::Limiter::new(settings.exports)),
            settings: Arc::new(settings),
            documents,
            mailer: Arc::new(mailer),
            jobs_queued: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Tells the job runner that a committed transaction queued work.
    pub fn wake_jobs(&self) {
        self.jobs_queued.notify_one();
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }
}
