//! Persistence of the portal: one query layer over SQLite and PostgreSQL.
//! Repositories are plain async functions taking a [`Conn`], so callers compose them in one transaction.

mod db;
pub mod error;
pub mod repo;
pub mod scratch;
mod sqlite_read;
pub mod staging;

pub use db::{Backend, Conn, Store, Tx};
pub use error::StoreError;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Normalises an instant before it is written or compared: UTC, whole seconds. SQLite keeps
/// instants as RFC 3339 text and compares them as text, which is only correct in one offset
/// and one precision; PostgreSQL would accept anything. This keeps both backends identical
/// whatever the caller passes.
pub(crate) fn instant(t: time::OffsetDateTime) -> time::OffsetDateTime {
    let utc = t.to_offset(time::UtcOffset::UTC);
    utc.replace_nanosecond(0).unwrap_or(utc)
}
