//! The two backends behind one type: a pool per backend, and the [`on_conn!`] macro that
//! instantiates one query body for each, so binds stay typed and each backend keeps its own SQL where needed.

use crate::{Result, StoreError};
use sqlx::{
    PgPool, SqlitePool,
    pool::PoolConnection,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use std::{str::FromStr, time::Duration};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The portal's database, chosen by the URL's scheme.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    /// On a SQLite file: read-only connections for the reads every request makes
    /// ([`crate::sqlite_read::Readers`]).
    readers: Option<std::sync::Arc<crate::sqlite_read::Readers>>,
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A borrowed connection of either backend: what every repository function takes.
pub enum Conn<'c> {
    Sqlite(&'c mut sqlx::SqliteConnection),
    Postgres(&'c mut sqlx::PgConnection),
}

/// Runs `$body` with `$c` bound to the backend's concrete connection (`&mut XConnection`).
#[macro_export]
macro_rules! on_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::Conn::Sqlite($c) => {
                let $c: &mut ::sqlx::SqliteConnection = &mut **$c;
                $body
            }
            $crate::Conn::Postgres($c) => {
                let $c: &mut ::sqlx::PgConnection = &mut **$c;
                $body
            }
        }
    };
}

/// Executes a statement built by `$query` on either backend; yields the rows affected.
#[macro_export]
macro_rules! execute {
    ($conn:expr, $query:expr) => {
        $crate::on_conn!($conn, |c| ($query)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
    };
}

/// A pooled connection outside any explicit transaction.
pub enum PooledConn {
    Sqlite(PoolConnection<sqlx::Sqlite>),
    Postgres(PoolConnection<sqlx::Postgres>),
}

impl PooledConn {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            PooledConn::Sqlite(c) => Conn::Sqlite(c),
            PooledConn::Postgres(c) => Conn::Postgres(c),
        }
    }
}

/// A transaction of either backend; dropped without `commit` it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Postgres(t),
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// A connection of its own (see [`Store::dedicated`]); SQLite's comes with its file's path.
pub(crate) enum Dedicated {
    Sqlite(sqlx::SqliteConnection, std::path::PathBuf),
    Postgres(sqlx::PgConnection),
}

impl Store {
    /// Connects to `url` (`sqlite:` / `sqlite://` path, or `postgres://`). SQLite files are
    /// created when missing, in WAL mode with a busy timeout and foreign keys on.
    pub async fn connect(url: &str) -> Result<Self> {
        let pool = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::InvalidUrl(e.to_string()))?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(opts)
                .await
                .map_err(StoreError::Unavailable)?;
            Pool::Postgres(pool)
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::InvalidUrl(e.to_string()))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // Reads through a shared memory map instead of a pread per page missing
                // from each connection's own small page cache: a month's totals touch
                // hundreds of table pages (docs/PERFORMANCE.md).
                .pragma("mmap_size", "1073741824")
                .pragma("cache_size", "-16000");
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                // A connection to a local file does not go stale: no ping (a round trip to
                // its worker thread) before every use.
                .test_before_acquire(false)
                .connect_with(opts)
                .await
                .map_err(StoreError::Unavailable)?;
            let mut conn = pool.acquire().await.map_err(StoreError::Unavailable)?;
            let file = crate::sqlite_read::main_file(&mut conn).await?;
            drop(conn);
            let readers = file.map(|f| std::sync::Arc::new(crate::sqlite_read::Readers::new(f)));
            return Ok(Self {
                pool: Pool::Sqlite(pool),
                readers,
            });
        } else {
            return Err(StoreError::InvalidUrl(
                "expected a sqlite: or postgres:// URL".to_owned(),
            ));
        };
        Ok(Self {
            pool,
            readers: None,
        })
    }

    /// True when lists are read below sqlx (a SQLite file): what the tests hold to the pooled
    /// path's rows.
    pub fn reads_directly(&self) -> bool {
        self.readers.is_some()
    }

    /// The direct readers of a SQLite file; `None` on PostgreSQL and in-memory SQLite.
    pub(crate) fn readers(&self) -> Option<&std::sync::Arc<crate::sqlite_read::Readers>> {
        self.readers.as_ref()
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the backend's pending migrations.
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Pool::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// The migration versions this binary carries for `backend`.
    pub fn migration_versions(backend: Backend) -> Vec<(i64, String)> {
        let m = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        m.iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect()
    }

    pub async fn acquire(&self) -> Result<PooledConn> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => PooledConn::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => PooledConn::Postgres(p.acquire().await?),
        })
    }

    /// Starts a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
    /// so a read-then-write never fails half-way on lock upgrade.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Cheap round trip for `/readyz`.
    /// A new connection outside the pool, with the pool's options: for work that keeps
    /// session state (an attached staging file, a temporary table) and must not hand it back.
    pub(crate) async fn dedicated(&self) -> Result<Dedicated> {
        use sqlx::ConnectOptions;
        Ok(match &self.pool {
            Pool::Sqlite(p) => {
                let opts = p.connect_options();
                let path = opts.get_filename().to_path_buf();
                Dedicated::Sqlite(opts.connect().await?, path)
            }
            Pool::Postgres(p) => Dedicated::Postgres(p.connect_options().connect().await?),
        })
    }

    pub async fn ping(&self) -> Result<()> {
        let mut c = self.acquire().await?;
        crate::repo::meta::ping(&mut c.conn()).await
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}
