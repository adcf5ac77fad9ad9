//! The one write transaction of an import: staged rows inserted into (or updated in) the feed
//! table by `INSERT … SELECT` and `UPDATE … FROM`, then the caller's record, then the commit.

use super::{
    Table,
    sql::{differs, key_match, names},
};
use crate::{Conn, Result, on_conn};
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;

pub(super) enum PublishTx<'c> {
    Sqlite(sqlx::Transaction<'c, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'c, sqlx::Postgres>),
}

/// The publish transaction: the staged rows go into the feed table, then the caller records
/// the run and its audit event on [`Publish::conn`] and commits. Dropped uncommitted, it rolls
/// back and the feed tables stay as they were.
pub struct Publish<'c> {
    pub(super) table: &'static Table,
    pub(super) tx: PublishTx<'c>,
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
            names(t.key(), "")
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
        let sets = t
            .others()
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
