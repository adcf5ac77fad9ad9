//! The feed importer's staging area and its one short publish step (ADR 0004): a file's rows
//! are loaded into a staging table on a connection of their own, checked in SQL, then published.
//!
//! Loading and checking never take the main database's write lock: on SQLite the staging table
//! lives in a separate file ATTACHed to the importer's connection, on PostgreSQL it is a TEMP
//! table filled with COPY. Only [`Staging::publish`] opens a write transaction on the feed
//! tables, and everything it does stays inside the database (`INSERT … SELECT`, `UPDATE … FROM`).
//! The check and publish SQL is the same text on both backends, built from a [`Table`].

mod checks;
mod files;
mod publish;
mod sql;
mod tables;

pub use checks::{Checks, Problem, ProblemKind};
pub use files::sweep_orphans;
pub use publish::Publish;
pub use tables::*;

use crate::{Conn, Result, Store, db::Dedicated};
use files::StagingFile;
use publish::PublishTx;
use sql::{copy_row, create_sql, insert_sql, names};
use sqlx::{AssertSqlSafe, Connection};

/// Rows per multi-row `INSERT` on SQLite (13 × 500 parameters, well under SQLite's limit).
const SQLITE_ROWS_PER_INSERT: usize = 500;
/// Rows per staging transaction on SQLite.
const SQLITE_ROWS_PER_TX: u64 = 50_000;
/// Bytes of COPY data sent at once on PostgreSQL.
const PG_COPY_CHUNK: usize = 1 << 20;

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

impl Staging {
    /// Opens a connection of its own and creates the empty staging table for `table`.
    pub async fn open(store: &Store, table: &'static Table) -> Result<Self> {
        match store.dedicated().await? {
            Dedicated::Sqlite(c, db_path) => Self::open_sqlite(table, c, db_path).await,
            Dedicated::Postgres(c) => Self::open_postgres(table, c).await,
        }
    }

    async fn open_sqlite(
        table: &'static Table,
        mut c: sqlx::SqliteConnection,
        db_path: std::path::PathBuf,
    ) -> Result<Self> {
        let file = StagingFile::create(&db_path)?;
        let db_text = file.db.to_string_lossy().into_owned();
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
        Ok(Staging {
            table,
            conn: Dedicated::Sqlite(c, db_path),
            _file: Some(file),
            in_tx: 0,
            copy_buf: Vec::new(),
            staged: 0,
        })
    }

    async fn open_postgres(table: &'static Table, mut c: sqlx::PgConnection) -> Result<Self> {
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
        Ok(Staging {
            table,
            conn: Dedicated::Postgres(c),
            _file: None,
            in_tx: 0,
            copy_buf: Vec::with_capacity(PG_COPY_CHUNK + 4096),
            staged: 0,
        })
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
                    insert_chunk(c, table, chunk).await?;
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
        let keys = names(t.key(), "");
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

    fn conn_ref(&mut self) -> Conn<'_> {
        match &mut self.conn {
            Dedicated::Sqlite(c, _) => Conn::Sqlite(c),
            Dedicated::Postgres(c) => Conn::Postgres(c),
        }
    }

    /// The columns of the staging table and of its target, as the database declares them
    /// (in order; the staging table's first is `line`): what a feed's description is held
    /// against.
    pub async fn declared_columns(&mut self) -> Result<(Vec<String>, Vec<String>)> {
        let t = self.table;
        let mut conn = self.conn_ref();
        let staging = columns_of(&mut conn, t.staging).await?;
        let target = columns_of(&mut conn, t.target).await?;
        Ok((staging, target))
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

/// The names of a table's columns in their declared order (SQLite finds the staging table in
/// the attached file, PostgreSQL the temporary one first on the search path).
async fn columns_of(conn: &mut Conn<'_>, table: &str) -> Result<Vec<String>> {
    Ok(match conn {
        Conn::Sqlite(c) => {
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(&mut **c)
                .await?
        }
        Conn::Postgres(c) => {
            sqlx::query_scalar(
                "SELECT attname::text FROM pg_attribute WHERE attrelid = $1::text::regclass \
                 AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            )
            .bind(table)
            .fetch_all(&mut **c)
            .await?
        }
    })
}

/// One multi-row `INSERT` of at most [`SQLITE_ROWS_PER_INSERT`] rows.
async fn insert_chunk(
    c: &mut sqlx::SqliteConnection,
    table: &Table,
    chunk: &[StagedRow],
) -> Result<()> {
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
    Ok(())
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
