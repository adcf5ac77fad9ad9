//! Reads on SQLite below sqlx, for exports of a million rows and for the lists every request
//! reads: read-only connections of their own, rows decoded where SQLite produces them.
//!
//! sqlx runs each SQLite statement on a worker thread and sends every row over a channel to
//! the async side; for a long export, and for a page of 50 rows with its totals, that
//! hand-over costs more than SQLite's own work (docs/PERFORMANCE.md). A stream ([`stream`])
//! hands rows over [`BATCH`] at a time; a short read ([`Readers::read`]) runs on the
//! request's own thread. Both see committed data only (their own snapshot).

use crate::{Result, StoreError};
use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{
    runtime::{Handle, RuntimeFlavor},
    sync::mpsc,
};

/// Rows per hand-over.
pub const BATCH: usize = 1024;
/// Batches read ahead of the consumer: bounded memory whatever the export's size.
const AHEAD: usize = 4;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::DirectRead(e)
    }
}

/// The file of the `main` database of `c`; `None` for an in-memory or temporary database,
/// which another connection cannot open (the caller then reads through sqlx).
pub async fn main_file(c: &mut sqlx::SqliteConnection) -> Result<Option<PathBuf>> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("PRAGMA database_list").fetch_all(c).await?;
    Ok(rows
        .into_iter()
        .find(|(_, name, _)| name == "main")
        .map(|(_, _, file)| file)
        .filter(|file| !file.is_empty())
        .map(PathBuf::from))
}

/// A parameter of a direct read, bound by name (`$1`, …) as the statements are written.
#[derive(Debug, Clone)]
pub enum Param {
    Null,
    Int(i64),
    Text(String),
}

impl rusqlite::ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Param::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Param::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Param::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

impl From<Option<&str>> for Param {
    fn from(v: Option<&str>) -> Self {
        v.map_or(Param::Null, |s| Param::Text(s.to_owned()))
    }
}

impl From<Option<i64>> for Param {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Param::Null, Param::Int)
    }
}

/// Runs `sql` with `params` (`params[0]` is `$1`, …) on a read-only connection to `file` and
/// sends its rows, decoded by `decode`, in batches of [`BATCH`]. Reading stops when the
/// receiver is dropped; an error is sent as the last item.
pub fn stream<T, D>(
    file: PathBuf,
    sql: &'static str,
    params: Vec<Param>,
    decode: D,
) -> mpsc::Receiver<Result<Vec<T>>>
where
    T: Send + 'static,
    D: Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(AHEAD);
    tokio::task::spawn_blocking(move || {
        if let Err(e) = read(&file, sql, &params, &decode, &tx) {
            let _ = tx.blocking_send(Err(e));
        }
    });
    rx
}

fn read<T, D>(
    file: &std::path::Path,
    sql: &str,
    params: &[Param],
    decode: &D,
    tx: &mpsc::Sender<Result<Vec<T>>>,
) -> Result<()>
where
    D: Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
{
    let conn = open(file)?;
    let mut stmt = conn.prepare(sql)?;
    bind(&mut stmt, params)?;
    let mut rows = stmt.raw_query();
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(row) = rows.next()? {
        batch.push(decode(row)?);
        if batch.len() == BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if tx.blocking_send(Ok(full)).is_err() {
                return Ok(());
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.blocking_send(Ok(batch));
    }
    Ok(())
}

/// A read-only connection to `file`, set up as the pool's connections are.
fn open(file: &Path) -> Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(10))?;
    // As the pool's connections: pages through the shared memory map (docs/PERFORMANCE.md).
    conn.pragma_update(None, "mmap_size", 1_073_741_824_i64)?;
    Ok(conn)
}

/// Binds `params` by name: `params[0]` is `$1`, and so on.
fn bind(stmt: &mut rusqlite::Statement<'_>, params: &[Param]) -> Result<()> {
    for (i, value) in params.iter().enumerate() {
        let name = format!("${}", i + 1);
        // A parameter the statement does not use is fine; one it uses is always given.
        if let Some(index) = stmt.parameter_index(&name)? {
            stmt.raw_bind_parameter(index, value)?;
        }
    }
    Ok(())
}

/// Connections kept for the next short read.
const IDLE: usize = 8;

/// The read-only connections to one SQLite file that short reads share (at most [`IDLE`]
/// kept open between reads), each with its prepared statements cached.
#[derive(Debug)]
pub struct Readers {
    file: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

impl Readers {
    pub fn new(file: PathBuf) -> Self {
        Self {
            file,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `read` on a connection of its own, inside one read transaction (one snapshot for
    /// all its statements). On a multi-threaded runtime it runs on the caller's thread (the
    /// runtime moves its other tasks away meanwhile): no hand-over at all. Elsewhere (a test's
    /// single-threaded runtime) on a blocking thread.
    pub async fn read<T, F>(self: &Arc<Self>, read: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T> + Send + 'static,
    {
        let readers = Arc::clone(self);
        let run = move || readers.run(read);
        if Handle::current().runtime_flavor() == RuntimeFlavor::MultiThread {
            tokio::task::block_in_place(run)
        } else {
            tokio::task::spawn_blocking(run)
                .await
                .map_err(|e| StoreError::Io(format!("the direct read stopped: {e}")))?
        }
    }

    /// Runs `read`, a short read (a lookup by a unique key, or a month's page), right here
    /// on the caller's thread, in one read transaction. Measured under load it is the
    /// cheapest way by far (docs/PERFORMANCE.md): no hand-over to another thread, where even
    /// `block_in_place` costs a third of a page's CPU and most of its tail. Anything that can
    /// scan a large range goes through [`Readers::read`] instead.
    pub fn read_here<T>(&self, read: impl FnOnce(&rusqlite::Connection) -> Result<T>) -> Result<T> {
        self.run(read)
    }

    fn run<T>(&self, read: impl FnOnce(&rusqlite::Connection) -> Result<T>) -> Result<T> {
        let kept = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match kept {
            Some(c) => c,
            None => open(&self.file)?,
        };
        // Cached like the reads' own statements: no parsing per request.
        conn.prepare_cached("BEGIN")?.execute([])?;
        let out = read(&conn)?;
        conn.prepare_cached("COMMIT")?.execute([])?;
        // A connection whose read failed is dropped with its transaction, never kept.
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < IDLE
        {
            idle.push(conn);
        }
        Ok(out)
    }
}

/// Every row of `sql` with `params`, decoded by `decode`, on `conn` (its statement cached).
pub fn all<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[Param],
    decode: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    bind(&mut stmt, params)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

/// An instant as sqlx writes it on SQLite (RFC 3339, whole seconds, UTC), for binding and
/// comparing against stored instants.
pub fn instant_text(t: time::OffsetDateTime) -> Result<String> {
    use time::format_description::well_known::Rfc3339;
    crate::instant(t)
        .format(&Rfc3339)
        .map_err(|e| StoreError::Io(format!("an instant as text: {e}")))
}

/// The stored instant in column `i` (as sqlx writes it: RFC 3339).
pub fn instant_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<time::OffsetDateTime> {
    let text: String = r.get(i)?;
    parse_instant(i, &text)
}

/// The stored instant in column `i`, if any.
pub fn instant_opt(
    r: &rusqlite::Row<'_>,
    i: usize,
) -> rusqlite::Result<Option<time::OffsetDateTime>> {
    let text: Option<String> = r.get(i)?;
    text.map(|t| parse_instant(i, &t)).transpose()
}

fn parse_instant(i: usize, text: &str) -> rusqlite::Result<time::OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(text, &Rfc3339).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}
