//! Scratch PostgreSQL databases for tests and benches: one is created beside an admin
//! database and dropped when its guard goes, also when the test that holds it panics.

use crate::StoreError;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use std::io::Write;

/// The admin database the test suites use when `COLLECTSTAMP_TEST_PG_URL` is not set.
pub const DEFAULT_TEST_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A database of its own, named `<prefix>_<random hex>`, dropped (`WITH (FORCE)`, so pools
/// left open by a failed test do not keep it) by [`ScratchPg::drop_now`] or, failing that, by
/// `Drop` on a thread of its own.
#[derive(Debug)]
pub struct ScratchPg {
    admin_url: String,
    name: String,
    url: String,
    dropped: bool,
}

impl ScratchPg {
    /// Creates a fresh, empty database beside the one `admin_url` names. `prefix` must be
    /// lowercase letters, digits and `_` (it is spliced into DDL; the rest is generated).
    pub async fn create(admin_url: &str, prefix: &str) -> Result<Self, StoreError> {
        if prefix.is_empty()
            || !prefix
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(StoreError::InvalidUrl(format!(
                "scratch database prefix {prefix:?}: lowercase letters, digits and _ only"
            )));
        }
        let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(admin_url).await?;
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await?;
        let _ = admin.close().await;
        Ok(ScratchPg {
            url: with_database(admin_url, &name),
            admin_url: admin_url.to_owned(),
            name,
            dropped: false,
        })
    }

    /// A scratch database for the test named `test`, on the server `COLLECTSTAMP_TEST_PG_URL`
    /// names (default [`DEFAULT_TEST_ADMIN_URL`]). When the server cannot be reached, `None`
    /// with a loud SKIPPED line on stderr; under `CI=true` the PostgreSQL suite is mandatory
    /// and this panics instead (test support: a panic is the test failing).
    pub async fn for_test(test: &str, prefix: &str) -> Option<Self> {
        let admin = std::env::var("COLLECTSTAMP_TEST_PG_URL")
            .unwrap_or_else(|_| DEFAULT_TEST_ADMIN_URL.to_owned());
        match Self::create(&admin, prefix).await {
            Ok(db) => Some(db),
            Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("PostgreSQL is mandatory in CI but {admin} refused a scratch database: {e}")
            }
            Err(e) => {
                // Straight to the process's stderr: the test harness hides a passing test's
                // captured output, and a skip must not go unnoticed.
                let _ = writeln!(
                    std::io::stderr(),
                    "*** SKIPPED (PostgreSQL not usable at {admin}: {e}): {test} ***"
                );
                None
            }
        }
    }

    /// The URL of the scratch database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Drops the database now; a failure is reported on stderr (it is scratch).
    pub async fn drop_now(mut self) {
        self.dropped = true;
        drop_database(&self.admin_url, &self.name).await;
    }
}

impl Drop for ScratchPg {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // Drop cannot await, and the caller's runtime may be unwinding: a thread with a
        // runtime of its own does the work, and we wait for it so nothing outlives the test.
        let (admin, name) = (self.admin_url.clone(), self.name.clone());
        let worker =
            std::thread::spawn(move || {
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt.block_on(drop_database(&admin, &name)),
                    Err(e) => {
                        let _ = writeln!(std::io::stderr(), "scratch database {name} left: {e}");
                    }
                }
            });
        let _ = worker.join();
    }
}

async fn drop_database(admin_url: &str, name: &str) {
    let outcome = async {
        let mut admin = PgConnection::connect(admin_url).await?;
        sqlx::query(AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut admin)
        .await?;
        admin.close().await
    }
    .await;
    if let Err(e) = outcome {
        let _ = writeln!(
            std::io::stderr(),
            "warning: could not drop scratch database {name}: {e}"
        );
    }
}

/// `url` with its database (the path) replaced by `database`, keeping any query string.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{database}?{q}"),
        None => format!("{root}/{database}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_is_replaced_and_the_query_kept() {
        assert_eq!(
            with_database("postgres://u@h:5432/test", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/test?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
