//! The feed importer's staging area and its one short publish step (ADR 0004): a file's rows
//! are loaded into a staging table on a connection of their own, checked in SQL, then published.
//!
//! Loading and checking never take the main database's write lock: on SQLite the staging table
//! lives in a separate file ATTACHed to the importer's connection, on PostgreSQL it is a TEMP
//! table filled with COPY. Only [`Staging::publish`] opens a write transaction on the feed
//! tables, and everything it does stays inside the database (`INSERT … SELECT`, `UPDATE … FROM`).
//! The check and publish SQL is the same text on both backends, built from a [`Table`].

use crate::{Conn, Result, Store, StoreError, db::Dedicated, on_conn};
use sqlx::{AssertSqlSafe, Connection};
use std::{
    fmt::Write as _,
    fs::File,
    path::{Path, PathBuf},
};
use time::{Date, OffsetDateTime};

/// How a staged column is declared and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    Int,
    Text,
    Date,
    Bool,
}

/// A column of a feed table as stored (ids resolved), with the feed column it comes from, which
/// is the column a problem with it is reported on.
#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    pub ty: SqlType,
    pub feed: &'static str,
}

const fn col(name: &'static str, ty: SqlType, feed: &'static str) -> Column {
    Column { name, ty, feed }
}

/// One feed's target table: its stored columns, the leading `key_len` of which are the natural key.
#[derive(Debug)]
pub struct Table {
    /// The staging table's name; it exists nowhere else, so unqualified SQL finds it.
    pub staging: &'static str,
    pub target: &'static str,
    pub columns: &'static [Column],
    pub key_len: usize,
    /// The target has a `created_at` column, set to the publish time.
    pub created_at: bool,
}

use SqlType::{Bool, Date as D, Int, Text};

pub static CUSTOMERS: Table = Table {
    staging: "import_customers",
    target: "customers",
    columns: &[
        col("customer_number", Text, "customer_number"),
        col("name", Text, "name"),
        col("vat_number", Text, "vat_number"),
        col("language", Text, "language"),
        col("street", Text, "street"),
        col("postcode", Text, "postcode"),
        col("city", Text, "city"),
        col("country", Text, "country"),
    ],
    key_len: 1,
    created_at: true,
};

pub static COST_CENTRES: Table = Table {
    staging: "import_cost_centres",
    target: "cost_centres",
    columns: &[
        col("customer_id", Int, "customer_number"),
        col("code", Text, "code"),
        col("name", Text, "name"),
    ],
    key_len: 2,
    created_at: false,
};

pub static COLLECTION_POINTS: Table = Table {
    staging: "import_collection_points",
    target: "collection_points",
    columns: &[
        col("customer_id", Int, "customer_number"),
        col("code", Text, "code"),
        col("name", Text, "name"),
        col("street", Text, "street"),
        col("postcode", Text, "postcode"),
        col("city", Text, "city"),
    ],
    key_len: 2,
    created_at: false,
};

pub static PRODUCTS: Table = Table {
    staging: "import_products",
    target: "products",
    columns: &[
        col("code", Text, "code"),
        col("kind", Text, "kind"),
        col("vat_rate", Int, "vat_rate"),
        col("name_fr", Text, "name_fr"),
        col("name_nl", Text, "name_nl"),
        col("name_de", Text, "name_de"),
        col("name_en", Text, "name_en"),
    ],
    key_len: 1,
    created_at: false,
};

pub static TRANSACTIONS: Table = Table {
    staging: "import_transactions",
    target: "transactions",
    columns: &[
        col("transaction_id", Text, "transaction_id"),
        col("customer_id", Int, "customer_number"),
        col("date", D, "date"),
        col("collection_point_id", Int, "collection_point"),
        col("cost_centre_id", Int, "cost_centre"),
        col("product_id", Int, "product_code"),
        col("format", Text, "format"),
        col("weight_class", Text, "weight_class"),
        col("destination", Text, "destination"),
        col("quantity", Int, "quantity"),
        col("unit_price_millis", Int, "unit_price"),
        col("amount_cents", Int, "unit_price"),
    ],
    key_len: 1,
    created_at: false,
};

pub static REGISTERED_ITEMS: Table = Table {
    staging: "import_registered_items",
    target: "registered_items",
    columns: &[
        col("barcode", Text, "barcode"),
        col("customer_id", Int, "customer_number"),
        col("deposit_date", D, "deposit_date"),
        col("collection_point_id", Int, "collection_point"),
        col("cost_centre_id", Int, "cost_centre"),
        col("product_id", Int, "product_code"),
        col("acknowledgement", Bool, "acknowledgement"),
        col("recipient_name", Text, "recipient_name"),
        col("recipient_street", Text, "recipient_street"),
        col("recipient_postcode", Text, "recipient_postcode"),
        col("recipient_city", Text, "recipient_city"),
        col("recipient_country", Text, "recipient_country"),
    ],
    key_len: 1,
    created_at: false,
};

/// A staged value, in the order of its table's columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Date(Date),
    Bool(bool),
}

/// A resolved row of the file, with the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedRow {
    pub line: i64,
    pub values: Vec<Value>,
}

/// A problem found by the set checks: a line, the feed column, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: i64,
    pub column: &'static str,
    /// `duplicate_in_file` or `conflicts_with_stored`.
    pub code: &'static str,
    pub message: String,
}

/// What the set checks found, and what publishing must then do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checks {
    /// At most `limit` problems, by line.
    pub problems: Vec<Problem>,
    /// All of them.
    pub problem_count: u64,
    /// Distinct keys of the file not stored yet.
    pub expected_new: u64,
    /// Distinct keys stored with other values (to update with `--update`).
    pub expected_changed: u64,
}

/// Rows per multi-row `INSERT` on SQLite (13 × 500 parameters, well under SQLite's limit).
const SQLITE_ROWS_PER_INSERT: usize = 500;
/// Rows per staging transaction on SQLite.
const SQLITE_ROWS_PER_TX: u64 = 50_000;
/// Bytes of COPY data sent at once on PostgreSQL.
const PG_COPY_CHUNK: usize = 1 << 20;

/// The staging file of a SQLite import and its liveness lock (see [`sweep_orphans`]).
struct StagingFile {
    db: PathBuf,
    lock_path: PathBuf,
    _lock: File,
}

impl Drop for StagingFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.db);
        let _ = std::fs::remove_file(&self.lock_path);
    }
}

/// One import's staging table on its own connection. Dropping it without publishing leaves the
/// feed tables untouched.
pub struct Staging {
    table: &'static Table,
    conn: Dedicated,
    // Declared after `conn`, so the connection closes before the file is removed.
    _file: Option<StagingFile>,
    in_tx: u64,
    copy_buf: Vec<u8>,
    staged: u64,
}

/// The folder of SQLite staging files: `imports/` beside the database file.
fn staging_dir(db: &Path) -> PathBuf {
    db.parent()
        .unwrap_or_else(|| Path::new("."))
        .join("imports")
}

fn io(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io(format!("{what} {}: {e}", path.display()))
}

/// Removes the staging files of runs that are no longer alive: a run holds its `.lock` file
/// locked for its whole life and the OS releases that lock when the process dies, so a lock
/// that can be taken marks an orphan (left by a crash or a `kill -9`). Returns how many.
pub fn sweep_orphans(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("lock") {
            continue;
        }
        let Ok(lock) = File::options().read(true).write(true).open(&path) else {
            continue;
        };
        if lock.try_lock().is_ok() {
            let db = path.with_extension("db");
            let _ = std::fs::remove_file(&db);
            let _ = std::fs::remove_file(path.with_extension("db-journal"));
            let _ = std::fs::remove_file(&path);
            removed += 1;
        }
    }
    removed
}

fn key_cols(t: &Table) -> &'static [Column] {
    &t.columns[..t.key_len]
}

fn other_cols(t: &Table) -> &'static [Column] {
    &t.columns[t.key_len..]
}

fn names(cols: &[Column], prefix: &str) -> String {
    cols.iter()
        .map(|c| format!("{prefix}{}", c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `a.k1 = b.k1 AND a.k2 = b.k2`
fn key_match(t: &Table, a: &str, b: &str) -> String {
    key_cols(t)
        .iter()
        .map(|c| format!("{a}.{0} = {b}.{0}", c.name))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// `(a.c IS DISTINCT FROM b.c OR …)` over the non-key columns.
fn differs(t: &Table, a: &str, b: &str) -> String {
    let parts: Vec<String> = other_cols(t)
        .iter()
        .map(|c| format!("{a}.{0} IS DISTINCT FROM {b}.{0}", c.name))
        .collect();
    if parts.is_empty() {
        "FALSE".to_owned()
    } else {
        format!("({})", parts.join(" OR "))
    }
}

/// The feed column of the first non-key column that differs, as a `CASE`.
fn first_difference(t: &Table, a: &str, b: &str) -> String {
    let mut s = String::from("CASE");
    for c in other_cols(t) {
        let _ = write!(
            s,
            " WHEN {a}.{0} IS DISTINCT FROM {b}.{0} THEN '{1}'",
            c.name, c.feed
        );
    }
    s.push_str(" ELSE '' END");
    s
}

/// The column a key problem is reported on, and the key's value shown: the last key column.
fn key_shown(t: &Table) -> &'static Column {
    &t.columns[t.key_len - 1]
}

fn create_sql(t: &Table, backend_pg: bool) -> String {
    let mut s = if backend_pg {
        format!("CREATE TEMP TABLE {} (line BIGINT NOT NULL", t.staging)
    } else {
        format!("CREATE TABLE staging.{} (line INTEGER NOT NULL", t.staging)
    };
    for c in t.columns {
        let ty = match (c.ty, backend_pg) {
            (Int, true) => "BIGINT",
            (Int, false) => "INTEGER",
            (Text, _) => "TEXT",
            (D, true) => "DATE",
            (D, false) => "TEXT",
            (Bool, _) => "BOOLEAN",
        };
        let _ = write!(s, ", {} {ty}", c.name);
    }
    s.push(')');
    s
}

/// The multi-row `INSERT` of the SQLite staging table. Anonymous `?` parameters, not `$N`:
/// for each numbered parameter the driver asks SQLite its name, which SQLite finds by a linear
/// scan, so thousands of `$N` in one statement cost quadratic time.
fn insert_sql(t: &Table, rows: usize) -> String {
    let width = t.columns.len() + 1;
    let mut row = String::from("(?");
    for _ in 1..width {
        row.push_str(",?");
    }
    row.push(')');
    let mut s = format!(
        "INSERT INTO {} (line, {}) VALUES ",
        t.staging,
        names(t.columns, "")
    );
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push_str(&row);
    }
    s
}

/// Appends one row in PostgreSQL's COPY text format.
fn copy_row(buf: &mut Vec<u8>, row: &StagedRow) {
    use std::io::Write as _;
    let _ = write!(buf, "{}", row.line);
    for v in &row.values {
        buf.push(b'\t');
        match v {
            Value::Null => buf.extend_from_slice(b"\\N"),
            Value::Int(i) => {
                let _ = write!(buf, "{i}");
            }
            Value::Bool(b) => buf.push(if *b { b't' } else { b'f' }),
            Value::Date(d) => {
                let _ = write!(
                    buf,
                    "{:04}-{:02}-{:02}",
                    d.year(),
                    u8::from(d.month()),
                    d.day()
                );
            }
            Value::Text(s) => {
                for b in s.bytes() {
                    match b {
                        b'\\' => buf.extend_from_slice(b"\\\\"),
                        b'\t' => buf.extend_from_slice(b"\\t"),
                        b'\n' => buf.extend_from_slice(b"\\n"),
                        b'\r' => buf.extend_from_slice(b"\\r"),
                        _ => buf.push(b),
                    }
                }
            }
        }
    }
    buf.push(b'\n');
}

impl Staging {
    /// Opens a connection of its own and creates the empty staging table for `table`.
    pub async fn open(store: &Store, table: &'static Table) -> Result<Self> {
        let conn = store.dedicated().await?;
        let staging = match conn {
            Dedicated::Sqlite(mut c, db_path) => {
                let dir = staging_dir(&db_path);
                std::fs::create_dir_all(&dir).map_err(|e| io("cannot create", &dir, e))?;
                sweep_orphans(&dir);
                let run = uuid::Uuid::new_v4().simple().to_string();
                let lock_path = dir.join(format!("{run}.lock"));
                let lock =
                    File::create(&lock_path).map_err(|e| io("cannot create", &lock_path, e))?;
                lock.lock().map_err(|e| io("cannot lock", &lock_path, e))?;
                let db = dir.join(format!("{run}.db"));
                let file = StagingFile {
                    db: db.clone(),
                    lock_path,
                    _lock: lock,
                };
                let db_text = db.to_string_lossy().into_owned();
                sqlx::query("ATTACH DATABASE $1 AS staging")
                    .bind(db_text)
                    .execute(&mut c)
                    .await?;
                sqlx::raw_sql(
                    "PRAGMA staging.journal_mode = OFF; PRAGMA staging.synchronous = OFF; \
                     PRAGMA staging.cache_size = -16000",
                )
                .execute(&mut c)
                .await?;
                sqlx::query(AssertSqlSafe(create_sql(table, false)))
                    .execute(&mut c)
                    .await?;
                Staging {
                    table,
                    conn: Dedicated::Sqlite(c, db_path),
                    _file: Some(file),
                    in_tx: 0,
                    copy_buf: Vec::new(),
                    staged: 0,
                }
            }
            Dedicated::Postgres(mut c) => {
                // A temporary table lives in the session's temp buffers (8 MB by default):
                // give the load, its index and the checks room before spilling to disk.
                sqlx::raw_sql(
                    "SET temp_buffers = '128MB'; SET work_mem = '64MB'; \
                     SET maintenance_work_mem = '128MB'",
                )
                .execute(&mut c)
                .await?;
                sqlx::query(AssertSqlSafe(create_sql(table, true)))
                    .execute(&mut c)
                    .await?;
                Staging {
                    table,
                    conn: Dedicated::Postgres(c),
                    _file: None,
                    in_tx: 0,
                    copy_buf: Vec::with_capacity(PG_COPY_CHUNK + 4096),
                    staged: 0,
                }
            }
        };
        Ok(staging)
    }

    /// Rows staged so far.
    pub fn staged(&self) -> u64 {
        self.staged
    }

    /// Adds resolved rows to the staging table.
    pub async fn stage(&mut self, rows: &[StagedRow]) -> Result<()> {
        let table = self.table;
        match &mut self.conn {
            Dedicated::Sqlite(c, _) => {
                if self.in_tx == 0 {
                    // A deferred transaction that writes only to `staging` locks only that file.
                    sqlx::raw_sql("BEGIN").execute(&mut *c).await?;
                }
                for chunk in rows.chunks(SQLITE_ROWS_PER_INSERT) {
                    let sql = insert_sql(table, chunk.len());
                    let mut q = sqlx::query(AssertSqlSafe(sql));
                    for row in chunk {
                        q = q.bind(row.line);
                        for v in &row.values {
                            q = match v {
                                Value::Null => q.bind(None::<i64>),
                                Value::Int(i) => q.bind(*i),
                                Value::Text(s) => q.bind(s.as_str()),
                                Value::Date(d) => q.bind(*d),
                                Value::Bool(b) => q.bind(*b),
                            };
                        }
                    }
                    q.execute(&mut *c).await?;
                }
                self.in_tx += rows.len() as u64;
                if self.in_tx >= SQLITE_ROWS_PER_TX {
                    sqlx::raw_sql("COMMIT").execute(&mut *c).await?;
                    self.in_tx = 0;
                }
            }
            Dedicated::Postgres(c) => {
                for row in rows {
                    copy_row(&mut self.copy_buf, row);
                }
                if self.copy_buf.len() >= PG_COPY_CHUNK {
                    flush_copy(c, table, &mut self.copy_buf).await?;
                }
            }
        }
        self.staged += rows.len() as u64;
        Ok(())
    }

    /// Ends loading: commits or flushes what is pending, then indexes the staging table by key.
    async fn finish_loading(&mut self) -> Result<()> {
        let t = self.table;
        let keys = names(key_cols(t), "");
        match &mut self.conn {
            Dedicated::Sqlite(c, _) => {
                if self.in_tx > 0 {
                    sqlx::raw_sql("COMMIT").execute(&mut *c).await?;
                    self.in_tx = 0;
                }
                let sql = format!(
                    "CREATE INDEX staging.{0}_key ON {0} ({keys}, line)",
                    t.staging
                );
                sqlx::query(AssertSqlSafe(sql)).execute(&mut *c).await?;
            }
            Dedicated::Postgres(c) => {
                flush_copy(c, t, &mut self.copy_buf).await?;
                let sql = format!("CREATE INDEX ON {} ({keys}, line)", t.staging);
                sqlx::query(AssertSqlSafe(sql)).execute(&mut *c).await?;
                // Autovacuum never analyses temporary tables.
                let sql = format!("ANALYZE {}", t.staging);
                sqlx::query(AssertSqlSafe(sql)).execute(&mut *c).await?;
            }
        }
        Ok(())
    }

    /// Runs the set checks of the staged rows: a key repeated in the file with other values,
    /// and (without `update`) a key stored with other values; counts what publishing will do.
    /// At most `limit` problems are listed, by line; all are counted.
    pub async fn check(&mut self, update: bool, limit: i64) -> Result<Checks> {
        self.finish_loading().await?;
        let t = self.table;
        let s = t.staging;
        let shown = key_shown(t);
        let mut conn = self.conn_ref();
        let mut checks = Checks::default();

        // The same key twice in the file with other values: an error on the later line.
        let dup_where = format!(
            "FROM {s} a JOIN {s} b ON {} AND a.line < b.line WHERE {}",
            key_match(t, "a", "b"),
            differs(t, "a", "b")
        );
        let sql = format!(
            "SELECT b.line, MIN(a.line), CAST(b.{} AS TEXT) {dup_where} \
             GROUP BY b.line, b.{} ORDER BY b.line LIMIT $1",
            shown.name, shown.name
        );
        let rows: Vec<(i64, i64, String)> =
            on_conn!(&mut conn, |x| sqlx::query_as(AssertSqlSafe(sql))
                .bind(limit)
                .fetch_all(x)
                .await)?;
        for (line, first, key) in rows {
            checks.problems.push(Problem {
                line,
                column: shown.feed,
                code: "duplicate_in_file",
                message: format!(
                    "{} {key} already appears on line {first} with other values",
                    shown.feed
                ),
            });
        }
        let sql = format!("SELECT COUNT(DISTINCT b.line) {dup_where}");
        let n: i64 = on_conn!(&mut conn, |x| sqlx::query_scalar(AssertSqlSafe(sql))
            .fetch_one(x)
            .await)?;
        checks.problem_count += n as u64;

        // Keys stored with other values.
        let changed_where = format!(
            "FROM {s} s JOIN {} t ON {} WHERE {}",
            t.target,
            key_match(t, "t", "s"),
            differs(t, "t", "s")
        );
        if update {
            let sql = format!(
                "SELECT COUNT(*) FROM (SELECT DISTINCT {} {changed_where}) AS k",
                names(key_cols(t), "s.")
            );
            let n: i64 = on_conn!(&mut conn, |x| sqlx::query_scalar(AssertSqlSafe(sql))
                .fetch_one(x)
                .await)?;
            checks.expected_changed = n as u64;
        } else {
            let sql = format!(
                "SELECT s.line, {}, CAST(s.{} AS TEXT) {changed_where} ORDER BY s.line LIMIT $1",
                first_difference(t, "t", "s"),
                shown.name
            );
            let rows: Vec<(i64, String, String)> =
                on_conn!(&mut conn, |x| sqlx::query_as(AssertSqlSafe(sql))
                    .bind(limit)
                    .fetch_all(x)
                    .await)?;
            for (line, column, key) in rows {
                let column = t
                    .columns
                    .iter()
                    .find(|c| c.feed == column)
                    .map_or(shown.feed, |c| c.feed);
                checks.problems.push(Problem {
                    line,
                    column,
                    code: "conflicts_with_stored",
                    message: format!(
                        "{} {key} is already stored with another {column}; \
                         import with --update to replace it",
                        shown.feed
                    ),
                });
            }
            let sql = format!("SELECT COUNT(*) {changed_where}");
            let n: i64 = on_conn!(&mut conn, |x| sqlx::query_scalar(AssertSqlSafe(sql))
                .fetch_one(x)
                .await)?;
            checks.problem_count += n as u64;
        }

        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT DISTINCT {} FROM {s} s WHERE NOT EXISTS \
             (SELECT 1 FROM {} t WHERE {})) AS k",
            names(key_cols(t), "s."),
            t.target,
            key_match(t, "t", "s")
        );
        let n: i64 = on_conn!(&mut conn, |x| sqlx::query_scalar(AssertSqlSafe(sql))
            .fetch_one(x)
            .await)?;
        checks.expected_new = n as u64;

        checks.problems.sort_by_key(|p| p.line);
        checks
            .problems
            .truncate(usize::try_from(limit).unwrap_or(0));
        Ok(checks)
    }

    fn conn_ref(&mut self) -> Conn<'_> {
        match &mut self.conn {
            Dedicated::Sqlite(c, _) => Conn::Sqlite(c),
            Dedicated::Postgres(c) => Conn::Postgres(c),
        }
    }

    /// Opens the one write transaction of the import (on SQLite, `BEGIN IMMEDIATE`: the only
    /// time the write lock is held). Call after [`Staging::check`].
    pub async fn publish(&mut self) -> Result<Publish<'_>> {
        let table = self.table;
        let tx = match &mut self.conn {
            Dedicated::Sqlite(c, _) => PublishTx::Sqlite(c.begin_with("BEGIN IMMEDIATE").await?),
            Dedicated::Postgres(c) => PublishTx::Postgres(c.begin().await?),
        };
        Ok(Publish { table, tx })
    }
}

async fn flush_copy(c: &mut sqlx::PgConnection, t: &Table, buf: &mut Vec<u8>) -> Result<()> {
    if buf.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "COPY {} (line, {}) FROM STDIN",
        t.staging,
        names(t.columns, "")
    );
    let mut copy = c.copy_in_raw(&sql).await?;
    copy.send(buf.as_slice()).await?;
    copy.finish().await?;
    buf.clear();
    Ok(())
}

enum PublishTx<'c> {
    Sqlite(sqlx::Transaction<'c, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'c, sqlx::Postgres>),
}

/// The publish transaction: the staged rows go into the feed table, then the caller records
/// the run and its audit event on [`Publish::conn`] and commits. Dropped uncommitted, it rolls
/// back and the feed tables stay as they were.
pub struct Publish<'c> {
    table: &'static Table,
    tx: PublishTx<'c>,
}

impl Publish<'_> {
    pub fn conn(&mut self) -> Conn<'_> {
        match &mut self.tx {
            PublishTx::Sqlite(t) => Conn::Sqlite(t),
            PublishTx::Postgres(t) => Conn::Postgres(t),
        }
    }

    /// Inserts the staged rows whose key is not stored yet (the first of identical repeats);
    /// returns how many.
    pub async fn insert_new(&mut self, now: OffsetDateTime) -> Result<u64> {
        let t = self.table;
        let cols = names(t.columns, "");
        let (target_cols, select_cols) = if t.created_at {
            (format!("{cols}, created_at"), format!("{cols}, $1"))
        } else {
            (cols.clone(), cols)
        };
        // `WHERE true`: SQLite needs it to parse ON CONFLICT after a SELECT.
        let sql = format!(
            "INSERT INTO {} ({target_cols}) SELECT {select_cols} FROM {} WHERE true \
             ON CONFLICT ({}) DO NOTHING",
            t.target,
            t.staging,
            names(key_cols(t), "")
        );
        let mut conn = self.conn();
        let done = if t.created_at {
            on_conn!(&mut conn, |x| sqlx::query(AssertSqlSafe(sql))
                .bind(crate::instant(now))
                .execute(x)
                .await
                .map(|r| r.rows_affected()))?
        } else {
            on_conn!(&mut conn, |x| sqlx::query(AssertSqlSafe(sql))
                .execute(x)
                .await
                .map(|r| r.rows_affected()))?
        };
        Ok(done)
    }

    /// Updates the stored rows whose key the file gives with other values; returns how many.
    pub async fn update_changed(&mut self) -> Result<u64> {
        let t = self.table;
        let sets = other_cols(t)
            .iter()
            .map(|c| format!("{0} = s.{0}", c.name))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE {0} AS t SET {sets} FROM {1} AS s WHERE {2} AND {3}",
            t.target,
            t.staging,
            key_match(t, "t", "s"),
            differs(t, "t", "s")
        );
        let mut conn = self.conn();
        let done = on_conn!(&mut conn, |x| sqlx::query(AssertSqlSafe(sql))
            .execute(x)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done)
    }

    pub async fn commit(self) -> Result<()> {
        match self.tx {
            PublishTx::Sqlite(t) => t.commit().await?,
            PublishTx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_sql_has_a_parameter_per_value() {
        let sql = insert_sql(&COST_CENTRES, 2);
        assert!(sql.starts_with("INSERT INTO import_cost_centres (line, customer_id, code, name)"));
        assert!(sql.ends_with("VALUES (?,?,?,?),(?,?,?,?)"));
    }

    #[test]
    fn copy_rows_escape_text_and_write_nulls() {
        let mut buf = Vec::new();
        copy_row(
            &mut buf,
            &StagedRow {
                line: 7,
                values: vec![
                    Value::Text("a\tb\\c\nd".into()),
                    Value::Null,
                    Value::Bool(true),
                    Value::Int(-3),
                    Value::Date(time::macros::date!(2026 - 03 - 09)),
                ],
            },
        );
        assert_eq!(buf, b"7\ta\\tb\\\\c\\nd\t\\N\tt\t-3\t2026-03-09\n");
    }

    #[test]
    fn every_table_has_a_key_and_reports_on_feed_columns() {
        for t in [
            &CUSTOMERS,
            &COST_CENTRES,
            &COLLECTION_POINTS,
            &PRODUCTS,
            &TRANSACTIONS,
            &REGISTERED_ITEMS,
        ] {
            assert!(
                t.key_len >= 1 && t.key_len < t.columns.len(),
                "{}",
                t.target
            );
            assert!(t.staging.starts_with("import_"));
        }
        assert_eq!(
            first_difference(&COST_CENTRES, "t", "s"),
            "CASE WHEN t.name IS DISTINCT FROM s.name THEN 'name' ELSE '' END"
        );
    }

    #[test]
    fn a_lock_that_can_be_taken_marks_an_orphan() {
        let dir = tempfile::tempdir().unwrap();
        let alive = dir.path().join("alive.lock");
        let held = File::create(&alive).unwrap();
        held.lock().unwrap();
        std::fs::write(dir.path().join("alive.db"), b"x").unwrap();
        std::fs::write(dir.path().join("dead.lock"), b"").unwrap();
        std::fs::write(dir.path().join("dead.db"), b"x").unwrap();
        assert_eq!(sweep_orphans(dir.path()), 1);
        assert!(dir.path().join("alive.db").exists());
        assert!(!dir.path().join("dead.db").exists());
        assert!(!dir.path().join("dead.lock").exists());
    }
}
