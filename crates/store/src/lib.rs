//! Persistence of the portal: one query layer over SQLite and PostgreSQL.
//! Repositories are plain async functions taking a [`Conn`], so callers compose them in one transaction.

mod db;
pub mod error;
pub mod repo;

pub use db::{Backend, Conn, Store, Tx};
pub use error::StoreError;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
