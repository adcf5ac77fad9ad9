//! The feed importer (SPEC §4, ADR 0004), one use case for the CLI and the API: read a CSV file
//! as a stream, check it, stage it, publish it all or nothing, and record the run.
//!
//! A blocking thread reads and parses (`reader`, over `cs_domain::feeds`); the use case
//! (`pipeline`) resolves references (`refs`), stages rows on a connection of their own, runs
//! the set checks, and only then takes the write lock for one short transaction. Memory is
//! bounded whatever the file's size. What a kind is — its columns, staging table and staged
//! order — is its [`FeedSpec`] (`spec`); the record of runs is `runs`.

mod outcome;
mod pipeline;
mod problems;
mod reader;
mod refs;
mod runs;
mod source;
pub mod spec;

pub use outcome::{Outcome, Rejection, Summary, thousands};
pub use pipeline::import;
pub use problems::{LineError, Remedy};
pub use refs::Reference;
pub use runs::{ImportRun, RunOutcome, RunPage, run, runs};
pub use source::{Feeder, channel_source};
pub use spec::FeedSpec;

use crate::{App, AppError, RequestMeta, audit::Who, error::AppResult};
use cs_domain::feeds::FeedKind;
use std::{io::Read, sync::Arc};

/// The most errors an answer lists; the rest are counted.
pub const MAX_LISTED: usize = 1000;
/// Rows per message from the reader thread and per staging call.
const BATCH: usize = 2000;
/// Messages in flight between the reader and the stager.
const CHANNEL: usize = 4;

/// Stable names of the audited actions of imports.
pub mod action {
    pub const COMPLETED: &str = "import.completed";
    pub const REJECTED: &str = "import.rejected";
}

/// The steps of an import, as a progress display shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Reading,
    Checking,
    /// The write lock is taken.
    Publishing,
    /// Everything is written; the commit follows.
    Committing,
    Done,
}

/// Progress reports of a running import (a terminal bar, plain lines, or nothing).
pub trait Progress: Send + Sync {
    fn phase(&self, _phase: Phase) {}
    /// Bytes of the file read so far and rows parsed so far.
    fn advance(&self, _bytes: u64, _rows: u64) {}
}

/// No progress reports.
pub struct Silent;
impl Progress for Silent {}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Check and report, change nothing.
    pub dry_run: bool,
    /// Replace stored rows whose key the file gives with other values.
    pub update: bool,
    /// Recorded with the run.
    pub file_name: String,
}

/// Why the file could not be read at all (as opposed to bad content).
#[derive(Debug, thiserror::Error)]
pub enum ReadFailure {
    #[error("the file is larger than the limit of {0} bytes")]
    TooLarge(u64),
    #[error("the file could not be read: {0}")]
    Io(String),
}

impl From<ReadFailure> for AppError {
    fn from(e: ReadFailure) -> Self {
        match e {
            ReadFailure::TooLarge(_) => AppError::PayloadTooLarge(e.to_string()),
            ReadFailure::Io(_) => {
                AppError::bad_request(crate::ErrorCode::FileUnreadable, e.to_string())
            }
        }
    }
}

/// The feed kind named in a path: an unknown one is a 404, like an unknown page.
pub fn kind_of_path(name: &str) -> AppResult<FeedKind> {
    name.parse().map_err(|_| AppError::NotFound)
}

/// [`import`] for a signed-in operator (the API and the upload page).
pub async fn import_as(
    app: &App,
    actor: &crate::Actor,
    meta: &RequestMeta,
    kind: FeedKind,
    source: Box<dyn Read + Send>,
    options: &Options,
) -> AppResult<Outcome> {
    actor.require_operator()?;
    import(
        app,
        &Who::actor(actor),
        meta,
        kind,
        source,
        options,
        Arc::new(Silent),
    )
    .await
}
